package io.lamaserve.engine;

import io.lamaserve.tile.Tile;
import io.lamaserve.tile.TileBatch;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SwappableEngineTest {

    /** Writes its marker into every output, so a test sees which engine computed a batch. */
    private static FakeEngine fake(String name, float marker, int maxBatch) {
        return FakeEngine.builder().name(name).tileSize(8).maxBatch(maxBatch).parallelism(2).output(marker).build();
    }

    private static TileBatch batch() {
        return new TileBatch(List.of(Tile.allocate(8)));
    }

    @Test
    void newBatchesRunOnTheReplacementAndTheOldEngineIsClosed() throws Exception {
        FakeEngine quick = fake("quick", 1f, 16);
        FakeEngine optimized = fake("optimized", 2f, 16);
        SwappableEngine engine = new SwappableEngine(quick);
        TileBatch before = batch();
        engine.run(0, before, clock());

        assertTrue(engine.swap(optimized));
        TileBatch after = batch();
        engine.run(1, after, clock());

        assertEquals(1f, before.get(0).output()[0]);
        assertEquals(2f, after.get(0).output()[0]);
        assertTrue(quick.closed());
        assertFalse(optimized.closed());
        assertEquals("optimized", engine.name());
    }

    @Test
    void aBatchRunningDuringTheSwapFinishesOnTheOldEngineBeforeItCloses() throws Exception {
        FakeEngine quick = fake("quick", 1f, 16);
        quick.hold();
        FakeEngine optimized = fake("optimized", 2f, 16);
        SwappableEngine engine = new SwappableEngine(quick);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            TileBatch inFlight = batch();
            Future<?> running = pool.submit(() -> {
                engine.run(0, inFlight, clock());
                return null;
            });
            quick.awaitStart();

            assertTrue(engine.swap(optimized));
            assertFalse(quick.closed(), "closed under a running batch");
            TileBatch meanwhile = batch();
            engine.run(1, meanwhile, clock()); // does not wait for the old engine's batch
            assertEquals(2f, meanwhile.get(0).output()[0]);

            quick.release();
            running.get(5, TimeUnit.SECONDS);
            assertEquals(1f, inFlight.get(0).output()[0]);
            assertTrue(quick.closed());
            assertEquals(0, quick.usedAfterClose());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void swapUnderConcurrentLoadNeverUsesAClosedEngineAndFailsNoBatch() throws Exception {
        FakeEngine first = fake("first", 1f, 16);
        SwappableEngine engine = new SwappableEngine(first);
        List<FakeEngine> engines = new ArrayList<>(List.of(first));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger batches = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int slot = 0; slot < 2; slot++) {
                int s = slot;
                pool.submit(() -> {
                    while (!stop.get()) {
                        try {
                            engine.run(s, batch(), clock());
                            batches.incrementAndGet();
                        } catch (EngineException e) {
                            failures.incrementAndGet();
                        }
                    }
                });
            }
            for (int i = 0; i < 200; i++) {
                FakeEngine next = fake("gen" + i, i, 16);
                engines.add(next);
                assertTrue(engine.swap(next));
                Thread.onSpinWait();
            }
            stop.set(true);
        } finally {
            pool.shutdown();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
        assertEquals(0, failures.get());
        assertTrue(batches.get() > 0);
        for (FakeEngine old : engines.subList(0, engines.size() - 1)) {
            assertTrue(old.closed(), old.name() + " not closed");
            assertEquals(0, old.usedAfterClose(), old.name() + " used after close");
        }
        assertFalse(engines.getLast().closed());
    }

    @Test
    void replacementWithASmallerMaxBatchIsRefusedAndClosed() throws Exception {
        FakeEngine quick = fake("quick", 1f, 16);
        FakeEngine smaller = fake("smaller", 2f, 8);
        SwappableEngine engine = new SwappableEngine(quick);

        assertFalse(engine.swap(smaller));
        assertTrue(smaller.closed());
        TileBatch after = batch();
        engine.run(0, after, clock());
        assertEquals(1f, after.get(0).output()[0]);
        assertEquals(16, engine.maxBatch());
    }

    @Test
    void afterCloseBatchesFailAndLateReplacementsAreClosed() {
        FakeEngine quick = fake("quick", 1f, 16);
        SwappableEngine engine = new SwappableEngine(quick);
        engine.close();
        assertTrue(quick.closed());
        assertThrows(EngineException.class, () -> engine.run(0, batch(), clock()));

        FakeEngine late = fake("late", 2f, 16);
        assertFalse(engine.swap(late));
        assertTrue(late.closed());
    }

    private static PhaseClock clock() {
        return new PhaseClock(System.nanoTime());
    }
}
