package io.lamaserve.batching;

/**
 * {@code lama.batching.mode=adaptive}: the cap is the cost model's knee, the smallest batch that already reaches
 * nearly the best images/s, because larger batches there only add latency. When the queue is deep the cap rises to
 * the peak (the smallest batch within 1% of the best images/s), which drains the backlog fastest:
 * <ul>
 *   <li>deep = enough tiles wait to give every executor a maximum-sized batch
 *       ({@code queued ≥ executors × max batch}), or</li>
 *   <li>the oldest request's slack is shorter than the predicted time to drain the queue at the knee.</li>
 * </ul>
 * Batches take tiles round-robin across requests so a large request cannot hold back a later small one.
 */
public final class AdaptivePolicy implements BatchPolicy {

    private final CostModel model;
    private final int executors;

    public AdaptivePolicy(CostModel model, int executors) {
        this.model = model;
        this.executors = executors;
    }

    @Override
    public int cap(int queuedTiles, long oldestSlackNanos) {
        int knee = model.knee();
        int peak = model.peak();
        if (peak <= knee) {
            return knee;
        }
        boolean deep = queuedTiles >= executors * model.maxBatch()
                || oldestSlackNanos < model.drainNanos(queuedTiles, knee, executors);
        return deep ? peak : knee;
    }

    @Override
    public boolean interleavesRequests() {
        return true;
    }
}
