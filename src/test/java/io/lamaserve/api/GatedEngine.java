package io.lamaserve.api;

import io.lamaserve.engine.InpaintEngine;
import io.lamaserve.engine.Tile;
import io.lamaserve.engine.TileBatch;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.Arrays;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test engine whose batches wait at a gate the test opens, so a test can hold the executor busy and look at
 * the queue behind it. Counts every tile it computes. Fills outputs with mid-grey.
 */
public final class GatedEngine implements InpaintEngine {

    static final GatedEngine INSTANCE = new GatedEngine();

    private final Semaphore gate = new Semaphore(Integer.MAX_VALUE);
    final AtomicInteger computedTiles = new AtomicInteger();
    final AtomicInteger runningBatches = new AtomicInteger();

    void close(boolean closed) {
        if (closed) {
            gate.drainPermits();
        } else {
            gate.release(Integer.MAX_VALUE - gate.availablePermits());
        }
    }

    @Override
    public String name() {
        return "gated-test-engine";
    }

    @Override
    public int tileSize() {
        return 512;
    }

    @Override
    public int maxBatch() {
        return 4;
    }

    @Override
    public int parallelism() {
        return 1;
    }

    @Override
    public void infer(int slot, TileBatch batch) {
        runningBatches.incrementAndGet();
        try {
            gate.acquireUninterruptibly();
            gate.release();
            for (Tile tile : batch.tiles()) {
                Arrays.fill(tile.output(), 128f);
                computedTiles.incrementAndGet();
            }
        } finally {
            runningBatches.decrementAndGet();
        }
    }

    @Override
    public void close() {
        close(false);
    }

    /** Replaces the real engine in tests that run under {@link GatedEngineProfile}. */
    @Alternative
    @ApplicationScoped
    public static class Producer {
        @Produces
        @Singleton
        InpaintEngine engine() {
            return INSTANCE;
        }
    }
}
