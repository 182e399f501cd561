package io.lamaserve.engine;

import io.lamaserve.tile.TileBatch;

import org.jboss.logging.Logger;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An engine whose implementation can be replaced while it serves: the service becomes ready on a quickly built
 * TensorRT engine and switches to the optimized one when its background build finishes. A batch runs entirely on
 * the engine it started on; new batches go to the new engine at once, and the old engine is closed when its last
 * running batch returns. No request waits for the swap and none fails because of it.
 *
 * <p>The shape the batcher relies on ({@link #tileSize()}, {@link #maxBatch()}, {@link #parallelism()}) and the output scale are fixed by
 * the first engine; a replacement that cannot honour it is refused and closed.
 */
public final class SwappableEngine implements ModelRunner {

    private static final Logger LOG = Logger.getLogger(SwappableEngine.class);

    /** One engine with the count of batches currently running on it. */
    private static final class Generation {
        final ModelRunner engine;
        final AtomicInteger running = new AtomicInteger();
        final AtomicBoolean closed = new AtomicBoolean();
        volatile boolean retired;

        Generation(ModelRunner engine) {
            this.engine = engine;
        }

        void closeIfIdle() {
            if (retired && running.get() == 0 && closed.compareAndSet(false, true)) {
                engine.close();
            }
        }
    }

    private final int tileSize;
    private final int maxBatch;
    private final List<Integer> batchSizes;
    private final int parallelism;
    private final float outputScale;
    private final AtomicReference<Generation> current;
    private volatile boolean closed;

    public SwappableEngine(ModelRunner initial) {
        this.tileSize = initial.tileSize();
        this.maxBatch = initial.maxBatch();
        this.batchSizes = initial.batchSizes();
        this.parallelism = initial.parallelism();
        this.outputScale = initial.outputScale();
        this.current = new AtomicReference<>(new Generation(initial));
    }

    /**
     * Routes new batches to {@code next} and closes the current engine once its running batches are done.
     *
     * @return false (and {@code next} closed) when {@code next} does not fit the batcher's shape or this engine
     *         is already closed
     */
    public boolean swap(ModelRunner next) {
        if (next.tileSize() != tileSize || next.maxBatch() < maxBatch || next.parallelism() < parallelism
                || next.outputScale() != outputScale) {
            LOG.warnf("keeping engine %s: its replacement %s has tile %d, max batch %d, %d context(s), output scale %s, "
                            + "but %d, %d, %d, %s are needed", name(), next.name(), next.tileSize(), next.maxBatch(),
                    next.parallelism(), next.outputScale(), tileSize, maxBatch, parallelism, outputScale);
            next.close();
            return false;
        }
        Generation incoming = new Generation(next);
        synchronized (this) {
            if (closed) {
                next.close();
                return false;
            }
            Generation old = current.getAndSet(incoming);
            old.retired = true;
            LOG.infof("now serving on engine %s (was %s)", next.name(), old.engine.name());
            old.closeIfIdle();
        }
        return true;
    }

    @Override
    public String hardware() {
        return current.get().engine.hardware();
    }

    @Override
    public String name() {
        return current.get().engine.name();
    }

    @Override
    public int tileSize() {
        return tileSize;
    }

    @Override
    public int maxBatch() {
        return maxBatch;
    }

    /** The first engine's sizes: the batcher's cost model is built on them once (the replacement has the same). */
    @Override
    public List<Integer> batchSizes() {
        return batchSizes;
    }

    @Override
    public int parallelism() {
        return parallelism;
    }

    @Override
    public float outputScale() {
        return outputScale;
    }

    @Override
    public void run(int slot, TileBatch batch, PhaseClock phases) throws EngineException {
        while (true) {
            Generation generation = current.get();
            generation.running.incrementAndGet();
            try {
                // a swap between get() and the increment may already have retired (and closed) this generation
                if (generation == current.get()) {
                    if (closed) {
                        throw new EngineException("engine is closed");
                    }
                    generation.engine.run(slot, batch, phases);
                    return;
                }
            } finally {
                generation.running.decrementAndGet();
                generation.closeIfIdle();
            }
        }
    }

    @Override
    public void close() {
        Generation last;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            last = current.get();
            last.retired = true;
        }
        last.closeIfIdle();
    }
}
