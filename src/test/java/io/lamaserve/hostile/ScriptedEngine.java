package io.lamaserve.hostile;

import io.lamaserve.engine.EngineException;
import io.lamaserve.engine.InpaintEngine;
import io.lamaserve.engine.Tile;
import io.lamaserve.engine.TileBatch;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test engine of known capacity that fails on command. Every tile takes {@link #MILLIS_PER_TILE} ms (no gain
 * from batching), so one executor serves {@code 1000 / MILLIS_PER_TILE} tiles a second; {@link #failNextBatches}
 * makes the next batches throw {@link EngineException} as a crashed GPU context would.
 */
public final class ScriptedEngine implements InpaintEngine {

    static final ScriptedEngine INSTANCE = new ScriptedEngine();
    static final int TILE = 128;
    static final int MILLIS_PER_TILE = 25;
    /** Tiles per second one executor finishes. */
    static final double CAPACITY = 1000.0 / MILLIS_PER_TILE;

    final AtomicInteger computedTiles = new AtomicInteger();
    final AtomicInteger failedTiles = new AtomicInteger();
    private final AtomicInteger failuresToInject = new AtomicInteger();

    /** The next {@code batches} calls to {@link #infer} fail. */
    void failNextBatches(int batches) {
        failuresToInject.set(batches);
    }

    @Override
    public String name() {
        return "scripted-test-engine";
    }

    @Override
    public int tileSize() {
        return TILE;
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
    public void infer(int slot, TileBatch batch) throws EngineException {
        if (failuresToInject.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            failedTiles.addAndGet(batch.size());
            throw new EngineException("injected fault: device lost");
        }
        try {
            TimeUnit.MILLISECONDS.sleep((long) MILLIS_PER_TILE * batch.size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException("interrupted", e);
        }
        for (Tile tile : batch.tiles()) {
            Arrays.fill(tile.output(), 77f);
        }
        computedTiles.addAndGet(batch.size());
    }

    @Override
    public void close() {
        // nothing native to free
    }

    /** Replaces the real engine in tests that run under {@link ScriptedEngineProfile}. */
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
