package io.lamaserve.engine.tensorrt;

import io.lamaserve.engine.InpaintEngine;
import io.lamaserve.engine.TileBatch;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TensorRtOfflineBenchTest {

    /** 1 ms per batch, 4 ms more when the size differs from the previous batch's (as a re-setup would cost). */
    static final class ShapeSensitiveEngine implements InpaintEngine {
        final List<Integer> sizes = new ArrayList<>();

        @Override
        public String name() {
            return "shape-sensitive";
        }

        @Override
        public int tileSize() {
            return 4;
        }

        @Override
        public int maxBatch() {
            return 4;
        }

        @Override
        public int parallelism() {
            return 1;
        }

        @Override
        public void infer(int slot, TileBatch batch) {
            boolean changed = !sizes.isEmpty() && sizes.getLast() != batch.size();
            sizes.add(batch.size());
            try {
                Thread.sleep(changed ? 5 : 1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
        }
    }

    @Test
    void alternatingSizesAreTimedPerSizeAndSeeTheCostOfChanging() throws Exception {
        ShapeSensitiveEngine engine = new ShapeSensitiveEngine();
        String json = TensorRtOfflineBench.alternating(engine, new int[] {1, 2}, 0.1);
        for (int i = 1; i < engine.sizes.size(); i++) {
            assertTrue(!engine.sizes.get(i).equals(engine.sizes.get(i - 1)), "consecutive batches change size");
        }
        Matcher p50 = Pattern.compile("\"sizes\":\\[1,2],\"p50_ms\":\\[([0-9.]+),([0-9.]+)],\"samples\":(\\d+)")
                .matcher(json);
        assertTrue(p50.find(), json);
        assertTrue(Double.parseDouble(p50.group(1)) >= 5 && Double.parseDouble(p50.group(2)) >= 5, json);
        assertTrue(Integer.parseInt(p50.group(3)) >= 5, json);
        assertEquals(1, engine.sizes.getFirst());
        assertThrows(IllegalArgumentException.class, () -> TensorRtOfflineBench.alternating(engine, new int[] {1, 8}, 0.1));
    }
}
