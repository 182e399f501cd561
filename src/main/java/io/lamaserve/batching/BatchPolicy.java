package io.lamaserve.batching;

/**
 * Decides how large the next batch may be, in which order it takes tiles from the queued requests and whether an
 * idle executor should briefly hold a small queue for more tiles. Policies hold no queue state;
 * {@link SchedulingCore} asks them at each dispatch.
 */
public interface BatchPolicy {

    /**
     * The most tiles the next batch may take.
     *
     * @param queuedTiles      tiles waiting now
     * @param oldestSlackNanos time left until the deadline of the oldest queued request
     */
    int cap(int queuedTiles, long oldestSlackNanos);

    /**
     * How many tiles the next batch takes, given the cap and the tiles waiting. All it may take by default.
     *
     * @param queuedTiles tiles waiting now (at least one)
     * @param cap         {@link #cap}'s answer for this dispatch
     */
    default int take(int queuedTiles, int cap) {
        return Math.min(queuedTiles, cap);
    }

    /**
     * Whether a batch takes tiles round-robin across the queued requests in arrival order (one tile per request per
     * pass) instead of draining the oldest request first.
     */
    boolean interleavesRequests();

    /**
     * How long an idle executor should hold the queued tiles for more to arrive before dispatching; 0 = now.
     *
     * @param queuedTiles          tiles waiting now (at least one)
     * @param oldestSlackNanos     time left until the oldest queued request's deadline
     * @param sinceCompletionNanos time since the last batch completed
     * @param expectedArrivals     requests expected to arrive soon (see {@link ReturnForecast})
     */
    long holdNanos(int queuedTiles, long oldestSlackNanos, long sinceCompletionNanos, double expectedArrivals);

    /**
     * Whether an idle executor should leave the queue to the executors that are busy now, until more tiles arrive
     * or one of them finishes. Executors that are contexts of one GPU share it, so a small batch started beside a
     * running one mostly takes GPU time from it. False by default.
     *
     * @param queuedTiles       tiles waiting now (at least one)
     * @param oldestSlackNanos  time left until the oldest queued request's deadline
     * @param largestOtherBatch tiles in the largest batch other executors are running now; 0 when none runs
     */
    default boolean defersToBusyExecutors(int queuedTiles, long oldestSlackNanos, int largestOtherBatch) {
        return false;
    }

    /** The policy of a batching mode. */
    static BatchPolicy forMode(BatchingSettings settings, CostModel model, int executors) {
        return switch (settings.mode()) {
            case ADAPTIVE -> new AdaptivePolicy(model, executors, true, settings.sharedGpuMinFraction());
            case OFF -> new SerialPolicy();
        };
    }
}
