package io.lamaserve.batching;

import io.lamaserve.engine.EngineException;
import io.lamaserve.engine.InpaintEngine;
import io.lamaserve.engine.Tile;
import io.lamaserve.engine.TileBatch;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntToLongFunction;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A fake engine whose batch latency follows a configurable curve on a {@link FakeTicker}. When gated, each call
 * announces itself and blocks until the test releases it, so threaded tests decide exactly what is queued while a
 * batch runs. Writes 1.0 into every output value so tests can tell computed tiles from untouched ones.
 */
public final class CurveEngine implements InpaintEngine {

    /** One engine call as the engine saw it. */
    public record Call(int slot, List<Tile> tiles) {
        public int size() {
            return tiles.size();
        }
    }

    public static final int TILE = 4;

    private final IntToLongFunction curve;
    private final int maxBatch;
    private final int parallelism;
    private final FakeTicker ticker;
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Call> started = new LinkedBlockingQueue<>();
    private final Semaphore permits = new Semaphore(0);
    private final AtomicBoolean gated = new AtomicBoolean();
    private final AtomicBoolean failNext = new AtomicBoolean();

    public CurveEngine(IntToLongFunction curve, int maxBatch, int parallelism, FakeTicker ticker) {
        this.curve = curve;
        this.maxBatch = maxBatch;
        this.parallelism = parallelism;
        this.ticker = ticker;
    }

    @Override
    public String name() {
        return "curve-fake";
    }

    @Override
    public int tileSize() {
        return TILE;
    }

    @Override
    public int maxBatch() {
        return maxBatch;
    }

    @Override
    public int parallelism() {
        return parallelism;
    }

    @Override
    public void infer(int slot, TileBatch batch) throws EngineException {
        if (batch.size() > maxBatch) {
            throw new IllegalStateException("batch of " + batch.size() + " exceeds max " + maxBatch);
        }
        Call call = new Call(slot, batch.tiles());
        calls.add(call);
        started.add(call);
        if (gated.get()) {
            permits.acquireUninterruptibly();
        }
        ticker.advanceNanos(curve.applyAsLong(batch.size()));
        if (failNext.getAndSet(false)) {
            throw new EngineException("injected failure");
        }
        for (Tile tile : batch.tiles()) {
            java.util.Arrays.fill(tile.output(), 1f);
        }
    }

    @Override
    public void close() {
    }

    /** From now on every call waits for {@link #release()}; clears what was recorded so far. */
    public void gate() {
        calls.clear();
        started.clear();
        gated.set(true);
    }

    /** Lets one waiting (or the next) call finish. */
    public void release() {
        permits.release();
    }

    /** The next call fails with an {@link EngineException} after taking its time. */
    public void failNext() {
        failNext.set(true);
    }

    /** Waits for the next call to start and returns it. */
    public Call awaitStart() {
        try {
            Call call = started.poll(5, TimeUnit.SECONDS);
            assertNotNull(call, "no batch started within 5 s");
            return call;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        }
    }

    /** Asserts that no further call starts within a short while. */
    public void assertNoStart() {
        try {
            Call call = started.poll(200, TimeUnit.MILLISECONDS);
            if (call != null) {
                fail("unexpected batch of " + call.size() + " tile(s)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    /** Whether any call carried this exact tile object. */
    public boolean saw(Tile tile) {
        return calls.stream().anyMatch(call -> call.tiles().stream().anyMatch(t -> t == tile));
    }
}
