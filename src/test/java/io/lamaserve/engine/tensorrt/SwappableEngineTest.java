package io.lamaserve.engine.tensorrt;

import io.lamaserve.engine.EngineException;
import io.lamaserve.engine.InpaintEngine;
import io.lamaserve.engine.Tile;
import io.lamaserve.engine.TileBatch;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
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

    /** Writes its marker into every output, fails if used after close, and can hold a batch until released. */
    static final class FakeEngine implements InpaintEngine {
        final String name;
        final float marker;
        final int maxBatch;
        final AtomicBoolean closed = new AtomicBoolean();
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger usedAfterClose = new AtomicInteger();
        volatile CountDownLatch hold;
        final CountDownLatch entered = new CountDownLatch(1);

        FakeEngine(String name, float marker, int maxBatch) {
            this.name = name;
            this.marker = marker;
            this.maxBatch = maxBatch;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int tileSize() {
            return 8;
        }

        @Override
        public int maxBatch() {
            return maxBatch;
        }

        @Override
        public int parallelism() {
            return 2;
        }

        @Override
        public void infer(int slot, TileBatch batch) throws EngineException {
            running.incrementAndGet();
            try {
                if (closed.get()) {
                    usedAfterClose.incrementAndGet();
                    throw new EngineException(name + " used after close");
                }
                entered.countDown();
                CountDownLatch gate = hold;
                if (gate != null) {
                    try {
                        gate.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                if (closed.get()) {
                    usedAfterClose.incrementAndGet();
                }
                for (Tile tile : batch.tiles()) {
                    java.util.Arrays.fill(tile.output(), marker);
                }
            } finally {
                running.decrementAndGet();
            }
        }

        @Override
        public void close() {
            if (running.get() > 0) {
                usedAfterClose.incrementAndGet();
            }
            closed.set(true);
        }
    }

    private static TileBatch batch() {
        return new TileBatch(List.of(Tile.allocate(8)));
    }

    @Test
    void newBatchesRunOnTheReplacementAndTheOldEngineIsClosed() throws Exception {
        FakeEngine quick = new FakeEngine("quick", 1f, 16);
        FakeEngine optimized = new FakeEngine("optimized", 2f, 16);
        SwappableEngine engine = new SwappableEngine(quick);
        TileBatch before = batch();
        engine.infer(0, before);

        assertTrue(engine.swap(optimized));
        TileBatch after = batch();
        engine.infer(1, after);

        assertEquals(1f, before.get(0).output()[0]);
        assertEquals(2f, after.get(0).output()[0]);
        assertTrue(quick.closed.get());
        assertFalse(optimized.closed.get());
        assertEquals("optimized", engine.name());
    }

    @Test
    void aBatchRunningDuringTheSwapFinishesOnTheOldEngineBeforeItCloses() throws Exception {
        FakeEngine quick = new FakeEngine("quick", 1f, 16);
        quick.hold = new CountDownLatch(1);
        FakeEngine optimized = new FakeEngine("optimized", 2f, 16);
        SwappableEngine engine = new SwappableEngine(quick);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            TileBatch inFlight = batch();
            Future<?> running = pool.submit(() -> {
                engine.infer(0, inFlight);
                return null;
            });
            assertTrue(quick.entered.await(5, TimeUnit.SECONDS));

            assertTrue(engine.swap(optimized));
            assertFalse(quick.closed.get(), "closed under a running batch");
            TileBatch meanwhile = batch();
            engine.infer(1, meanwhile); // does not wait for the old engine's batch
            assertEquals(2f, meanwhile.get(0).output()[0]);

            quick.hold.countDown();
            running.get(5, TimeUnit.SECONDS);
            assertEquals(1f, inFlight.get(0).output()[0]);
            assertTrue(quick.closed.get());
            assertEquals(0, quick.usedAfterClose.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void swapUnderConcurrentLoadNeverUsesAClosedEngineAndFailsNoBatch() throws Exception {
        FakeEngine first = new FakeEngine("first", 1f, 16);
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
                            engine.infer(s, batch());
                            batches.incrementAndGet();
                        } catch (EngineException e) {
                            failures.incrementAndGet();
                        }
                    }
                });
            }
            for (int i = 0; i < 200; i++) {
                FakeEngine next = new FakeEngine("gen" + i, i, 16);
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
            assertTrue(old.closed.get(), old.name + " not closed");
            assertEquals(0, old.usedAfterClose.get(), old.name + " used after close");
        }
        assertFalse(engines.getLast().closed.get());
    }

    @Test
    void replacementWithASmallerMaxBatchIsRefusedAndClosed() throws Exception {
        FakeEngine quick = new FakeEngine("quick", 1f, 16);
        FakeEngine smaller = new FakeEngine("smaller", 2f, 8);
        SwappableEngine engine = new SwappableEngine(quick);

        assertFalse(engine.swap(smaller));
        assertTrue(smaller.closed.get());
        TileBatch after = batch();
        engine.infer(0, after);
        assertEquals(1f, after.get(0).output()[0]);
        assertEquals(16, engine.maxBatch());
    }

    @Test
    void afterCloseBatchesFailAndLateReplacementsAreClosed() {
        FakeEngine quick = new FakeEngine("quick", 1f, 16);
        SwappableEngine engine = new SwappableEngine(quick);
        engine.close();
        assertTrue(quick.closed.get());
        assertThrows(EngineException.class, () -> engine.infer(0, batch()));

        FakeEngine late = new FakeEngine("late", 2f, 16);
        assertFalse(engine.swap(late));
        assertTrue(late.closed.get());
    }
}
