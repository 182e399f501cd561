package io.lamaserve.batching;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AdaptivePolicyTest {

    private static final long MS = 1_000_000L;
    private static final long AMPLE = 30_000 * MS;

    /** The policy of lama.batching.mode=adaptive as the service builds it from its defaults. */
    private static AdaptivePolicy adaptive(CostModel model, int executors) {
        return new AdaptivePolicy(model, executors, true, TestSettings.defaults().sharedGpuMinFraction());
    }

    private static CostModel t4() {
        CostModel model = new CostModel(16, 0.95);
        List.of(1, 2, 4, 8, 16).forEach(size -> model.seed(size, CostCurves.t4Nanos(size)));
        return model;
    }

    @Test
    void capIsTheKneeUnlessTheQueueIsDeep() {
        AdaptivePolicy oneExecutor = adaptive(t4(), 1);
        assertEquals(7, oneExecutor.cap(3, AMPLE));
        assertEquals(7, oneExecutor.cap(15, AMPLE));
        assertEquals(8, oneExecutor.cap(16, AMPLE));       // 1 executor × max batch 16
        AdaptivePolicy twoExecutors = adaptive(t4(), 2);
        assertEquals(7, twoExecutors.cap(16, AMPLE));
        assertEquals(8, twoExecutors.cap(32, AMPLE));
    }

    @Test
    void capRisesWhenTheOldestDeadlineIsAtRisk() {
        AdaptivePolicy policy = adaptive(t4(), 1);
        // 10 tiles at the knee: two batches, each counted at the knee's 185 ms (the drain estimate rounds up)
        assertEquals(7, policy.cap(10, 370 * MS));
        assertEquals(8, policy.cap(10, 369 * MS));
    }

    @Test
    void holdsOnlyWhileReturnsAreExpectedAndForAtMostTheFixedCost() {
        AdaptivePolicy policy = adaptive(t4(), 1);
        assertEquals(0, policy.holdNanos(3, AMPLE, 5 * MS, 0));          // nothing expected
        assertEquals(40 * MS, policy.holdNanos(3, AMPLE, 5 * MS, 3));    // until 45 ms after the completion
        assertEquals(0, policy.holdNanos(3, AMPLE, 45 * MS, 3));         // the fixed cost has passed
        assertEquals(0, policy.holdNanos(7, AMPLE, 5 * MS, 3));          // the cap is reached
        assertEquals(0, policy.holdNanos(3, 200 * MS, 5 * MS, 3));       // slack can't cover hold + a knee batch
        assertEquals(0, new AdaptivePolicy(t4(), 1, false, 0).holdNanos(3, AMPLE, 5 * MS, 3));
    }

    @Test
    void neverHoldsWhereBatchingGainsNothing() {
        CostModel cpu = new CostModel(4, 0.95);
        List.of(1, 2, 4).forEach(size -> cpu.seed(size, CostCurves.LINEAR_CPU.applyAsLong(size)));
        AdaptivePolicy policy = adaptive(cpu, 1);
        assertEquals(1, policy.cap(4, AMPLE));
        assertEquals(0, policy.holdNanos(1, AMPLE, 0, 5));
    }

    @Test
    void besideABusyExecutorWaitsForPartOfTheKnee() {
        // knee 7: with the default fraction 0.5 an idle executor waits for 4 tiles while another runs a batch of 4+
        AdaptivePolicy policy = adaptive(t4(), 2);
        assertEquals(true, policy.defersToBusyExecutors(3, AMPLE, 12));
        assertEquals(false, policy.defersToBusyExecutors(4, AMPLE, 12));     // enough for a useful batch
        assertEquals(false, policy.defersToBusyExecutors(1, AMPLE, 0));      // nobody busy: start at once
        // the oldest request could not wait for a maximum-sized batch (16: 410 ms) plus its own (4: 125 ms)
        assertEquals(false, policy.defersToBusyExecutors(1, 535 * MS, 12));
        assertEquals(true, policy.defersToBusyExecutors(1, 536 * MS, 12));
        assertEquals(false, new AdaptivePolicy(t4(), 2, true, 0).defersToBusyExecutors(1, AMPLE, 12)); // 0 = off
    }

    @Test
    void besideASmallBusyBatchWaitsOnlyForAsManyTiles() {
        AdaptivePolicy policy = adaptive(t4(), 2);
        // beside a batch of 2, two queued tiles make a batch of the same size: they start
        assertEquals(true, policy.defersToBusyExecutors(1, AMPLE, 2));
        assertEquals(false, policy.defersToBusyExecutors(2, AMPLE, 2));
        // beside a batch of 1 nothing waits: at low load the rule stays out of the way
        assertEquals(false, policy.defersToBusyExecutors(1, AMPLE, 1));
    }

    @Test
    void onAnEngineWithFewSizesWaitsAndTakesOnlyWhatRunsUnpadded() {
        // H100, sizes 1, 2, 8, 32: knee 32, so half of it (16) would run in the 32 shape at the cost of 32
        AdaptivePolicy policy = adaptive(CostModelTest.sparseH100(), 2);
        assertEquals(true, policy.defersToBusyExecutors(7, AMPLE, 32));
        assertEquals(false, policy.defersToBusyExecutors(8, AMPLE, 32));     // 8, not 16: a size the engine has
        assertEquals(8, policy.take(16, policy.cap(16, AMPLE)));
        assertEquals(30, policy.take(30, policy.cap(30, AMPLE)));
        // with every size 1..16 the cap alone decides
        AdaptivePolicy t4 = adaptive(t4(), 2);
        assertEquals(5, t4.take(5, t4.cap(5, AMPLE)));
        assertEquals(7, t4.take(12, t4.cap(12, AMPLE)));
    }
}
