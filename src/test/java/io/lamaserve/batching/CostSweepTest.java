package io.lamaserve.batching;

import io.lamaserve.engine.BatchPhases;
import io.lamaserve.engine.EngineException;
import io.lamaserve.engine.FakeEngine;
import io.lamaserve.engine.GuardedEngine;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class CostSweepTest {

    @Test
    void sizesArePowersOfTwoThenTheMaximum() {
        assertEquals(List.of(1, 2, 4, 8, 16), CostSweep.sizes(16));
        assertEquals(List.of(1, 2, 4, 6), CostSweep.sizes(6));
        assertEquals(List.of(1), CostSweep.sizes(1));
    }

    @Test
    void sweepMeasuresEachSizeAfterWarmUp() throws Exception {
        FakeTicker ticker = new FakeTicker();
        FakeEngine engine = FakeEngine.builder().maxBatch(16).parallelism(2).latency(CostCurves.T4)
                .elapsingOn(ticker::advanceNanos).build();
        CostModel model = new CostModel(16, 0.95);

        CostSweep.run(engine, model, 3, ticker);

        assertEquals(Duration.ofMillis(65), model.table().get(1));
        assertEquals(Duration.ofMillis(205), model.table().get(8));
        assertEquals(Duration.ofMillis(410), model.table().get(16));
        assertEquals(7, model.knee());
        // one warm-up call per slot, then per size one untimed and three timed calls
        List<FakeEngine.Call> calls = engine.calls();
        assertEquals(2 + 5 * 4, calls.size());
        assertEquals(List.of(0, 1), calls.subList(0, 2).stream().map(FakeEngine.Call::slot).toList());
    }

    @Test
    void anEngineWarmedUpEarlyIsNotWarmedUpAgain() throws Exception {
        FakeEngine runner = FakeEngine.builder().parallelism(2).build();
        CompletableFuture<Void> early = new CompletableFuture<>();
        GuardedEngine engine = new GuardedEngine(runner, new BatchPhases(new SimpleMeterRegistry()), early);
        CompletableFuture<Void> warmUp = CompletableFuture.runAsync(() -> {
            try {
                CostSweep.warmUp(engine);
            } catch (EngineException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(50);
        assertFalse(warmUp.isDone(), "the warm-up did not wait for the early one");
        early.complete(null);
        warmUp.get(10, TimeUnit.SECONDS);
        assertEquals(List.of(), runner.calls());
    }

    @Test
    void anEarlyWarmUpThatFailedIsDoneAgain() throws Exception {
        FakeEngine runner = FakeEngine.builder().parallelism(2).build();
        GuardedEngine engine = new GuardedEngine(runner, new BatchPhases(new SimpleMeterRegistry()),
                CompletableFuture.failedFuture(new EngineException("out of memory")));
        CostSweep.warmUp(engine);
        assertEquals(List.of(0, 1), runner.calls().stream().map(FakeEngine.Call::slot).toList());
        assertEquals(List.of(1, 1), runner.calls().stream().map(FakeEngine.Call::size).toList());
    }
}
