package io.lamaserve.batching;

/**
 * {@code lama.batching.mode=adaptive}.
 *
 * <p><b>Cap.</b> The cost model's knee, the smallest batch that already reaches nearly the best images/s, because
 * larger batches there only add latency. When the queue is deep the cap rises to the peak (the smallest batch within
 * 1% of the best images/s), which drains a backlog fastest. Deep means either
 * <ul>
 *   <li>enough tiles wait to give every executor a maximum-sized batch ({@code queued ≥ executors × max batch}), or</li>
 *   <li>the oldest request's slack is shorter than the predicted time to drain the queue at the knee.</li>
 * </ul>
 *
 * <p><b>Hold.</b> Dispatch is work-conserving except for one rule derived from the cost model. Below the knee the
 * curve is {@code L(n) ≈ a + b·n}; running {@code n} tiles now and {@code m} later costs {@code a} more executor
 * time than running {@code n + m} together, so holding {@code δ} for {@code m} tiles that are about to arrive raises
 * images per busy second whenever {@code δ < a}. An idle executor therefore holds a queue below the cap only when
 * {@link ReturnForecast} expects at least one more request, and at most until {@code a(n)} (the curve's marginal
 * fixed cost, {@link CostModel#marginalFixedNanos}) has passed since the last batch completed, and only if the oldest
 * request's slack still covers the hold plus a cap-sized batch. A lone client is never held: its request is the
 * one the forecast expects, so once it has arrived nothing more is expected.
 *
 * <p><b>Beside a busy context.</b> With {@code lama.batching.shared-gpu-min-fraction} f > 0 (0.5 by default), while
 * another executor runs a batch of {@code b} tiles, an idle one starts only once {@code min(b, ceil(f × knee))}
 * tiles wait, or when the oldest request's slack would no longer cover a maximum-sized batch ahead of it plus its
 * own. Contexts of one GPU share it: a batch of one or two started beside a large one takes GPU time from it for
 * few images, where waiting lets the queue form the next efficient batch. Matching the busy batch keeps the rule out
 * of the way at low load (beside a batch of one, nothing waits) and keeps the contexts on similar batch sizes, so
 * they change shape less often (each change costs TensorRT a few milliseconds). In a closed loop this keeps batches
 * near the size that both fills the GPU and leaves some clients' requests computing while others are away.
 *
 * <p><b>The engine's sizes.</b> An engine built for a few batch sizes runs any other size padded into the next
 * larger one, at that one's cost. Both the wait beside a busy context and the batch itself therefore stop at a size
 * the engine has: the wait is for the largest engine size up to {@code f × knee}, and a batch whose tiles would run
 * padded takes only the next engine size down when that computes more images per second
 * ({@link CostModel#efficientTake}); the rest goes to the next free executor.
 *
 * <p><b>Order.</b> Batches take tiles round-robin across requests so a large request cannot hold back a later small
 * one.
 */
public final class AdaptivePolicy implements BatchPolicy {

    private final CostModel model;
    private final int executors;
    private final boolean holds;
    private final double sharedGpuMinFraction;

    /**
     * @param holds                whether the hold rule applies; false gives a purely work-conserving policy (used by
     *                             the simulator to show what the rule buys)
     * @param sharedGpuMinFraction share of the knee an idle executor waits for at most while another is busy; 0 = none
     */
    public AdaptivePolicy(CostModel model, int executors, boolean holds, double sharedGpuMinFraction) {
        this.model = model;
        this.executors = executors;
        this.holds = holds;
        this.sharedGpuMinFraction = sharedGpuMinFraction;
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

    @Override
    public boolean defersToBusyExecutors(int queuedTiles, long oldestSlackNanos, int largestOtherBatch) {
        if (largestOtherBatch == 0 || sharedGpuMinFraction <= 0) {
            return false;
        }
        int share = Math.max(1, Math.min(model.maxBatch(), (int) Math.ceil(sharedGpuMinFraction * model.knee())));
        int wanted = Math.min(largestOtherBatch, model.engineSizeAtMost(share));
        // the slack must cover the busy executor's batch (at most a maximum-sized one) and then its own: a deferred
        // request is taken at the latest when that batch completes, so it needs no timer of its own
        return queuedTiles < wanted
                && oldestSlackNanos > model.latencyNanos(model.maxBatch()) + model.latencyNanos(wanted);
    }

    @Override
    public int take(int queuedTiles, int cap) {
        return model.efficientTake(Math.max(1, Math.min(queuedTiles, cap)));
    }

    @Override
    public long holdNanos(int queuedTiles, long oldestSlackNanos, long sinceCompletionNanos, double expectedArrivals) {
        if (!holds || expectedArrivals < 1) {
            return 0;
        }
        int cap = cap(queuedTiles, oldestSlackNanos);
        if (queuedTiles >= cap) {
            return 0;
        }
        long remaining = model.marginalFixedNanos(queuedTiles) - sinceCompletionNanos;
        if (remaining <= 0 || oldestSlackNanos - remaining < model.latencyNanos(cap)) {
            return 0;
        }
        return remaining;
    }
}
