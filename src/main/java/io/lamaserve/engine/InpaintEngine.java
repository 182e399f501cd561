package io.lamaserve.engine;

import io.lamaserve.tile.TileBatch;

import java.util.List;
import java.util.stream.IntStream;

/**
 * Runs the LaMa model on batches of square tiles. Implementations own all native resources (sessions, CUDA
 * buffers, streams) and release them in {@link #close()}.
 *
 * <p>Contract of one call to {@link #infer}: {@code batch.size()} tiles of {@link #tileSize()}² pixels, at most
 * {@link #maxBatch()}. Each tile's image is planar RGB in 0..1, its mask 0 or 1 (1 = fill). The engine writes
 * each tile's result, planar RGB in 0..255 and already composited, into the tile's output array. Up to
 * {@link #parallelism()} calls may run at the same time, each from its own thread with its own slot index.
 */
public interface InpaintEngine extends AutoCloseable {

    /** Short name for logs and metrics, e.g. {@code onnxruntime-cpu} or {@code tensorrt-fp16}. */
    String name();

    /** Side of the square tile the model takes. */
    int tileSize();

    /** Largest batch one call may carry. */
    int maxBatch();

    /**
     * The batch sizes the engine runs as they are, ascending, ending with {@link #maxBatch()}; a batch between two
     * of them runs in (and costs as much as) the next larger one. By default every size from 1 to the maximum.
     */
    default List<Integer> batchSizes() {
        return IntStream.rangeClosed(1, maxBatch()).boxed().toList();
    }

    /**
     * The hardware the engine runs on, e.g. {@code "AMD EPYC, 2 cores"} or {@code "NVIDIA T4 sm7.5"}. Timings
     * measured on this engine are only valid on the same hardware; the batcher keys its stored cost table with it.
     */
    default String hardware() {
        return Hardware.cpu();
    }

    /** How many calls may run concurrently (execution contexts); each uses a distinct {@code slot} in [0, parallelism). */
    int parallelism();

    /**
     * Runs one batch on execution slot {@code slot}.
     *
     * @throws EngineException when the batch failed; the engine stays usable for later batches
     */
    void infer(int slot, TileBatch batch) throws EngineException;

    @Override
    void close();
}
