package io.lamaserve.engine;

import io.lamaserve.tile.Tile;
import io.lamaserve.tile.TileBatch;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GuardedEngineTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private static TileBatch tiles(int count, int side) {
        return new TileBatch(java.util.stream.IntStream.range(0, count).mapToObj(i -> Tile.allocate(side)).toList());
    }

    @Test
    void aCallOutsideTheContractNeverReachesTheRuntime() {
        FakeEngine runner = FakeEngine.builder().tileSize(4).maxBatch(2).parallelism(2).build();
        GuardedEngine engine = new GuardedEngine(runner, new BatchPhases(registry));
        assertThrows(IllegalArgumentException.class, () -> engine.infer(2, tiles(1, 4)));
        assertThrows(IllegalArgumentException.class, () -> engine.infer(-1, tiles(1, 4)));
        assertThrows(IllegalArgumentException.class, () -> engine.infer(0, tiles(3, 4)));
        assertThrows(IllegalArgumentException.class, () -> engine.infer(1, tiles(2, 8)));
        assertEquals(List.of(), runner.calls());
    }

    @Test
    void outputsAreBroughtTo0To255WithTheRuntimesScale() throws Exception {
        FakeEngine runner = FakeEngine.builder().output(0.5f).outputScale(255f).build();
        GuardedEngine engine = new GuardedEngine(runner, new BatchPhases(registry));
        TileBatch batch = tiles(2, 4);
        engine.infer(0, batch);
        for (Tile tile : batch.tiles()) {
            for (float value : tile.output()) {
                assertEquals(127.5f, value, 1e-4f);
            }
        }
    }

    @Test
    void everyBatchIsTimedByPhaseInTheRegistryItWasGiven() throws Exception {
        FakeEngine runner = FakeEngine.builder().latency(size -> TimeUnit.MILLISECONDS.toNanos(30)).build();
        GuardedEngine engine = new GuardedEngine(runner, new BatchPhases(registry));
        engine.infer(0, tiles(1, 4));
        engine.infer(0, tiles(2, 4));
        Timer compute = registry.get("lama.engine.batch.phase").tag("phase", "compute").timer();
        assertEquals(2, compute.count());
        assertTrue(compute.totalTime(TimeUnit.MILLISECONDS) >= 60, "compute holds the runtime's 2 × 30 ms");
        for (String cpuPhase : List.of("stage-in", "stage-out")) {
            Timer timer = registry.get("lama.engine.batch.phase").tag("phase", cpuPhase).timer();
            assertEquals(2, timer.count());
            assertTrue(timer.totalTime(TimeUnit.MILLISECONDS) < 30, cpuPhase + " holds none of the model's time");
        }
    }

    @Test
    void aClosedEngineRefusesBatchesAndHasClosedItsRuntime() {
        FakeEngine runner = FakeEngine.builder().build();
        GuardedEngine engine = new GuardedEngine(runner, new BatchPhases(registry));
        engine.close();
        assertThrows(EngineException.class, () -> engine.infer(0, tiles(1, 4)));
        assertEquals(List.of(), runner.calls());
        assertThrows(EngineException.class, () -> runner.infer(0, tiles(1, 4)), "the runtime itself is closed");
    }
}
