package io.lamaserve.bench.engine;

import io.lamaserve.engine.FakeEngine;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TensorRtOfflineBenchTest {

    @Test
    void alternatingSizesAreTimedPerSizeAndSeeTheCostOfChanging() throws Exception {
        // 1 ms per batch, 4 ms more when the size differs from the previous batch's (as a re-setup would cost)
        FakeEngine engine = FakeEngine.builder().latency(size -> 1_000_000L).shapeChange(4_000_000L).build();
        String json = TensorRtOfflineBench.alternating(engine, new int[] {1, 2}, 0.1);
        List<Integer> sizes = engine.calls().stream().map(FakeEngine.Call::size).toList();
        for (int i = 1; i < sizes.size(); i++) {
            assertTrue(!sizes.get(i).equals(sizes.get(i - 1)), "consecutive batches change size");
        }
        Matcher p50 = Pattern.compile("\"sizes\":\\[1,2],\"p50_ms\":\\[([0-9.]+),([0-9.]+)],\"samples\":(\\d+)")
                .matcher(json);
        assertTrue(p50.find(), json);
        assertTrue(Double.parseDouble(p50.group(1)) >= 5 && Double.parseDouble(p50.group(2)) >= 5, json);
        assertTrue(Integer.parseInt(p50.group(3)) >= 5, json);
        assertEquals(1, sizes.getFirst());
        assertThrows(IllegalArgumentException.class, () -> TensorRtOfflineBench.alternating(engine, new int[] {1, 8}, 0.1));
    }
}
