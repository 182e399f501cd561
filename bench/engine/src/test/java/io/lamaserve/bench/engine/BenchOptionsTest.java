package io.lamaserve.bench.engine;

import io.lamaserve.config.TestConfig;
import io.lamaserve.engine.tensorrt.TensorRtSettings;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchOptionsTest {

    @Test
    void withoutEngineOptionsTheBenchmarkBuildsTheEngineTheServiceWouldBuild() {
        BenchOptions options = BenchOptions.parse(new String[] {"--onnx", "big-lama.onnx"});
        assertEquals(TensorRtSettings.from(TestConfig.defaults().tensorrt()),
                TensorRtSettings.from(options.engineConfig().tensorrt()));
        assertEquals(Path.of("big-lama.onnx"), options.onnx());
        assertArrayEquals(new int[] {1, 2, 4, 8, 16}, options.batches());
        assertNull(options.dumpDir());
        assertNull(options.alternate());
    }

    @Test
    void engineOptionsSetTheServicesProperties() {
        BenchOptions options = BenchOptions.parse(new String[] {"--onnx", "m.onnx", "--level", "5", "--quick-level",
                "-1", "--graphs", "false", "--max-batch", "32", "--batch-sizes", "1,4,32", "--precision", "fp32",
                "--alternate", "1,2"});
        TensorRtSettings settings = TensorRtSettings.from(options.engineConfig().tensorrt());
        assertEquals(5, settings.optimizationLevel());
        assertEquals(-1, settings.quickLevel());
        assertFalse(settings.cudaGraphs());
        assertEquals(List.of(1, 4, 32), settings.shapes().sizes());
        assertEquals("fp32", settings.precisionName());
        assertArrayEquals(new int[] {1, 2}, options.alternate());
    }

    @Test
    void anUnknownOrIncompleteOptionIsRefusedByName() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> BenchOptions.parse(new String[] {"--onnx", "m.onnx", "--profiles", "16"}));
        assertTrue(unknown.getMessage().contains("--profiles"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse(new String[] {"--onnx"}));
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse(new String[] {"--level", "3"}));
    }
}
