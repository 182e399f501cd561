package io.lamaserve.engine.onnxruntime;

import io.lamaserve.engine.BatchPhases;
import io.lamaserve.engine.EngineException;
import io.lamaserve.engine.GuardedEngine;
import io.lamaserve.engine.InpaintEngine;
import io.lamaserve.tile.Tile;
import io.lamaserve.tile.TileBatch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CPU engine on the test models: batch sizes share staging buffers without leaking data between batches. */
class OnnxRuntimeEngineTest {

    private static final Path DYNAMIC = Path.of("src/test/resources/models/lama-fixture.onnx");
    /** The same model with the batch axis fixed at 1 (lama-fixture.txt gives the recipe). */
    private static final Path FIXED = Path.of("src/test/resources/models/lama-fixture-batch1.onnx");

    private static Tile randomTile(long seed) {
        Random random = new Random(seed);
        Tile tile = Tile.allocate(512);
        for (int i = 0; i < tile.image().length; i++) {
            tile.image()[i] = random.nextFloat();
        }
        int from = 100 + random.nextInt(100);
        for (int y = from; y < from + 150; y++) {
            for (int x = from; x < from + 200; x++) {
                tile.mask()[y * 512 + x] = 1f;
            }
        }
        return tile;
    }

    private static float[] alone(InpaintEngine engine, Tile tile) throws Exception {
        Tile copy = new Tile(tile.image().clone(), tile.mask().clone(), new float[tile.output().length]);
        engine.infer(0, new TileBatch(List.of(copy)));
        return copy.output();
    }

    @Test
    void batchesOfEverySizeGiveWhatSingleRunsGive() throws Exception {
        try (InpaintEngine engine = guarded(DYNAMIC, 0, 4, false)) {
            assertEquals("onnxruntime-cpu", engine.name());
            assertEquals(512, engine.tileSize());
            assertEquals(4, engine.maxBatch());
            assertEquals(1, engine.parallelism());
            Tile a = randomTile(1);
            Tile b = randomTile(2);
            Tile c = randomTile(3);
            engine.infer(0, new TileBatch(List.of(a, b, c)));
            // a smaller batch afterwards reads only its own tile from the shared staging buffer
            float[] aloneB = alone(engine, b);
            float[] aloneA = alone(engine, a);
            float[] aloneC = alone(engine, c);
            assertClose(aloneA, a.output());
            assertClose(aloneB, b.output());
            assertClose(aloneC, c.output());
            for (int i = 0; i < 512 * 512; i++) {
                if (a.mask()[i] == 0f) {
                    assertEquals(a.image()[i] * 255f, a.output()[i], 1e-2f, "kept pixel " + i);
                }
            }
        }
    }

    @Test
    void aFixedBatchAxisMeansBatchesOfOne() throws Exception {
        try (InpaintEngine engine = guarded(FIXED, 0, 4, false)) {
            assertEquals(1, engine.maxBatch());
            Tile tile = randomTile(4);
            engine.infer(0, new TileBatch(List.of(tile)));
            float max = 0;
            for (float value : tile.output()) {
                max = Math.max(max, value);
            }
            assertTrue(max > 1f && max <= 255f, "output in 0..255, max " + max);
            assertThrows(IllegalArgumentException.class,
                    () -> engine.infer(0, new TileBatch(List.of(randomTile(5), randomTile(6)))));
        }
    }

    @Test
    void theOnlySlotIsZero() throws Exception {
        try (InpaintEngine engine = guarded(DYNAMIC, 1, 2, true)) {
            assertThrows(IllegalArgumentException.class, () -> engine.infer(1, new TileBatch(List.of(randomTile(7)))));
        }
    }

    /** The runtime with the duties the service's engine adds (contract checks, output scaling), as the service runs it. */
    private static InpaintEngine guarded(java.nio.file.Path model, int threads, int maxBatch, boolean spinWait)
            throws EngineException {
        return new GuardedEngine(OnnxRuntimeEngine.open(model, threads, maxBatch, spinWait),
                new BatchPhases(new SimpleMeterRegistry()));
    }

    private static void assertClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        float worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(worst < 1e-2f, "largest difference " + worst + " on the 0..255 scale");
    }
}
