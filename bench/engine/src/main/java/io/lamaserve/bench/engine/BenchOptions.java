package io.lamaserve.bench.engine;

import io.lamaserve.config.LamaConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.PathConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The offline benchmark's command line. Engine options are the service's {@code lama.tensorrt.*} settings under
 * short names; what is not given keeps the service's default, read from {@link LamaConfig} itself, so the benchmark
 * measures the engine the service would build. The rest says what to measure.
 *
 * @param onnx          the model ({@code --onnx}, required)
 * @param engineConfig  the service's configuration with the engine options applied
 * @param batches       batch sizes to time ({@code --batches}, default 1,2,4,8,16)
 * @param seconds       time per measurement ({@code --seconds}, default 3)
 * @param dumpDir       where inputs and outputs are dumped ({@code --dump}), or null for no dump
 * @param dumpBatches   batch sizes dumped ({@code --dump-batches}, default 1,8)
 * @param waitOptimized whether to wait for the optimized engine built in the background ({@code --wait-optimized})
 * @param alternate     sizes cycled on one context ({@code --alternate}), or null
 * @param profile       batch sizes whose per-layer times are reported ({@code --profile}), or null
 * @param profileRuns   runs averaged per profiled size ({@code --profile-runs}, default 20)
 */
record BenchOptions(Path onnx, LamaConfig engineConfig, int[] batches, double seconds, Path dumpDir,
                    int[] dumpBatches, boolean waitOptimized, int[] alternate, int[] profile, int profileRuns) {

    /** Benchmark option → the service's property it sets. */
    static final Map<String, String> ENGINE_OPTIONS = Map.ofEntries(
            Map.entry("engine-dir", "lama.tensorrt.engine-dir"),
            Map.entry("max-batch", "lama.tensorrt.max-batch"),
            Map.entry("batch-sizes", "lama.tensorrt.batch-sizes"),
            Map.entry("contexts", "lama.tensorrt.contexts"),
            Map.entry("precision", "lama.tensorrt.precision"),
            Map.entry("fp16-pinning", "lama.tensorrt.fp16-pinning"),
            Map.entry("level", "lama.tensorrt.optimization-level"),
            Map.entry("quick-level", "lama.tensorrt.quick-optimization-level"),
            Map.entry("workspace-mib", "lama.tensorrt.workspace-mib"),
            Map.entry("graphs", "lama.tensorrt.cuda-graphs"),
            Map.entry("device", "lama.tensorrt.device"));

    private static final Set<String> MEASUREMENT_OPTIONS = Set.of(
            "onnx", "batches", "seconds", "dump", "dump-batches", "wait-optimized", "alternate", "profile",
            "profile-runs");

    static BenchOptions parse(String[] args) {
        Map<String, String> given = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            String name = args[i].startsWith("--") ? args[i].substring(2) : null;
            if (name == null || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got " + String.join(" ", args));
            }
            if (!ENGINE_OPTIONS.containsKey(name) && !MEASUREMENT_OPTIONS.contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name + "; engine options: "
                        + ENGINE_OPTIONS.keySet() + ", measurement options: " + MEASUREMENT_OPTIONS);
            }
            given.put(name, args[i + 1]);
        }
        String onnx = given.get("onnx");
        if (onnx == null) {
            throw new IllegalArgumentException("--onnx is required");
        }
        Map<String, String> engine = new HashMap<>();
        given.forEach((name, value) -> {
            if (ENGINE_OPTIONS.containsKey(name)) {
                engine.put(ENGINE_OPTIONS.get(name), value);
            }
        });
        return new BenchOptions(Path.of(onnx), serviceConfig(engine),
                sizes(given.getOrDefault("batches", "1,2,4,8,16")),
                Double.parseDouble(given.getOrDefault("seconds", "3")),
                given.containsKey("dump") ? Path.of(given.get("dump")) : null,
                sizes(given.getOrDefault("dump-batches", "1,8")),
                Boolean.parseBoolean(given.getOrDefault("wait-optimized", "true")),
                given.containsKey("alternate") ? sizes(given.get("alternate")) : null,
                given.containsKey("profile") ? sizes(given.get("profile")) : null,
                Integer.parseInt(given.getOrDefault("profile-runs", "20")));
    }

    /** {@link LamaConfig} as the service would read it with only {@code properties} set. */
    static LamaConfig serviceConfig(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .withSources(new PropertiesConfigSource(Map.of("user.home", System.getProperty("user.home")),
                        "user.home", 100))
                .withSources(new PropertiesConfigSource(properties, "benchmark options", 500))
                // the converters Quarkus registers for the types LamaConfig uses
                .withConverter(Duration.class, 200, new DurationConverter())
                .withConverter(Path.class, 200, new PathConverter())
                .withMapping(LamaConfig.class)
                .build()
                .getConfigMapping(LamaConfig.class);
    }

    private static int[] sizes(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    }
}
