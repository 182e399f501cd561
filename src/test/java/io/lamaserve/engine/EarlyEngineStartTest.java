package io.lamaserve.engine;

import io.lamaserve.config.LamaConfig;
import io.lamaserve.config.TestConfig;
import io.lamaserve.engine.tensorrt.StartPhases;
import io.lamaserve.engine.tensorrt.TensorRtEngineFactory;
import io.lamaserve.model.ModelProvisioner;
import io.lamaserve.tile.Tile;
import io.lamaserve.tile.TileBatch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.vertx.VertxOptionsCustomizer;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EarlyEngineStartTest {

    @TempDir
    Path root;

    private GpuDevices withGpu() throws Exception {
        Files.createDirectories(root.resolve("gpu/dev"));
        if (!Files.exists(root.resolve("gpu/dev/nvidiactl"))) {
            Files.createFile(root.resolve("gpu/dev/nvidiactl"));
        }
        return new GpuDevices(root.resolve("gpu"), true);
    }

    private GpuDevices withoutGpu() throws Exception {
        Files.createDirectories(root.resolve("cpu/dev"));
        return new GpuDevices(root.resolve("cpu"), true);
    }

    @Test
    void theConfiguredEngineDecidesAndAutoFollowsTheDeviceFiles() throws Exception {
        assertEquals(EarlyEngineStart.EarlyWork.TENSORRT, EarlyEngineStart.workFor(LamaConfig.EngineKind.TENSORRT, withoutGpu()));
        assertEquals(EarlyEngineStart.EarlyWork.ONNXRUNTIME, EarlyEngineStart.workFor(LamaConfig.EngineKind.ONNXRUNTIME, withGpu()));
        assertEquals(EarlyEngineStart.EarlyWork.TENSORRT, EarlyEngineStart.workFor(LamaConfig.EngineKind.AUTO, withGpu()));
        assertEquals(EarlyEngineStart.EarlyWork.ONNXRUNTIME, EarlyEngineStart.workFor(LamaConfig.EngineKind.AUTO, withoutGpu()));
    }

    /**
     * The hook on the CPU path, in a class loader of its own that records every lama-serve engine class it is
     * asked for: no TensorRT class (and so no JavaCPP or CUDA class) may be among them.
     */
    @Test
    void onTheCpuTheHookLoadsNoTensorRtClass() throws Throwable {
        for (Map<String, String> settings : List.of(Map.of("lama.engine", "onnxruntime"), Map.of("lama.engine", "auto"))) {
            Set<String> requested = ConcurrentHashMap.newKeySet();
            try (RecordingLoader loader = new RecordingLoader(requested)) {
                Class<?> devicesClass = loader.loadClass(GpuDevices.class.getName());
                Constructor<?> devices = devicesClass.getDeclaredConstructor(Path.class, boolean.class);
                devices.setAccessible(true);
                // initialized, so linked and verified as the JVM does it, not looked at by reflection (which would
                // load the types of every method's signature)
                Class<?> hook = Class.forName(EarlyEngineStart.class.getName(), true, loader);
                Constructor<?> constructor = hook.getDeclaredConstructor(LamaConfig.class, ModelProvisioner.class,
                        devicesClass);
                constructor.setAccessible(true);
                LamaConfig config = TestConfig.with(with(settings));
                Object early = constructor.newInstance(config, new ModelProvisioner(config),
                        devices.newInstance(Files.createDirectories(root.resolve("no-gpu/dev")).getParent(), true));
                ((VertxOptionsCustomizer) early).accept(new VertxOptions());
                // the producer is verified too; on the CPU it runs ONNX Runtime only
                Class.forName(EngineProducer.class.getName(), true, loader);
                // the session it opened early, taken over and closed before the loader closes (the method is found
                // by name only: reflection would load every signature)
                Optional<?> claimed = (Optional<?>) MethodHandles.publicLookup().findVirtual(hook, "claimOnnxRuntime",
                        MethodType.methodType(Optional.class, Path.class)).invoke(early,
                        new ModelProvisioner(TestConfig.with(with(settings))).resolve().file());
                Object runner = claimed.orElseThrow().getClass().getMethod("runner").invoke(claimed.get());
                ((AutoCloseable) runner).close();
            }
            assertTrue(requested.contains(EarlyEngineStart.class.getName()), "the loader did not load the hook");
            List<String> tensorRt = requested.stream().filter(name -> name.contains(".tensorrt.")).sorted().toList();
            assertEquals(List.of(), tensorRt, "TensorRT classes loaded on the CPU path with " + settings);
        }
    }

    private static final Map<String, String> CPU = Map.of("lama.engine", "onnxruntime",
            "lama.model.path", "src/test/resources/models/lama-fixture.onnx", "lama.onnxruntime.threads", "1");

    @Test
    void onTheCpuTheSessionOpensAndWarmsUpEarlyAndTheProducerTakesIt() throws Exception {
        LamaConfig config = TestConfig.with(CPU);
        ModelProvisioner provisioner = new ModelProvisioner(config);
        EarlyEngineStart early = new EarlyEngineStart(config, provisioner, withoutGpu());
        early.accept(new VertxOptions());
        early.accept(new VertxOptions());

        Optional<EarlyEngineStart.ClaimedRunner> claimed = early.claimOnnxRuntime(provisioner.resolve().file());
        assertTrue(claimed.isPresent());
        try (ModelRunner runner = claimed.get().runner()) {
            claimed.get().warmedUp().get(60, TimeUnit.SECONDS);
            assertEquals("onnxruntime-cpu", runner.name());
            assertTrue(early.claimOnnxRuntime(provisioner.resolve().file()).isEmpty(), "handed over twice");
            // the producer's engine: the batcher's warm-up waits for the early one instead of running again
            GuardedEngine engine = new GuardedEngine(runner, new BatchPhases(new SimpleMeterRegistry()),
                    claimed.get().warmedUp());
            assertTrue(engine.earlyWarmUp().orElseThrow().isDone());
            TileBatch batch = new TileBatch(List.of(Tile.allocate(runner.tileSize())));
            engine.infer(0, batch);
        }
        early.discardOnnxRuntime();
    }

    @Test
    void aSessionThatDidNotOpenEarlyIsOpenedByTheProducerWhichReportsWhy() throws Exception {
        Map<String, String> missing = new java.util.HashMap<>(CPU);
        missing.put("lama.model.path", root.resolve("missing.onnx").toString());
        LamaConfig config = TestConfig.with(missing);
        EarlyEngineStart early = new EarlyEngineStart(config, new ModelProvisioner(config), withoutGpu());
        early.accept(new VertxOptions());
        assertTrue(early.claimOnnxRuntime(root.resolve("missing.onnx")).isEmpty());
    }

    @Test
    void aSessionForAnotherFileOrNobodyIsNotHandedOver() throws Exception {
        LamaConfig config = TestConfig.with(CPU);
        EarlyEngineStart early = new EarlyEngineStart(config, new ModelProvisioner(config), withoutGpu());
        early.accept(new VertxOptions());
        assertTrue(early.claimOnnxRuntime(root.resolve("other.onnx")).isEmpty());

        EarlyEngineStart unclaimed = new EarlyEngineStart(config, new ModelProvisioner(config), withoutGpu());
        unclaimed.accept(new VertxOptions());
        unclaimed.discardOnnxRuntime();
        assertTrue(unclaimed.claimOnnxRuntime(new ModelProvisioner(config).resolve().file()).isEmpty());
    }

    @Test
    void theEarlyWarmUpRunsABatchOfOneOnEverySlot() throws Exception {
        FakeEngine runner = FakeEngine.builder().parallelism(3).build();
        EarlyOpening.warmUp(runner);
        assertEquals(List.of(0, 1, 2), runner.calls().stream().map(FakeEngine.Call::slot).toList());
        assertEquals(List.of(1, 1, 1), runner.calls().stream().map(FakeEngine.Call::size).toList());
    }

    private static final Map<String, String> GPU = Map.of("lama.engine", "tensorrt",
            "lama.model.path", "src/test/resources/models/lama-fixture.onnx");

    /** An engine start as the factory reports it, over {@code runner}. */
    private static TensorRtEngineFactory.Startup startOf(FakeEngine runner) {
        return new TensorRtEngineFactory.Startup(runner, null, 0.4, -1, -1, true,
                CompletableFuture.completedFuture(-1.0), new StartPhases("fake")
                        .recordBackground(StartPhases.Phase.PROBE, 0.3, 0.3).record(StartPhases.Phase.DESERIALIZE, 0.1));
    }

    @Test
    void onTheGpuTheEngineStartsAndWarmsUpEarlyAndTheProducerTakesIt() throws Exception {
        LamaConfig config = TestConfig.with(GPU);
        ModelProvisioner provisioner = new ModelProvisioner(config);
        FakeEngine runner = FakeEngine.builder().parallelism(2).build();
        List<Path> opened = new java.util.concurrent.CopyOnWriteArrayList<>();
        EarlyEngineStart early = new EarlyEngineStart(config, provisioner, withoutGpu(), (model, sha256, prestart) -> {
            assertEquals(provisioner.resolve().sha256(), sha256);
            assertNotNull(prestart, "the probe and the plan read-ahead are joined, not started again");
            opened.add(model);
            return startOf(runner);
        });
        early.accept(new VertxOptions());
        early.accept(new VertxOptions());

        EarlyEngineStart.ClaimedTensorRt claimed = early.claimTensorRt(provisioner.resolve().file()).orElseThrow();
        claimed.warmedUp().get(30, TimeUnit.SECONDS);
        assertSame(runner, claimed.startup().engine());
        assertEquals(List.of(provisioner.resolve().file()), opened, "started once");
        // the warm-up the batcher then waits for: a batch of 1 on each slot
        assertEquals(List.of(0, 1), runner.calls().stream().map(FakeEngine.Call::slot).toList());
        assertTrue(early.claimTensorRt(provisioner.resolve().file()).isEmpty(), "handed over twice");
        early.discardUnclaimed();
        assertFalse(runner.closed(), "the producer owns what it took over");
    }

    @Test
    void aTensorRtStartThatFailedEarlyReportsItsErrorToTheProducer() throws Exception {
        LamaConfig config = TestConfig.with(GPU);
        ModelProvisioner provisioner = new ModelProvisioner(config);
        EarlyEngineStart early = new EarlyEngineStart(config, provisioner, withoutGpu(), (model, sha256, prestart) -> {
            throw new EngineException("TensorRT is not available: no GPU");
        });
        early.accept(new VertxOptions());
        EngineException failure = assertThrows(EngineException.class,
                () -> early.claimTensorRt(provisioner.resolve().file()));
        assertEquals("TensorRT is not available: no GPU", failure.getMessage());

        // anything else (not the engine's own failure) leaves the start to the producer, which reports it
        EarlyEngineStart broken = new EarlyEngineStart(config, provisioner, withoutGpu(), (model, sha256, prestart) -> {
            throw new IllegalStateException("bug");
        });
        broken.accept(new VertxOptions());
        assertTrue(broken.claimTensorRt(provisioner.resolve().file()).isEmpty());
    }

    /**
     * lama.engine=tensorrt where the libraries or the GPU are missing (this test machine): one sentence saying why,
     * not the NoClassDefFoundError of a TensorRT class whose static initializer failed.
     */
    @Test
    void withoutTensorRtTheStartSaysWhy() throws Exception {
        Assumptions.assumeFalse(io.lamaserve.engine.tensorrt.TensorRtProbe.probe(0).available(), "TensorRT runs here");
        LamaConfig config = TestConfig.with(GPU);
        ModelProvisioner provisioner = new ModelProvisioner(config);
        EarlyEngineStart early = new EarlyEngineStart(config, provisioner, withGpu());
        early.accept(new VertxOptions());
        EngineException failure = assertThrows(EngineException.class,
                () -> early.claimTensorRt(provisioner.resolve().file()));
        assertTrue(failure.getMessage().startsWith("lama.engine=tensorrt, but TensorRT cannot run here: "),
                failure.getMessage());
        assertTrue(failure.getMessage().contains(early.tensorRtProbe().reason()), failure.getMessage());
    }

    @Test
    void aTensorRtEngineForAnotherFileOrNobodyIsClosed() throws Exception {
        LamaConfig config = TestConfig.with(GPU);
        FakeEngine other = FakeEngine.builder().build();
        EarlyEngineStart early = new EarlyEngineStart(config, new ModelProvisioner(config), withoutGpu(),
                (model, sha256, prestart) -> startOf(other));
        early.accept(new VertxOptions());
        assertTrue(early.claimTensorRt(root.resolve("other.onnx")).isEmpty());
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(30), () -> {
            while (!other.closed()) {
                Thread.sleep(10);
            }
        });

        FakeEngine unclaimed = FakeEngine.builder().build();
        EarlyEngineStart nobody = new EarlyEngineStart(config, new ModelProvisioner(config), withoutGpu(),
                (model, sha256, prestart) -> startOf(unclaimed));
        nobody.accept(new VertxOptions());
        nobody.discardUnclaimed();
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(30), () -> {
            while (!unclaimed.closed()) {
                Thread.sleep(10);
            }
        });
    }

    /** The model settings of the test profile, so that whatever the CPU path opens early can open. */
    private static Map<String, String> with(Map<String, String> settings) {
        Map<String, String> all = new java.util.HashMap<>(settings);
        all.put("lama.model.path", "src/test/resources/models/lama-fixture.onnx");
        return all;
    }

    /** Defines the classes of io.lamaserve.engine and below itself (child first); the rest comes from the parent. */
    private static final class RecordingLoader extends URLClassLoader {
        private final Set<String> requested;

        RecordingLoader(Set<String> requested) {
            super(new URL[] {EarlyEngineStart.class.getProtectionDomain().getCodeSource().getLocation()},
                    EarlyEngineStartTest.class.getClassLoader());
            this.requested = requested;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith("io.lamaserve.engine.")) {
                return super.loadClass(name, resolve);
            }
            requested.add(name);
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded == null) {
                    loaded = findClass(name);
                }
                if (resolve) {
                    resolveClass(loaded);
                }
                return loaded;
            }
        }
    }
}
