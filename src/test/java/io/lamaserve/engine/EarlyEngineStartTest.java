package io.lamaserve.engine;

import io.lamaserve.config.LamaConfig;
import io.lamaserve.config.TestConfig;
import io.lamaserve.model.ModelProvisioner;
import io.quarkus.vertx.VertxOptionsCustomizer;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Constructor;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void onTheCpuTheHookLoadsNoTensorRtClass() throws Exception {
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
            }
            assertTrue(requested.contains(EarlyEngineStart.class.getName()), "the loader did not load the hook");
            List<String> tensorRt = requested.stream().filter(name -> name.contains(".tensorrt.")).sorted().toList();
            assertEquals(List.of(), tensorRt, "TensorRT classes loaded on the CPU path with " + settings);
        }
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
