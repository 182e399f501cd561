package io.lamaserve.lifecycle;

import io.lamaserve.config.LamaConfig;
import io.lamaserve.engine.EngineException;
import io.lamaserve.engine.tensorrt.PlanKey;
import io.lamaserve.engine.tensorrt.PlanPreparer;
import io.lamaserve.engine.tensorrt.TensorRtProbe;
import io.lamaserve.engine.tensorrt.TensorRtSettings;
import io.lamaserve.model.ModelProvisioner;
import io.lamaserve.model.ModelSettings;
import io.lamaserve.model.ResolvedModel;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The build-engine mode: builds the TensorRT plan that the service would build for the GPU it runs on, into the
 * engine directory, and exits. A Kubernetes Job or init container runs it on each GPU type before the service
 * takes traffic, so no pod builds an engine on the request path.
 *
 * <p>A main of its own in the service's jar rather than a mode of the Quarkus application: started as the
 * application, every startup bean would run first (the HTTP server, the engine itself with its quick build, the
 * batcher's warm-up), which is exactly the work this command exists to take off the pods. It reads the same
 * {@code lama.*} settings ({@code LAMA_*} environment variables, {@code -Dlama...} properties) through the same
 * {@link LamaConfig} mapping, and derives the plan key the way the service does, so the plan it leaves is the one
 * a pod with those settings loads. Settings in {@code application.properties} files are not read: the jar's own holds
 * no {@code lama.*} values outside the test profile, and deployments set the engine through the environment.
 *
 * <p>Exit status: 0 the plan is in place (built now or already there), 1 the model or the build failed,
 * 2 wrong arguments, 3 TensorRT cannot run here.
 */
public final class BuildEngineCommand {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int NO_TENSORRT = 3;

    private static final String USAGE_TEXT = """
            Usage: %s [--help]
            (run in the application directory: target/quarkus-app, or /deployments in the container image)
            Builds the TensorRT engine for this GPU into lama.tensorrt.engine-dir and exits; does nothing when a valid
            engine for the same plan key is already there. Settings are the service's: LAMA_MODEL_*, LAMA_TENSORRT_*
            environment variables or -Dlama.* properties.
            Exit status: 0 engine in place, 1 model or build failed, 2 wrong arguments, 3 TensorRT not available.
            """.formatted(PlanPreparer.COMMAND);

    private final PrintStream out;
    private final PrintStream err;
    private final IntFunction<TensorRtProbe.Result> probe;
    private final Map<String, String> overrides;

    BuildEngineCommand(PrintStream out, PrintStream err, IntFunction<TensorRtProbe.Result> probe,
                       Map<String, String> overrides) {
        this.out = out;
        this.err = err;
        this.probe = probe;
        this.overrides = overrides;
    }

    public static void main(String[] args) {
        // the JBoss log manager (Quarkus' format and levels) must be chosen before anything logs; the service's
        // launcher does this itself, a plain main has to
        System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
        System.exit(new BuildEngineCommand(System.out, System.err, TensorRtProbe::probe, Map.of()).run(args));
    }

    int run(String... args) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.print(USAGE_TEXT);
            return OK;
        }
        if (args.length > 0) {
            err.println("build-engine takes no arguments (settings come from LAMA_* variables), got: "
                    + String.join(" ", args));
            err.print(USAGE_TEXT);
            return USAGE;
        }
        LamaConfig config;
        TensorRtSettings settings;
        try {
            config = readConfig();
            settings = TensorRtSettings.from(config.tensorrt());
        } catch (RuntimeException e) {
            err.println("build-engine: invalid configuration: " + e.getMessage());
            return USAGE;
        }

        TensorRtProbe.Result gpu = probe.apply(settings.device());
        if (!gpu.available()) {
            err.println("build-engine: TensorRT is not available on this machine, so no engine can be built here: "
                    + gpu.reason());
            return NO_TENSORRT;
        }
        out.printf("build-engine: TensorRT %s on %s; engine directory %s%n", gpu.tensorRtVersion(),
                gpu.gpu().orElseThrow(), settings.engineDir().toAbsolutePath());
        try {
            ResolvedModel model = new ModelProvisioner(ModelSettings.of(config.model())).resolve();
            out.printf("build-engine: model %s (sha256 %s)%n", model.file(), model.sha256());
            // the same per-model resolution the service makes (auto pinning), so the key is the one a pod asks for
            PlanKey key = settings.forModel(model.file())
                    .planKey(model.sha256(), gpu.tensorRtVersion(), gpu.gpu().orElseThrow());
            out.printf("build-engine: plan key %s%n", key.canonical());
            out.printf("build-engine: looking for %s%n", key.fileName());
            PlanPreparer.Outcome outcome = PlanPreparer.onThisGpu(settings).prepare(model.file(), key);
            if (!outcome.built()) {
                out.printf("build-engine: up to date, nothing to build: %s%n", outcome.file());
                return OK;
            }
            out.printf(Locale.ROOT, "build-engine: built %s in %.1f s%n", outcome.file(), outcome.seconds());
            if (!outcome.servesRequestedKey()) {
                // the pod asks for the requested key and would build it again: the settings must change, not the pod
                err.printf("build-engine: the GPU ran out of memory for max batch %d; built max batch %d instead. "
                                + "Set LAMA_TENSORRT_MAX_BATCH=%d (and LAMA_TENSORRT_BATCH_SIZES to match) on the "
                                + "service, or it will not find this engine%n", key.maxBatch(),
                        outcome.stored().maxBatch(), outcome.stored().maxBatch());
                return FAILED;
            }
            return OK;
        } catch (EngineException | IOException | RuntimeException e) {
            err.println("build-engine: failed: " + e.getMessage());
            return FAILED;
        }
    }

    /** The service's configuration from environment and system properties, plus the overrides tests pass. */
    private LamaConfig readConfig() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .addDefaultSources()
                .withSources(new PropertiesConfigSource(overrides, "build-engine overrides", 1000))
                // durations are written as the service reads them ("30s"), which is Quarkus' format, not Java's
                .withConverter(Duration.class, 200, new DurationConverter())
                .withMapping(LamaConfig.class)
                .build();
        return config.getConfigMapping(LamaConfig.class);
    }
}
