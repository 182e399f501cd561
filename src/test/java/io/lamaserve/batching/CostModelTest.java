package io.lamaserve.batching;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CostModelTest {

    private static final long MS = 1_000_000L;

    private static CostModel seeded(int maxBatch, java.util.function.IntToLongFunction curve, List<Integer> sizes) {
        CostModel model = new CostModel(maxBatch, 0.95);
        sizes.forEach(size -> model.seed(size, curve.applyAsLong(size)));
        return model;
    }

    @Test
    void kneeOfT4CurveIsSeven() {
        // By hand: best = 8 / 205 ms = 39.02 images/s; 95% of it = 37.07.
        // Batch 7: 7 / 185 ms = 37.84 (reaches it); batch 6: 6 / 165 ms = 36.36 (does not).
        CostModel model = seeded(16, CostCurves.T4, List.of(1, 2, 4, 8, 16));
        assertEquals(7, model.knee());
        assertEquals(8, model.peak());
    }

    @Test
    void anEngineWithFixedSizesRunsOthersInTheNextLargerOne() {
        // the T4 curve on an engine that runs only 1, 2, 4, 8 and 16 as they are
        CostModel model = new CostModel(16, 0.95, List.of(1, 2, 4, 8, 16));
        for (int size : List.of(1, 2, 3, 4, 5, 8, 9, 16)) {
            model.seed(model.runSize(size), CostCurves.T4.applyAsLong(model.runSize(size)));
        }
        assertEquals(125 * MS, model.latencyNanos(3));   // runs as 4 (the plain curve interpolates 105 ms)
        assertEquals(205 * MS, model.latencyNanos(5));   // runs as 8
        assertEquals(8, model.runSize(6));
        // 7 reached 95% of the best on the continuous curve; here 7 costs as much as 8, so the knee is 8
        assertEquals(8, model.knee());
        // a batch of 6 measured at 300 ms updates the cost of 8, which 6 runs in
        model.record(6, 300 * MS);
        assertEquals(model.latencyNanos(8), model.latencyNanos(6));
        assertEquals(Math.round(205 * MS + CostModel.SMOOTHING * (300 - 205) * MS), model.latencyNanos(8));
        assertEquals(List.of(1, 2, 4, 8, 16), List.copyOf(model.table().keySet()));
    }

    @Test
    void theKneeIsASizeTheEngineRunsAsItIs() {
        // flat per-image cost from 16 on: 31 tiles in the 32-tile shape reach 97% of the best images/s, but a batch
        // of 31 costs what 32 cost, so the knee is 32, not 31
        CostModel model = new CostModel(32, 0.95, List.of(1, 2, 4, 8, 16, 32));
        Map.of(1, 10L, 2, 15L, 4, 22L, 8, 36L, 16, 65L, 32, 108L).forEach((size, ms) -> model.seed(size, ms * MS));
        assertEquals(32, model.knee());
        assertEquals(32, model.peak());
    }

    @Test
    void sizesBetweenMeasurementsAreInterpolatedAndBeyondAssumeNoGain() {
        CostModel model = seeded(16, CostCurves.T4, List.of(1, 2, 4, 8));
        assertEquals(105 * MS, model.latencyNanos(3));       // between 85 and 125 ms
        assertEquals(165 * MS, model.latencyNanos(6));       // between 125 and 205 ms
        assertEquals(205 * MS * 12 / 8, model.latencyNanos(12)); // per-image latency of 8
    }

    @Test
    void flatPerImageCostGivesKneeOne() {
        CostModel model = seeded(4, CostCurves.LINEAR_CPU, List.of(1, 2, 4));
        assertEquals(1, model.knee());
        assertEquals(1, model.peak());
    }

    @Test
    void realBatchesMoveTheEstimateByMovingAverage() {
        CostModel model = seeded(16, CostCurves.T4, List.of(1, 2, 4, 8, 16));
        model.record(4, 200 * MS);
        // 125 ms + 0.2 × (200 − 125) ms
        assertEquals(140 * MS, model.latencyNanos(4));
        model.record(3, 50 * MS); // first observation of an unmeasured size is taken as is
        assertEquals(50 * MS, model.latencyNanos(3));
    }

    @Test
    void kneeFollowsTheMeasurements() {
        CostModel model = seeded(16, CostCurves.T4, List.of(1, 2, 4, 8, 16));
        // Batches of 8 and 16 turn out no faster per image than batch 2 => the knee drops.
        for (int i = 0; i < 50; i++) {
            model.record(8, 4 * CostCurves.t4Nanos(2));
            model.record(16, 8 * CostCurves.t4Nanos(2));
            model.record(4, 2 * CostCurves.t4Nanos(2));
        }
        assertEquals(2, model.knee());
    }

    @Test
    void drainTimeCountsRoundsOfParallelBatches() {
        CostModel model = seeded(16, CostCurves.T4, List.of(1, 2, 4, 8, 16));
        // 20 tiles at 8 => 3 batches => 2 rounds on 2 executors
        assertEquals(2 * 205 * MS, model.drainNanos(20, 8, 2));
        assertEquals(3 * 205 * MS, model.drainNanos(20, 8, 1));
        assertEquals(0, model.drainNanos(0, 8, 1));
        // fewer tiles than the batch: one smaller batch
        assertEquals(85 * MS, model.drainNanos(2, 8, 1));
    }

    @Test
    void tableListsOnlyMeasuredSizes() {
        CostModel model = seeded(16, CostCurves.T4, List.of(1, 2, 4, 8, 16));
        Map<Integer, Duration> table = model.table();
        assertEquals(List.of(1, 2, 4, 8, 16), List.copyOf(table.keySet()));
        assertEquals(Duration.ofMillis(65), table.get(1));
        assertTrue(model.describe().contains("knee = 7"));
    }

    @Test
    void uncalibratedModelCannotPredict() {
        CostModel model = new CostModel(8, 0.95);
        assertFalse(model.calibrated());
        assertThrows(IllegalStateException.class, () -> model.latencyNanos(1));
        assertThrows(IllegalArgumentException.class, () -> model.seed(9, MS));
    }

    @Test
    void marginalFixedCostIsTheInterceptOfTheLocalSlope() {
        CostModel t4 = seeded(16, CostCurves.T4, List.of(1, 2, 4, 8, 16));
        assertEquals(45 * MS, t4.marginalFixedNanos(1));
        assertEquals(45 * MS, t4.marginalFixedNanos(5));
        assertEquals(0, t4.marginalFixedNanos(8));   // beyond 8 an image costs its full share
        assertEquals(0, t4.marginalFixedNanos(16));
        CostModel cpu = seeded(4, CostCurves.LINEAR_CPU, List.of(1, 2, 4));
        assertEquals(0, cpu.marginalFixedNanos(1));
    }

    /** The costs the service measured on the H100 on 2026-12-06 (both slots busy), engine sizes 1, 2, 8, 32 only. */
    static CostModel sparseH100() {
        CostModel model = new CostModel(32, 0.95, List.of(1, 2, 8, 32));
        Map.of(1, 9.4, 2, 14.4, 8, 46.2, 32, 142.4).forEach((size, ms) -> model.seed(size, Math.round(ms * MS)));
        return model;
    }

    @Test
    void theEngineSizeAtMostABatchIsTheStepBelowIt() {
        CostModel model = sparseH100();
        assertEquals(32, model.knee());
        assertEquals(8, model.engineSizeAtMost(16));
        assertEquals(8, model.engineSizeAtMost(8));
        assertEquals(2, model.engineSizeAtMost(7));
        assertEquals(32, model.engineSizeAtMost(32));
        // an engine without small sizes: nothing smaller runs unpadded, so the size itself
        CostModel large = new CostModel(16, 0.95, List.of(8, 16));
        assertEquals(5, large.engineSizeAtMost(5));
    }

    @Test
    void aBatchThatWouldRunPaddedTakesTheSizeBelowWhenThatComputesMore() {
        CostModel model = sparseH100();
        // 16 tiles in the 32 shape: 16 / 142.4 ms = 112 images/s; 8 in the 8 shape: 8 / 46.2 ms = 173
        assertEquals(8, model.efficientTake(16));
        assertEquals(8, model.efficientTake(24));    // 24 / 142.4 ms = 169 < 173
        assertEquals(28, model.efficientTake(28));   // 28 / 142.4 ms = 197 > 173: padding is the better deal
        assertEquals(32, model.efficientTake(32));
        assertEquals(8, model.efficientTake(8));
        assertEquals(2, model.efficientTake(5));     // 5 / 46.2 ms = 108 < 2 / 14.4 ms = 139
        // where the engine runs every size nothing is cut
        CostModel every = seeded(16, CostCurves.T4, List.of(1, 2, 4, 8, 16));
        for (int size = 1; size <= 16; size++) {
            assertEquals(size, every.efficientTake(size));
        }
    }

    @Test
    void beforeAnyMeasurementABatchIsNotCut() {
        CostModel model = new CostModel(32, 0.95, List.of(1, 2, 8, 32));
        assertEquals(16, model.efficientTake(16));
    }
}
