package io.lamaserve.batching;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Latency of one batch as a function of its size, measured on the engine at startup and kept current from real
 * batches, and the quantities the policy derives from it.
 *
 * <ul>
 *   <li>Measured sizes keep an exponentially weighted moving average ({@link #SMOOTHING} per new batch).</li>
 *   <li>A size never measured is interpolated linearly between its measured neighbours; above the largest measured
 *       size the per-image latency of that size is assumed (no further gain), which never overstates throughput.</li>
 *   <li>An engine that runs only some batch sizes as they are (fixed-shape TensorRT contexts) runs any other size in
 *       the next larger one: such a size costs what that one costs, and its observations count for that one.</li>
 *   <li>The <em>knee</em> is the smallest batch whose images/s reach {@code kneeFraction} of the best images/s of
 *       any size up to the maximum batch; the <em>peak</em> is the smallest batch within 1% of the best.</li>
 * </ul>
 * Thread-safe.
 */
public final class CostModel {

    /** Weight of a new observation in the moving average of its batch size. */
    static final double SMOOTHING = 0.2;
    /** A batch within this share of the best images/s counts as the peak (absorbs measurement noise). */
    static final double PEAK_FRACTION = 0.99;

    private final int maxBatch;
    private final double kneeFraction;
    /** Index = batch size; NaN = not measured. */
    private final double[] latencyNanos;
    /** Index = batch size; the size the engine runs it in (itself where the engine runs every size). */
    private final int[] runSize;
    private int knee = 1;
    private int peak = 1;

    /**
     * @param maxBatch     largest batch the scheduler may form (≥ 1)
     * @param kneeFraction share of the best images/s that defines the knee, in (0, 1]
     */
    public CostModel(int maxBatch, double kneeFraction) {
        this(maxBatch, kneeFraction, java.util.stream.IntStream.rangeClosed(1, Math.max(1, maxBatch)).boxed().toList());
    }

    /**
     * @param engineSizes the batch sizes the engine runs as they are, ascending ({@code InpaintEngine.batchSizes()});
     *                    {@code maxBatch} is treated as one of them
     */
    public CostModel(int maxBatch, double kneeFraction, List<Integer> engineSizes) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("max batch must be at least 1, was " + maxBatch);
        }
        if (!(kneeFraction > 0 && kneeFraction <= 1)) {
            throw new IllegalArgumentException("knee fraction must be in (0, 1], was " + kneeFraction);
        }
        this.maxBatch = maxBatch;
        this.kneeFraction = kneeFraction;
        this.latencyNanos = new double[maxBatch + 1];
        java.util.Arrays.fill(latencyNanos, Double.NaN);
        this.runSize = new int[maxBatch + 1];
        int next = maxBatch;
        for (int size = maxBatch; size >= 1; size--) {
            if (engineSizes.contains(size)) {
                next = size;
            }
            runSize[size] = next;
        }
    }

    /** The size the engine runs a batch of {@code batchSize} in. */
    public int runSize(int batchSize) {
        checkSize(batchSize);
        return runSize[batchSize];
    }

    /**
     * The largest size up to {@code batchSize} that the engine runs as it is (no padding); {@code batchSize} itself
     * when the engine has no size that small.
     */
    public int engineSizeAtMost(int batchSize) {
        checkSize(batchSize);
        for (int size = batchSize; size >= 1; size--) {
            if (runSize[size] == size) {
                return size;
            }
        }
        return batchSize;
    }

    /**
     * How many of {@code available} tiles a batch should take: all of them, unless they would run padded into a
     * larger size and the engine's next size down computes more images per second than that padded batch (12 tiles
     * run as 32 cost what 32 cost; 8 of them, run as 8, may cost a quarter of it). The tiles left over wait for the
     * next free executor. Where the engine runs every size, this is always {@code available}.
     */
    public synchronized int efficientTake(int available) {
        checkSize(available);
        if (runSize[available] == available) {
            return available;
        }
        int smaller = engineSizeAtMost(available);
        if (smaller == available || !calibrated()) {
            return available;
        }
        return smaller / estimate(smaller) >= available / estimate(available) ? smaller : available;
    }

    /** Sets the latency of a size outright (startup sweep). */
    public synchronized void seed(int batchSize, long nanos) {
        checkSize(batchSize);
        latencyNanos[runSize[batchSize]] = Math.max(1, nanos);
        derive();
    }

    /** Folds the latency of a real batch into the average of its size. */
    public synchronized void record(int batchSize, long nanos) {
        checkSize(batchSize);
        int size = runSize[batchSize];
        double previous = latencyNanos[size];
        latencyNanos[size] = Double.isNaN(previous)
                ? Math.max(1, nanos)
                : previous + SMOOTHING * (nanos - previous);
        derive();
    }

    /** Whether at least batch size 1 has been measured; until then nothing can be predicted. */
    public synchronized boolean calibrated() {
        return !Double.isNaN(latencyNanos[1]);
    }

    public int maxBatch() {
        return maxBatch;
    }

    public double kneeFraction() {
        return kneeFraction;
    }

    /** Smallest batch reaching {@code kneeFraction} of the best images/s. */
    public synchronized int knee() {
        return knee;
    }

    /** Smallest batch within 1% of the best images/s: the cap used when the queue is deep. */
    public synchronized int peak() {
        return peak;
    }

    /** Predicted latency of one batch of the given size, measured or interpolated. */
    public synchronized long latencyNanos(int batchSize) {
        checkSize(batchSize);
        return Math.round(estimate(batchSize));
    }

    /**
     * The part of a batch of {@code batchSize} that one more image would share: {@code L(n) − n·(L(n+1) − L(n))},
     * the intercept of the curve's local slope (45 ms for 45 ms + 20 ms per image). Zero where an extra image costs
     * its full share, i.e. where waiting for it cannot raise images/s.
     */
    public synchronized long marginalFixedNanos(int batchSize) {
        checkSize(batchSize);
        if (batchSize == maxBatch) {
            return 0;
        }
        double current = estimate(batchSize);
        double slope = estimate(batchSize + 1) - current;
        return Math.max(0, Math.round(current - batchSize * slope));
    }

    /** Predicted images per second of back-to-back batches of the given size on one executor. */
    public double imagesPerSecond(int batchSize) {
        return batchSize * 1e9 / latencyNanos(batchSize);
    }

    /**
     * Predicted time for {@code executors} executors to compute {@code tiles} tiles in batches of
     * {@code batchSize}: the number of rounds of {@code executors} parallel batches times the batch latency.
     */
    public long drainNanos(int tiles, int batchSize, int executors) {
        if (tiles <= 0) {
            return 0;
        }
        int size = Math.min(batchSize, tiles);
        long batches = (tiles + size - 1) / size;
        long rounds = (batches + executors - 1) / executors;
        return rounds * latencyNanos(size);
    }

    /** The measured (not interpolated) sizes and their current latency, for logs, health and gauges. */
    public synchronized SortedMap<Integer, Duration> table() {
        SortedMap<Integer, Duration> table = new TreeMap<>();
        for (int size = 1; size <= maxBatch; size++) {
            if (!Double.isNaN(latencyNanos[size])) {
                table.put(size, Duration.ofNanos(Math.round(latencyNanos[size])));
            }
        }
        return Collections.unmodifiableSortedMap(table);
    }

    /** One line per measured size: latency, images/s and share of the best, plus the knee; for the startup log. */
    public synchronized String describe() {
        double best = bestImagesPerSecond();
        StringBuilder text = new StringBuilder("batch  latency_ms  images/s  of_best\n");
        for (var entry : table().entrySet()) {
            double ips = entry.getKey() * 1e9 / entry.getValue().toNanos();
            text.append(String.format(java.util.Locale.ROOT, "%5d  %10.2f  %8.2f  %6.1f%%%n",
                    entry.getKey(), entry.getValue().toNanos() / 1e6, ips, 100 * ips / best));
        }
        text.append(String.format(java.util.Locale.ROOT, "knee = %d (>= %.0f%% of best %.2f images/s), peak = %d",
                knee, 100 * kneeFraction, best, peak));
        return text.toString();
    }

    private void checkSize(int batchSize) {
        if (batchSize < 1 || batchSize > maxBatch) {
            throw new IllegalArgumentException("batch size " + batchSize + " outside 1.." + maxBatch);
        }
    }

    private double estimate(int batchSize) {
        int size = runSize[batchSize];
        if (!Double.isNaN(latencyNanos[size])) {
            return latencyNanos[size];
        }
        int lower = size - 1;
        while (lower >= 1 && Double.isNaN(latencyNanos[lower])) {
            lower--;
        }
        int upper = size + 1;
        while (upper <= maxBatch && Double.isNaN(latencyNanos[upper])) {
            upper++;
        }
        if (lower < 1 && upper > maxBatch) {
            throw new IllegalStateException("cost model has no measurement yet");
        }
        if (lower < 1) {
            return latencyNanos[upper] * size / upper;
        }
        if (upper > maxBatch) {
            return latencyNanos[lower] * size / lower;
        }
        double share = (double) (size - lower) / (upper - lower);
        return latencyNanos[lower] + share * (latencyNanos[upper] - latencyNanos[lower]);
    }

    private double bestImagesPerSecond() {
        double best = 0;
        for (int size = 1; size <= maxBatch; size++) {
            best = Math.max(best, size / estimate(size));
        }
        return best * 1e9;
    }

    private void derive() {
        if (table().isEmpty()) {
            return;
        }
        double best = bestImagesPerSecond();
        knee = smallestReaching(kneeFraction * best);
        peak = smallestReaching(PEAK_FRACTION * best);
    }

    /** Smallest size the engine runs as it is whose images/s reach the given rate (a size run padded never is). */
    private int smallestReaching(double imagesPerSecond) {
        for (int size = 1; size <= maxBatch; size++) {
            if (runSize[size] == size && size * 1e9 / estimate(size) >= imagesPerSecond * (1 - 1e-12)) {
                return size;
            }
        }
        return maxBatch;
    }
}
