package io.lamaserve.engine.tensorrt;

import io.lamaserve.config.LamaConfig.TensorRtConfig.Fp16Pinning;
import io.lamaserve.config.LamaConfig.TensorRtConfig.Precision;
import io.lamaserve.engine.EngineException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlanPreparerTest {

    private static final GpuInfo H200 = new GpuInfo(0, "NVIDIA H200", 9, 0, 132, 143_771L << 20);
    private static final Path ONNX = Path.of("big-lama.onnx");

    @TempDir
    Path dir;

    private final List<PlanKey> compiled = new ArrayList<>();

    private PlanKey key(int level) {
        return settings(level).planKey("AB".repeat(32), "10.6.0", H200);
    }

    private TensorRtSettings settings(int level) {
        return new TensorRtSettings(dir, BatchShapes.of(List.of(1, 2, 4, 8, 16, 32), 32), 2, Precision.FP16,
                Fp16Pinning.FOURIER, level, 0, 4096, true, 0);
    }

    /** Stands in for TensorRT: stores a small plan for the key it is asked for, or for {@code builds} instead. */
    private PlanPreparer preparer(PlanCache cache, Optional<PlanKey> builds) {
        return new PlanPreparer(cache, (onnx, key) -> {
            compiled.add(key);
            PlanKey actual = builds.orElse(key);
            try {
                cache.storePlan(actual, ByteBuffer.wrap(("plan for " + actual.canonical()).getBytes()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new PlanPreparer.Stored(actual, 12.5);
        });
    }

    @Test
    void aValidPlanForTheSameKeyMeansNothingToBuild() throws Exception {
        PlanCache cache = new PlanCache(dir);
        Path file = cache.storePlan(key(3), ByteBuffer.wrap(new byte[]{1, 2, 3}));

        PlanPreparer.Outcome outcome = preparer(cache, Optional.empty()).prepare(ONNX, key(3));

        assertFalse(outcome.built());
        assertTrue(outcome.servesRequestedKey());
        assertEquals(file, outcome.file());
        assertEquals(List.of(), compiled, "built although the plan was there");
    }

    @Test
    void aPlanForAnotherLevelDoesNotCountAndTheRequestedOneIsBuilt() throws Exception {
        PlanCache cache = new PlanCache(dir);
        cache.storePlan(key(0), ByteBuffer.wrap(new byte[]{1, 2, 3}));

        PlanPreparer.Outcome outcome = preparer(cache, Optional.empty()).prepare(ONNX, key(3));

        assertTrue(outcome.built());
        assertEquals(List.of(key(3)), compiled);
        assertEquals(12.5, outcome.seconds());
        assertTrue(cache.loadPlan(key(3)).isPresent(), "the service would not find the built plan");
    }

    @Test
    void aFileUnderTheKeysNameButWithAnotherKeyInsideIsRebuiltNotUsed() throws Exception {
        PlanCache cache = new PlanCache(dir);
        Path foreign = cache.storePlan(key(0), ByteBuffer.wrap(new byte[]{1, 2, 3}));
        Files.move(foreign, cache.planPath(key(3)));

        PlanPreparer.Outcome outcome = preparer(cache, Optional.empty()).prepare(ONNX, key(3));

        assertTrue(outcome.built());
        assertEquals(List.of(key(3)), compiled);
        ByteBuffer loaded = cache.loadPlan(key(3)).orElseThrow();
        byte[] bytes = new byte[loaded.remaining()];
        loaded.get(bytes);
        assertEquals("plan for " + key(3).canonical(), new String(bytes), "the foreign plan was kept");
    }

    @Test
    void aTruncatedPlanIsRebuilt() throws Exception {
        PlanCache cache = new PlanCache(dir);
        Path file = cache.storePlan(key(3), ByteBuffer.wrap(new byte[1000]));
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(whole, whole.length - 10));

        assertTrue(preparer(cache, Optional.empty()).prepare(ONNX, key(3)).built());
        assertEquals(List.of(key(3)), compiled);
    }

    @Test
    void aSmallerEngineAfterRunningOutOfMemoryIsReportedAsNotTheRequestedOne() throws Exception {
        PlanCache cache = new PlanCache(dir);
        PlanKey smaller = key(3).withMaxBatch(16);

        PlanPreparer.Outcome outcome = preparer(cache, Optional.of(smaller)).prepare(ONNX, key(3));

        assertTrue(outcome.built());
        assertFalse(outcome.servesRequestedKey());
        assertEquals(cache.planPath(smaller), outcome.file());
        assertTrue(cache.loadPlan(key(3)).isEmpty());
    }

    @Test
    void buildFailuresReachTheCaller() {
        PlanPreparer failing = new PlanPreparer(new PlanCache(dir), (onnx, key) -> {
            throw new EngineException("TensorRT failed to build");
        });

        assertThrows(EngineException.class, () -> failing.prepare(ONNX, key(3)));
    }

    @Test
    void everyPartOfTheKeyComesFromTheSettingsAndTheGpu() {
        PlanKey key = key(3);

        assertEquals("ab".repeat(32), key.onnxSha256(), "hash case must not change the key");
        assertEquals("NVIDIA H200", key.gpuName());
        assertEquals("9.0", key.computeCapability());
        assertEquals("fp16", key.precision());
        assertEquals("1,2,4,8,16,32", key.shapes().canonical());
        assertEquals(2, key.contexts());
        assertEquals(3, key.optimizationLevel());
        GpuInfo otherGpu = new GpuInfo(0, "Tesla T4", 7, 5, 40, 15_360L << 20);
        assertNotEquals(key.fileName(), settings(3).planKey("ab".repeat(32), "10.6.0", otherGpu).fileName());
        assertNotEquals(key.fileName(), settings(3).planKey("ab".repeat(32), "10.7.0", H200).fileName());
    }

    @Test
    void theSlowPathWarningIsOneLineNamingThePlanAndTheCommandThatAvoidsIt() {
        String warning = PlanPreparer.slowPathWarning(key(3), dir);

        assertFalse(warning.contains("\n"));
        assertTrue(warning.contains(key(3).fileName()), warning);
        assertTrue(warning.contains("io.lamaserve.lifecycle.BuildEngineCommand"), warning);
        assertTrue(warning.contains("k8s/engine-build-job.yaml"), warning);
    }
}
