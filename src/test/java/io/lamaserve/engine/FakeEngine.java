package io.lamaserve.engine;

import io.lamaserve.tile.Tile;
import io.lamaserve.tile.TileBatch;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntToLongFunction;
import java.util.function.LongConsumer;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The tests' stand-in for a model engine. What a test sets through {@link #builder()}: the shape the scheduler
 * sees (tile side, max batch, contexts), a batch latency by size, on real time or on a virtual clock, and an extra
 * cost when a context changes batch size (as TensorRT sets a context up again for a new input shape). What a test
 * does while it runs: hold calls at a gate and let them through one by one, make the next batches fail as a lost
 * device would, and look at every call it received. It writes one configured value into every output, so a test can
 * tell computed tiles from untouched ones, and it counts what would be a use after free of a native engine.
 */
public final class FakeEngine implements InpaintEngine, ModelRunner {

    /** One call as the engine received it. */
    public record Call(int slot, List<Tile> tiles) {
        public int size() {
            return tiles.size();
        }
    }

    private final String name;
    private final int tileSize;
    private final int maxBatch;
    private final int parallelism;
    private final IntToLongFunction latencyNanos;
    private final long shapeChangeNanos;
    private final LongConsumer elapse;
    private final float output;
    private final float outputScale;

    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Call> started = new LinkedBlockingQueue<>();
    private final int[] previousSize;
    private final Semaphore gate = new Semaphore(0);
    private volatile boolean held;
    private final AtomicInteger failuresToInject = new AtomicInteger();
    private final AtomicInteger computedTiles = new AtomicInteger();
    private final AtomicInteger failedTiles = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger usedAfterClose = new AtomicInteger();

    private FakeEngine(Builder builder) {
        this.name = builder.name;
        this.tileSize = builder.tileSize;
        this.maxBatch = builder.maxBatch;
        this.parallelism = builder.parallelism;
        this.latencyNanos = builder.latencyNanos;
        this.shapeChangeNanos = builder.shapeChangeNanos;
        this.elapse = builder.elapse;
        this.output = builder.output;
        this.outputScale = builder.outputScale;
        this.previousSize = new int[builder.parallelism];
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Defaults: tiles of 4 × 4, batches of up to 4, one context, no latency, outputs 1.0. */
    public static final class Builder {
        private String name = "fake-engine";
        private int tileSize = 4;
        private int maxBatch = 4;
        private int parallelism = 1;
        private IntToLongFunction latencyNanos = size -> 0;
        private long shapeChangeNanos;
        private LongConsumer elapse = FakeEngine::sleep;
        private float output = 1f;
        private float outputScale = 1f;

        private Builder() {
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder tileSize(int tileSize) {
            this.tileSize = tileSize;
            return this;
        }

        public Builder maxBatch(int maxBatch) {
            this.maxBatch = maxBatch;
            return this;
        }

        /** Execution contexts: calls that may run at once, each on its own slot. */
        public Builder parallelism(int parallelism) {
            this.parallelism = parallelism;
            return this;
        }

        /** How long a batch takes, in nanoseconds by its size. */
        public Builder latency(IntToLongFunction nanosBySize) {
            this.latencyNanos = nanosBySize;
            return this;
        }

        /** Time added to a batch whose size differs from the previous batch on the same slot. */
        public Builder shapeChange(long nanos) {
            this.shapeChangeNanos = nanos;
            return this;
        }

        /** Where a batch's time passes; by default the calling thread sleeps it. */
        public Builder elapsingOn(LongConsumer advanceNanos) {
            this.elapse = advanceNanos;
            return this;
        }

        /** The value written into every output of a computed tile. */
        public Builder output(float value) {
            this.output = value;
            return this;
        }

        /** As a {@link ModelRunner}: the factor its outputs need to reach 0..255. */
        public Builder outputScale(float factor) {
            this.outputScale = factor;
            return this;
        }

        public FakeEngine build() {
            return new FakeEngine(this);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int tileSize() {
        return tileSize;
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
        if (closed.get()) {
            usedAfterClose.incrementAndGet();
            throw new EngineException(name + " used after close");
        }
        if (slot < 0 || slot >= parallelism || batch.size() > maxBatch) {
            throw new IllegalStateException("batch of " + batch.size() + " on slot " + slot + " breaks the contract of "
                    + maxBatch + " tiles on " + parallelism + " slot(s)");
        }
        running.incrementAndGet();
        try {
            Call call = new Call(slot, batch.tiles());
            calls.add(call);
            started.add(call);
            if (held) {
                gate.acquireUninterruptibly();
            }
            boolean shapeChanged = previousSize[slot] != 0 && previousSize[slot] != batch.size();
            previousSize[slot] = batch.size();
            elapse.accept(latencyNanos.applyAsLong(batch.size()) + (shapeChanged ? shapeChangeNanos : 0));
            if (failuresToInject.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                failedTiles.addAndGet(batch.size());
                throw new EngineException("injected fault: device lost");
            }
            if (closed.get()) {
                usedAfterClose.incrementAndGet(); // a native engine would have freed the buffers under this batch
            }
            for (Tile tile : batch.tiles()) {
                Arrays.fill(tile.output(), output);
            }
            computedTiles.addAndGet(batch.size());
        } finally {
            running.decrementAndGet();
        }
    }

    /** Counts a close under a running batch as a use after close: a native engine would free what it uses. */
    @Override
    public float outputScale() {
        return outputScale;
    }

    /** As a {@link ModelRunner}: the same work as {@link #infer}, its inputs staged at once. */
    @Override
    public void run(int slot, TileBatch batch, PhaseClock phases) throws EngineException {
        phases.staged();
        infer(slot, batch);
        phases.computed();
    }

    @Override
    public void close() {
        if (running.get() > 0) {
            usedAfterClose.incrementAndGet();
        }
        closed.set(true);
    }

    /** From now on every call waits at the gate for {@link #release()}; forgets the calls received so far. */
    public void hold() {
        gate.drainPermits();
        calls.clear();
        started.clear();
        held = true;
    }

    /** Lets one waiting (or the next) call through the gate. */
    public void release() {
        gate.release();
    }

    /** Stops holding calls and lets every waiting one through. */
    public void open() {
        held = false;
        gate.release(Integer.MAX_VALUE / 2);
    }

    /** The next {@code batches} calls fail with an {@link EngineException} after taking their time. */
    public void failNextBatches(int batches) {
        failuresToInject.set(batches);
    }

    /** Waits up to 5 s for the next call to start and returns it. */
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

    /** Asserts that no further call starts within 200 ms. */
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

    /** Every call received since the engine was built or last {@link #hold() held}. */
    public List<Call> calls() {
        return List.copyOf(calls);
    }

    /** Whether any call carried this exact tile object. */
    public boolean saw(Tile tile) {
        return calls.stream().anyMatch(call -> call.tiles().stream().anyMatch(t -> t == tile));
    }

    public int computedTiles() {
        return computedTiles.get();
    }

    public int failedTiles() {
        return failedTiles.get();
    }

    /** Calls inside the engine now, waiting at the gate or computing. */
    public int runningBatches() {
        return running.get();
    }

    public boolean closed() {
        return closed.get();
    }

    /** Calls after {@link #close()} and closes under a running call. */
    public int usedAfterClose() {
        return usedAfterClose.get();
    }

    private static void sleep(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
