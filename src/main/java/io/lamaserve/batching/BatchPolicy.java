package io.lamaserve.batching;

import io.lamaserve.config.LamaConfig;

/**
 * Decides how large the next batch may be and in which order it takes tiles from the queued requests. Policies hold
 * no queue state; {@link SchedulingCore} asks them at each dispatch. Dispatch itself is always work-conserving: an
 * idle executor takes what is queued at once, without a deliberate wait (see docs/batching.md for why).
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
     * Whether a batch takes tiles round-robin across the queued requests in arrival order (one tile per request per
     * pass) instead of draining the oldest request first.
     */
    boolean interleavesRequests();

    /** The policy of a batching mode. */
    static BatchPolicy forMode(LamaConfig.BatchingConfig.Mode mode, CostModel model, int executors) {
        return switch (mode) {
            case ADAPTIVE -> new AdaptivePolicy(model, executors);
            case OFF -> new SerialPolicy();
        };
    }
}
