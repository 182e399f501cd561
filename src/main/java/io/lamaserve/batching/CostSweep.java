package io.lamaserve.batching;

import io.lamaserve.engine.EngineException;
import io.lamaserve.engine.InpaintEngine;
import io.lamaserve.tile.Tile;
import io.lamaserve.tile.TileBatch;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The startup calibration: warms every execution slot, then times batch sizes 1, 2, 4, … and the maximum itself,
 * each once untimed and {@code repetitions} times timed, and seeds the cost model with the median of each size.
 * Runs on dummy tiles (mid-grey image, a centred square to fill).
 */
public final class CostSweep {

    private static final Logger LOG = Logger.getLogger(CostSweep.class);

    private CostSweep() {
    }

    /** Batch sizes the sweep times: powers of two below {@code maxBatch}, then {@code maxBatch}. */
    public static List<Integer> sizes(int maxBatch) {
        List<Integer> sizes = new ArrayList<>();
        for (int size = 1; size < maxBatch; size *= 2) {
            sizes.add(size);
        }
        sizes.add(maxBatch);
        return Collections.unmodifiableList(sizes);
    }

    /**
     * Measures the engine into {@code model}.
     *
     * @throws EngineException when any sweep batch fails; the service must then not become ready
     */
    public static void run(InpaintEngine engine, CostModel model, int repetitions, Ticker ticker) throws EngineException {
        Tile tile = warmUp(engine);
        // a size the engine runs in a larger one is timed as that one
        for (int size : sizes(model.maxBatch()).stream().map(model::runSize).distinct().toList()) {
            TileBatch batch = batchOf(tile, size);
            engine.infer(0, batch);
            long[] timings = new long[repetitions];
            for (int run = 0; run < repetitions; run++) {
                long start = ticker.read();
                engine.infer(0, batch);
                timings[run] = ticker.read() - start;
            }
            Arrays.sort(timings);
            model.seed(size, timings[repetitions / 2]);
        }
    }

    /**
     * One batch-1 inference on every execution slot: what readiness needs when the latency table is already known.
     * Where the engine's runtime was warmed up that way before the engine was handed over
     * ({@link InpaintEngine#earlyWarmUp()}), this waits for that instead of running it again.
     *
     * @return the dummy tile used, for further runs
     * @throws EngineException when the engine fails
     */
    public static Tile warmUp(InpaintEngine engine) throws EngineException {
        Tile tile = dummyTile(engine.tileSize());
        Optional<CompletableFuture<Void>> early = engine.earlyWarmUp();
        if (early.isPresent()) {
            try {
                early.get().join();
                return tile;
            } catch (CompletionException | CancellationException e) {
                LOG.warnf("the early warm-up of %s failed (%s); warming it up now", engine.name(),
                        e.getCause() == null ? e : e.getCause());
            }
        }
        for (int slot = 0; slot < engine.parallelism(); slot++) {
            engine.infer(slot, batchOf(tile, 1));
        }
        return tile;
    }

    private static TileBatch batchOf(Tile tile, int size) {
        return new TileBatch(Collections.nCopies(size, tile));
    }

    private static Tile dummyTile(int side) {
        Tile tile = Tile.allocate(side);
        Arrays.fill(tile.image(), 0.5f);
        int from = side / 4;
        int to = side - side / 4;
        for (int y = from; y < to; y++) {
            Arrays.fill(tile.mask(), y * side + from, y * side + to, 1f);
        }
        return tile;
    }
}
