package io.lamaserve.engine;

import io.lamaserve.tile.TileBatch;

/**
 * One inference runtime (ONNX Runtime, TensorRT): what differs between engines. It owns its native resources and
 * releases them in {@link #close()}. What every engine must do besides (refuse a batch outside the contract, bring
 * the outputs to 0..255, time the phases of a batch) is {@link GuardedEngine}'s, so a new runtime cannot forget it.
 */
public interface ModelRunner extends EngineTraits, AutoCloseable {

    /** Factor that brings the model's outputs to 0..255 ({@link io.lamaserve.model.ModelContract#outputScale()}). */
    float outputScale();

    /**
     * Runs one batch on slot {@code slot}, writing each tile's output in the model's own range. Called only with a
     * slot in [0, {@link #parallelism()}), at most {@link #maxBatch()} tiles, all of side {@link #tileSize()}.
     *
     * @param phases marks when the inputs are staged and when the model has computed
     * @throws EngineException when the batch failed; the runner stays usable for later batches
     */
    void run(int slot, TileBatch batch, PhaseClock phases) throws EngineException;

    @Override
    void close();
}
