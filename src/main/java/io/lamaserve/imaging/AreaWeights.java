package io.lamaserve.imaging;

/**
 * Area-averaging weights for shrinking one axis from {@code source} to {@code target} samples: each target sample is
 * the mean of the source interval it covers, source samples cut by an interval boundary counting with the covered
 * fraction (like OpenCV's INTER_AREA or PIL's BOX filter).
 */
final class AreaWeights {

    /** First source sample of each target sample. */
    final int[] first;
    /** Number of source samples of each target sample. */
    final int[] count;
    /** Weights, {@code count[i]} of them per target sample starting at {@code offset[i]}; they sum to 1. */
    final float[] weights;
    final int[] offset;

    AreaWeights(int source, int target) {
        if (target > source || target < 1) {
            throw new IllegalArgumentException("area weights shrink only: " + source + " -> " + target);
        }
        first = new int[target];
        count = new int[target];
        offset = new int[target];
        double step = (double) source / target;
        int maxTaps = (int) Math.ceil(step) + 1;
        float[] w = new float[target * maxTaps];
        int used = 0;
        for (int i = 0; i < target; i++) {
            double lo = i * step;
            double hi = Math.min(source, (i + 1) * step);
            int s0 = (int) Math.floor(lo);
            int s1 = Math.min(source, (int) Math.ceil(hi));
            first[i] = s0;
            offset[i] = used;
            int n = 0;
            for (int s = s0; s < s1; s++) {
                double cover = Math.min(hi, s + 1) - Math.max(lo, s);
                if (cover > 1e-9) {
                    w[used + n] = (float) (cover / step);
                    n++;
                } else if (n == 0) {
                    first[i]++;
                }
            }
            count[i] = n;
            used += n;
        }
        weights = w;
    }
}
