package io.lamaserve.lifecycle;

import io.lamaserve.engine.tensorrt.BatchShapes;
import io.lamaserve.engine.tensorrt.GpuInfo;
import io.lamaserve.engine.tensorrt.PlanCache;
import io.lamaserve.engine.tensorrt.PlanKey;
import io.lamaserve.engine.tensorrt.TensorRtProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

class BuildEngineCommandTest {

    private static final Path FIXTURE = Path.of("src/test/resources/models/lama-fixture.onnx");
    private static final GpuInfo H200 = new GpuInfo(0, "NVIDIA H200", 9, 0, 132, 143_771L << 20);
    private static final IntFunction<TensorRtProbe.Result> ON_H200 =
            device -> new TensorRtProbe.Result(Optional.of(H200), "10.6.0", "");

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(IntFunction<TensorRtProbe.Result> probe, Map<String, String> settings, String... args) {
        Map<String, String> all = new HashMap<>(Map.of("lama.model.path", FIXTURE.toString(),
                "lama.model.cache-dir", dir.resolve("models").toString(),
                "lama.tensorrt.engine-dir", dir.resolve("engines").toString()));
        all.putAll(settings);
        return new BuildEngineCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), probe, all).run(args);
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpExplainsTheCommandAndItsExitStatus() {
        assertEquals(0, run(ON_H200, Map.of(), "--help"));
        assertTrue(stdout().contains("Exit status"), stdout());
        assertTrue(stdout().contains("LAMA_TENSORRT_"), stdout());
    }

    @Test
    void unknownArgumentsAreAUsageError() {
        assertEquals(2, run(ON_H200, Map.of(), "--level", "5"));
        assertTrue(stderr().contains("takes no arguments"), stderr());
        assertTrue(stderr().contains("--level 5"), stderr());
    }

    @Test
    void invalidSettingsAreAUsageErrorNamingTheSetting() {
        assertEquals(2, run(ON_H200, Map.of("lama.tensorrt.contexts", "0")));
        assertTrue(stderr().contains("lama.tensorrt.contexts"), stderr());
    }

    /** On a machine without an NVIDIA driver (this build machine) the command says so in one sentence. */
    @Test
    void withoutTensorRtItExitsWithStatus3AndOneLine() {
        assumeFalse(TensorRtProbe.probe(0).available(), "this machine has a usable GPU");

        assertEquals(3, run(TensorRtProbe::probe, Map.of()));
        String message = stderr().strip();
        assertTrue(message.startsWith("build-engine: TensorRT is not available on this machine"), message);
        assertFalse(message.contains("\n"), message);
        assertFalse(Files.exists(dir.resolve("engines")), "wrote into the engine directory");
    }

    @Test
    void aPlanAlreadyBuiltForTheSameKeyMeansNothingToBuild() throws Exception {
        PlanKey key = new PlanKey(sha256(FIXTURE), "10.6.0", "NVIDIA H200", "9.0", 132, "fp16",
                BatchShapes.of(List.of(1, 2, 4, 8, 16, 32), 32), 2, 3);
        Path plan = new PlanCache(dir.resolve("engines")).storePlan(key, ByteBuffer.wrap(new byte[]{7, 7, 7}));
        long modified = Files.getLastModifiedTime(plan).toMillis();

        int status = run(ON_H200, Map.of("lama.tensorrt.max-batch", "32",
                "lama.tensorrt.batch-sizes", "1,2,4,8,16,32", "lama.tensorrt.optimization-level", "3"));

        assertEquals(0, status, stderr());
        assertTrue(stdout().contains("up to date, nothing to build: " + plan), stdout());
        assertTrue(stdout().contains(key.canonical()), stdout());
        assertEquals(modified, Files.getLastModifiedTime(plan).toMillis());
    }

    @Test
    void aMissingModelFailsWithStatus1BeforeAnyBuild() {
        int status = run(ON_H200, Map.of("lama.model.path", dir.resolve("absent.onnx").toString()));

        assertEquals(1, status);
        assertTrue(stderr().contains("lama.model.path"), stderr());
        assertFalse(Files.exists(dir.resolve("engines")));
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
