package io.lamaserve.engine;

import io.lamaserve.tile.Tile;
import io.lamaserve.tile.TileBatch;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The engine the batcher calls, around one {@link ModelRunner}: refuses a call outside the engine's contract before
 * it reaches native code (a wrong slot or size there would read or write past a buffer), brings the outputs to
 * 0..255 and records the batch's phases ({@link BatchPhases}). Every runtime gets these duties here, once.
 */
public final class GuardedEngine implements InpaintEngine {

    private final ModelRunner runner;
    private final BatchPhases phases;
    private final CompletableFuture<Void> earlyWarmUp;
    private volatile boolean closed;

    public GuardedEngine(ModelRunner runner, BatchPhases phases) {
        this(runner, phases, null);
    }

    /** @param earlyWarmUp the warm-up the runner already runs or ran ({@link #earlyWarmUp()}); null when none */
    public GuardedEngine(ModelRunner runner, BatchPhases phases, CompletableFuture<Void> earlyWarmUp) {
        this.runner = runner;
        this.phases = phases;
        this.earlyWarmUp = earlyWarmUp;
    }

    @Override
    public Optional<CompletableFuture<Void>> earlyWarmUp() {
        return Optional.ofNullable(earlyWarmUp);
    }

    @Override
    public void infer(int slot, TileBatch batch) throws EngineException {
        if (closed) {
            throw new EngineException("engine " + runner.name() + " is closed");
        }
        checkContract(slot, batch);
        PhaseClock clock = phases.start();
        runner.run(slot, batch, clock);
        float scale = runner.outputScale();
        if (scale != 1f) {
            // a GPU batch of 16 is 12 M values to scale: in parallel, as the copies out of pinned memory are
            batch.tiles().parallelStream().forEach(tile -> tile.scaleOutput(scale));
        }
        phases.record(clock);
    }

    private void checkContract(int slot, TileBatch batch) {
        if (slot < 0 || slot >= runner.parallelism()) {
            throw new IllegalArgumentException("slot " + slot + " outside [0, " + runner.parallelism() + ") of "
                    + runner.name());
        }
        if (batch.size() > runner.maxBatch()) {
            throw new IllegalArgumentException("batch of " + batch.size() + " exceeds the maximum " + runner.maxBatch()
                    + " of " + runner.name());
        }
        int side = runner.tileSize();
        List<Tile> tiles = batch.tiles();
        for (int i = 0; i < tiles.size(); i++) {
            if (tiles.get(i).side() != side) {
                throw new IllegalArgumentException("tile " + i + " is " + tiles.get(i).side() + " px, "
                        + runner.name() + " takes " + side);
            }
        }
    }

    @Override
    public String name() {
        return runner.name();
    }

    @Override
    public int tileSize() {
        return runner.tileSize();
    }

    @Override
    public int maxBatch() {
        return runner.maxBatch();
    }

    @Override
    public List<Integer> batchSizes() {
        return runner.batchSizes();
    }

    @Override
    public String hardware() {
        return runner.hardware();
    }

    @Override
    public int parallelism() {
        return runner.parallelism();
    }

    @Override
    public void close() {
        closed = true;
        runner.close();
    }
}
