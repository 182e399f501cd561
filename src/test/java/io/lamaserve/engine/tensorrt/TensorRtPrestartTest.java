package io.lamaserve.engine.tensorrt;

import io.lamaserve.config.LamaConfig.TensorRtConfig.Fp16Pinning;
import io.lamaserve.config.LamaConfig.TensorRtConfig.Precision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TensorRtPrestartTest {

    static final String SHA = "ab".repeat(32);
    static final GpuInfo H200 = new GpuInfo(0, "NVIDIA H200", 9, 0, 132, 143_771L << 20);

    @TempDir
    Path dir;

    TensorRtSettings settings() {
        return new TensorRtSettings(dir, BatchShapes.of(List.of(1, 2, 4, 8, 16, 32), 32), 2, Precision.FP16,
                Fp16Pinning.FOURIER, 3, 0, 4096, true, 0);
    }

    static TensorRtProbe.Result h200() {
        return new TensorRtProbe.Result(Optional.of(H200), "10.6.0", "");
    }

    @Test
    void theProbeRunsOnceInTheBackgroundAndTheWaitForItIsRecorded() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        TensorRtPrestart prestart = TensorRtPrestart.start(settings(), () -> model(SHA), device -> {
            calls.incrementAndGet();
            try {
                assertTrue(release.await(10, TimeUnit.SECONDS));
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return h200();
        }, Optional.empty());
        Thread.sleep(20);
        release.countDown();
        StartPhases phases = new StartPhases("x");
        assertTrue(prestart.probe(phases).available());
        assertEquals(h200(), prestart.probe());
        assertEquals(1, calls.get());
        double took = phases.seconds(StartPhases.Phase.PROBE).orElseThrow();
        double waited = phases.waited(StartPhases.Phase.PROBE).orElseThrow();
        assertTrue(took >= 0.05, "probe took " + took);
        assertTrue(waited > 0 && waited <= took + 0.01, "waited " + waited + " of " + took);
    }

    @Test
    void aProbeDoneBeforeItIsNeededCostsNoWait() throws Exception {
        TensorRtPrestart prestart = TensorRtPrestart.start(settings(), () -> model(SHA), device -> h200(), Optional.empty());
        Thread.sleep(200);
        StartPhases phases = new StartPhases("x");
        prestart.probe(phases);
        assertTrue(phases.waited(StartPhases.Phase.PROBE).orElseThrow() < 0.05);
    }

    @Test
    void aProbeThatThrowsIsAnUnavailableTensorRt() {
        TensorRtPrestart prestart = TensorRtPrestart.start(settings(), () -> model(SHA), device -> {
            throw new UnsatisfiedLinkError("/tmp/x/libjnicudart.so: libcuda.so.1: cannot open shared object file");
        }, Optional.empty());
        TensorRtProbe.Result result = prestart.probe(new StartPhases("x"));
        assertFalse(result.available());
        assertTrue(result.reason().contains("libcuda.so.1"), result.reason());
    }

    private static final GpuInfo T4 = new GpuInfo(0, "Tesla T4", 7, 5, 40, 15_360L << 20);

    static TensorRtPrestart.Model model(String sha) {
        // the settings here pin explicitly, so the file (read only for auto pinning) need not exist
        return new TensorRtPrestart.Model(Path.of("unused.onnx"), sha);
    }

    @Test
    void withAutoPinningTheReadAheadTakesThePlanThatTheModelsExportAllows() throws Exception {
        TensorRtSettings auto = settings().withPinning(Fp16Pinning.AUTO);
        Path scaled = dir.resolve("scaled.onnx");
        java.nio.file.Files.write(scaled, TensorRtSettingsTest.modelWithMetadata(TensorRtSettings.REWRITES,
                "fold-batch-norms,scale-spectrum-0.015625"));
        PlanKey unpinned = settings().withPinning(Fp16Pinning.NONE).planKey(SHA, "10.6.0", H200);
        PlanKey pinned = storePlan(H200, "10.6.0", new byte[] {5});
        new PlanCache(dir).storePlan(unpinned, java.nio.ByteBuffer.wrap(new byte[] {6, 7}));

        // the probe still held: the one candidate whose name fits the resolved settings is read
        CountDownLatch release = new CountDownLatch(1);
        TensorRtPrestart held = TensorRtPrestart.start(auto, () -> new TensorRtPrestart.Model(scaled, SHA),
                heldProbe(release, h200()), Optional.empty());
        Optional<java.nio.ByteBuffer> plan = held.plan(unpinned, new StartPhases("x"));
        release.countDown();
        assertEquals(2, plan.orElseThrow().remaining());

        // the probe first: the full key of the resolved settings
        TensorRtPrestart probed = TensorRtPrestart.start(auto, () -> new TensorRtPrestart.Model(scaled, SHA),
                device -> h200(), Optional.empty());
        probed.probe();
        assertEquals(2, probed.plan(unpinned, new StartPhases("x")).orElseThrow().remaining());

        // a model exported without the scaled spectrum keeps the pin
        Path plain = dir.resolve("plain.onnx");
        java.nio.file.Files.write(plain, TensorRtSettingsTest.modelWithMetadata("lama-serve.tile", "512"));
        TensorRtPrestart other = TensorRtPrestart.start(auto, () -> new TensorRtPrestart.Model(plain, SHA),
                device -> h200(), Optional.empty());
        other.probe();
        assertEquals(1, other.plan(pinned, new StartPhases("x")).orElseThrow().remaining());
    }

    private PlanKey storePlan(GpuInfo gpu, String trt, byte[] payload) throws Exception {
        PlanKey key = settings().planKey(SHA, trt, gpu);
        new PlanCache(dir).storePlan(key, java.nio.ByteBuffer.wrap(payload));
        return key;
    }

    /** A probe held until {@code release} opens, so the read-ahead has to guess the plan from its name. */
    private static java.util.function.IntFunction<TensorRtProbe.Result> heldProbe(CountDownLatch release,
                                                                                  TensorRtProbe.Result result) {
        return device -> {
            try {
                assertTrue(release.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return result;
        };
    }

    @Test
    void whileTheProbeRunsTheOneCandidatePlanIsReadAndUsedWhenItsKeyIsTheFullKey() throws Exception {
        PlanKey key = storePlan(H200, "10.6.0", new byte[] {1, 2, 3, 4});
        CountDownLatch release = new CountDownLatch(1);
        TensorRtPrestart prestart = TensorRtPrestart.start(settings(), () -> model(SHA.toUpperCase(java.util.Locale.ROOT)),
                heldProbe(release, h200()), Optional.empty());
        StartPhases phases = new StartPhases("x");
        // the read-ahead finishes while the probe is still held
        Optional<java.nio.ByteBuffer> plan = prestart.plan(key, phases);
        release.countDown();
        assertTrue(plan.isPresent());
        byte[] bytes = new byte[plan.get().remaining()];
        plan.get().duplicate().get(bytes);
        assertEquals(List.of((byte) 1, (byte) 2, (byte) 3, (byte) 4), List.of(bytes[0], bytes[1], bytes[2], bytes[3]));
        assertTrue(phases.seconds(StartPhases.Phase.PLAN_READ).isPresent());
        assertTrue(phases.waited(StartPhases.Phase.PLAN_READ).isPresent(), "recorded as a background phase");
        assertTrue(prestart.probe(phases).available());
    }

    @Test
    void aCandidateForAnotherGpuIsReadButNotUsed() throws Exception {
        // only a T4 plan on the volume, and the driver lists no single model: the T4 plan is the one candidate
        storePlan(T4, "10.6.0", new byte[] {9});
        CountDownLatch release = new CountDownLatch(1);
        TensorRtPrestart prestart = TensorRtPrestart.start(settings(), () -> model(SHA), heldProbe(release, h200()),
                Optional.empty());
        StartPhases phases = new StartPhases("x");
        PlanKey h200Key = settings().planKey(SHA, "10.6.0", H200);
        assertTrue(prestart.plan(h200Key, phases).isEmpty(), "a T4 plan served on an H200");
        assertTrue(phases.seconds(StartPhases.Phase.PLAN_READ).isEmpty(), "the factory reads (and records) itself");
        release.countDown();
    }

    @Test
    void aProbeThatAnsweredFirstGivesTheFullKeyEvenAmongSeveralPlans() throws Exception {
        storePlan(T4, "10.6.0", new byte[] {7});
        PlanKey key = storePlan(H200, "10.6.0", new byte[] {8});
        CountDownLatch modelResolved = new CountDownLatch(1);
        CountDownLatch probed = new CountDownLatch(1);
        TensorRtPrestart prestart = TensorRtPrestart.start(settings(), () -> {
            try {
                // the model is resolved after the probe has answered
                assertTrue(modelResolved.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return model(SHA);
        }, device -> {
            probed.countDown();
            return h200();
        }, Optional.empty());
        assertTrue(probed.await(10, TimeUnit.SECONDS));
        StartPhases phases = new StartPhases("x");
        prestart.probe(phases);
        modelResolved.countDown();
        Optional<java.nio.ByteBuffer> plan = prestart.plan(key, phases);
        assertTrue(plan.isPresent());
        assertEquals(8, plan.get().get(0));
    }

    @Test
    void severalCandidatesAndNoHintMeanNoReadAhead() throws Exception {
        storePlan(T4, "10.6.0", new byte[] {7});
        PlanKey key = storePlan(H200, "10.6.0", new byte[] {8});
        CountDownLatch release = new CountDownLatch(1);
        TensorRtPrestart prestart = TensorRtPrestart.start(settings(), () -> model(SHA), heldProbe(release, h200()),
                Optional.empty());
        assertTrue(prestart.plan(key, new StartPhases("x")).isEmpty());
        release.countDown();

        // with the driver's model name the H200 plan is found
        CountDownLatch again = new CountDownLatch(1);
        TensorRtPrestart hinted = TensorRtPrestart.start(settings(), () -> model(SHA), heldProbe(again, h200()),
                Optional.of("NVIDIA H200"));
        assertTrue(hinted.plan(key, new StartPhases("x")).isPresent());
        again.countDown();
    }

    @Test
    void aCorruptCandidateOrAnUnresolvedModelMeanNoReadAheadAndNoFailure() throws Exception {
        PlanKey key = storePlan(H200, "10.6.0", new byte[] {1, 2, 3});
        java.nio.file.Path file = new PlanCache(dir).planPath(key);
        byte[] content = java.nio.file.Files.readAllBytes(file);
        content[content.length - 1] ^= 1;
        java.nio.file.Files.write(file, content);
        CountDownLatch release = new CountDownLatch(1);
        TensorRtPrestart corrupt = TensorRtPrestart.start(settings(), () -> model(SHA), heldProbe(release, h200()),
                Optional.empty());
        assertTrue(corrupt.plan(key, new StartPhases("x")).isEmpty());

        TensorRtPrestart unresolved = TensorRtPrestart.start(settings(), () -> {
            throw new IllegalStateException("no model at lama.model.path");
        }, heldProbe(release, h200()), Optional.empty());
        assertTrue(unresolved.plan(key, new StartPhases("x")).isEmpty());
        release.countDown();
    }

    @Test
    void noEngineDirectoryMeansNoReadAhead() {
        TensorRtSettings missing = new TensorRtSettings(dir.resolve("missing"), settings().shapes(), 2, Precision.FP16,
                Fp16Pinning.FOURIER, 3, 0, 4096, true, 0);
        CountDownLatch release = new CountDownLatch(1);
        TensorRtPrestart prestart = TensorRtPrestart.start(missing, () -> model(SHA), heldProbe(release, h200()),
                Optional.empty());
        assertTrue(prestart.plan(missing.planKey(SHA, "10.6.0", H200), new StartPhases("x")).isEmpty());
        release.countDown();
    }
}
