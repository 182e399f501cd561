package io.lamaserve.engine;

import io.lamaserve.tile.TileBatch;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Runs the LaMa model on batches of square tiles: the engine the batcher calls. The service's engine is a
 * {@link GuardedEngine} around a {@link ModelRunner}, which owns the native resources (sessions, CUDA buffers,
 * streams) and releases them in {@link #close()}.
 *
 * <p>Contract of one call to {@link #infer}: {@code batch.size()} tiles of {@link #tileSize()}² pixels, at most
 * {@link #maxBatch()}. Each tile's image is planar RGB in 0..1, its mask 0 or 1 (1 = fill). The engine writes
 * each tile's result, planar RGB in 0..255 and already composited, into the tile's output array. Up to
 * {@link #parallelism()} calls may run at the same time, each from its own thread with its own slot index.
 */
public interface InpaintEngine extends EngineTraits, AutoCloseable {

    @Override
    String name();

    @Override
    int tileSize();

    @Override
    int maxBatch();

    @Override
    default List<Integer> batchSizes() {
        return EngineTraits.super.batchSizes();
    }

    @Override
    default String hardware() {
        return EngineTraits.super.hardware();
    }

    @Override
    int parallelism();

    /**
     * The warm-up (a batch of 1 on every slot) that the runtime already ran before the batcher got the engine, as
     * the early start does on the CPU while the service boots; completes when it is done, exceptionally when it
     * failed. Empty when nothing warmed the engine up: the batcher then does.
     */
    default Optional<CompletableFuture<Void>> earlyWarmUp() {
        return Optional.empty();
    }

    /**
     * Runs one batch on execution slot {@code slot}.
     *
     * @throws EngineException when the batch failed; the engine stays usable for later batches
     */
    void infer(int slot, TileBatch batch) throws EngineException;

    @Override
    void close();
}
