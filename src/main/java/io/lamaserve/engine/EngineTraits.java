package io.lamaserve.engine;

import java.util.List;
import java.util.stream.IntStream;

/** What the batcher plans with, shared by the engine it calls ({@link InpaintEngine}) and the runtimes behind it ({@link ModelRunner}). */
public interface EngineTraits {

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
}
