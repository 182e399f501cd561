package io.lamaserve.batching;

/**
 * {@code lama.batching.mode=off}: the in-process baseline. Every batch is one tile; requests are served strictly
 * in arrival order and the tiles of one request one after another, as IOPaint runs its crops. Executors still run
 * in parallel when the engine has several contexts.
 */
public final class SerialPolicy implements BatchPolicy {

    @Override
    public int cap(int queuedTiles, long oldestSlackNanos) {
        return 1;
    }

    @Override
    public boolean interleavesRequests() {
        return false;
    }

    @Override
    public long holdNanos(int queuedTiles, long oldestSlackNanos, long sinceCompletionNanos, double expectedArrivals) {
        return 0;
    }
}
