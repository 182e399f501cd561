package io.lamaserve.engine.tensorrt;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The batch sizes a TensorRT engine runs, each in an optimization profile of its own whose shape is fixed
 * (min = opt = max). An execution context set to such a profile never changes its input shape, so consecutive
 * batches of different sizes cost no shape change (TensorRT recomputes shapes and resources after every change); a
 * batch between two sizes runs in the smallest size that holds it, the rows beyond it unused.
 *
 * @param sizes distinct, ascending, at least one, all positive
 */
public record BatchShapes(List<Integer> sizes) {

    public BatchShapes {
        sizes = List.copyOf(sizes);
        if (sizes.isEmpty()) {
            throw new IllegalArgumentException("at least one batch size is needed");
        }
        for (int i = 0; i < sizes.size(); i++) {
            if (sizes.get(i) < 1 || (i > 0 && sizes.get(i) <= sizes.get(i - 1))) {
                throw new IllegalArgumentException("batch sizes must be positive and ascending without repeats, got "
                        + sizes);
            }
        }
    }

    /** 1, 2, 4, … below {@code max}, then {@code max} itself. */
    public static BatchShapes powersOfTwoUpTo(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max batch must be at least 1, got " + max);
        }
        List<Integer> sizes = new ArrayList<>();
        for (int size = 1; size < max; size *= 2) {
            sizes.add(size);
        }
        sizes.add(max);
        return new BatchShapes(sizes);
    }

    /** The configured sizes, sorted and without repeats; each must lie in 1..{@code max}, and {@code max} is added. */
    public static BatchShapes of(List<Integer> configured, int max) {
        List<Integer> sizes = new ArrayList<>();
        for (int size : configured) {
            if (size < 1 || size > max) {
                throw new IllegalArgumentException("lama.tensorrt.batch-sizes: " + size + " is outside 1..max-batch ("
                        + max + ")");
            }
            sizes.add(size);
        }
        sizes.add(max);
        return new BatchShapes(sizes.stream().distinct().sorted().toList());
    }

    public int max() {
        return sizes.getLast();
    }

    public int count() {
        return sizes.size();
    }

    public int size(int index) {
        return sizes.get(index);
    }

    /** Index of the smallest size that holds {@code batch} tiles. */
    public int indexFor(int batch) {
        if (batch < 1 || batch > max()) {
            throw new IllegalArgumentException("batch of " + batch + " outside 1.." + max());
        }
        for (int i = 0; i < sizes.size(); i++) {
            if (sizes.get(i) >= batch) {
                return i;
            }
        }
        throw new AssertionError("unreachable: the largest size holds every batch up to it");
    }

    /** The sizes up to {@code max} (after running out of memory while building); {@code max} itself included. */
    public BatchShapes upTo(int max) {
        int top = Math.min(max, max());
        List<Integer> kept = new ArrayList<>(sizes.stream().filter(size -> size < top).toList());
        kept.add(top);
        return new BatchShapes(kept);
    }

    /**
     * The sizes of an engine's profiles, read in profile order: contexts × the same ascending run of sizes. Returns
     * that run, or fails when the profiles do not repeat it.
     */
    static BatchShapes fromProfiles(List<Integer> profileSizes) {
        int period = profileSizes.size();
        for (int i = 1; i < profileSizes.size(); i++) {
            if (profileSizes.get(i) <= profileSizes.get(i - 1)) {
                period = i;
                break;
            }
        }
        List<Integer> run = profileSizes.subList(0, period);
        for (int i = 0; i < profileSizes.size(); i++) {
            if (!profileSizes.get(i).equals(run.get(i % period)) || profileSizes.size() % period != 0) {
                throw new IllegalArgumentException("the engine's profiles " + profileSizes
                        + " are not one run of batch sizes per execution context");
            }
        }
        return new BatchShapes(run);
    }

    /** e.g. {@code 1,2,4,8}: part of the plan key. */
    public String canonical() {
        return sizes.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
}
