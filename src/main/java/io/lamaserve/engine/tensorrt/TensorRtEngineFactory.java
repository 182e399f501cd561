package io.lamaserve.engine.tensorrt;

import io.lamaserve.config.LamaConfig;
import io.lamaserve.engine.EngineException;
import io.lamaserve.engine.ModelRunner;
import io.lamaserve.engine.SwappableEngine;
import org.bytedeco.javacpp.BytePointer;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Brings a TensorRT engine up at startup. A cached plan for the exact key is loaded. Without one, and with a
 * quick optimization level configured, a quickly built engine serves first while the optimized one builds in the
 * background and is swapped in when ready; both are cached. Every build goes through the shared timing cache.
 */
public final class TensorRtEngineFactory {

    private static final Logger LOG = Logger.getLogger(TensorRtEngineFactory.class);

    /**
     * What startup did, for logs and the benchmark.
     *
     * @param engine        the engine to serve with
     * @param finalKey      the key of the optimized engine
     * @param readySeconds  from the start of {@link #create} until {@code engine} could serve
     * @param quickBuildSeconds build time of the quick engine, or -1 when none was built
     * @param finalBuildSeconds build time of the optimized engine when built in the foreground, or -1
     * @param loadedFromCache whether the served engine came from the plan cache
     * @param optimized     completes when the optimized engine serves (at once when it already does); carries its
     *                      build time in seconds, or -1 when it came from the cache
     * @param phases        the sub-phases of bringing up the engine that serves first (probe, plan read or build,
     *                      deserialization, contexts; the warm-up once every slot ran its first batch)
     */
    public record Startup(ModelRunner engine, PlanKey finalKey, double readySeconds, double quickBuildSeconds,
                          double finalBuildSeconds, boolean loadedFromCache, CompletableFuture<Double> optimized,
                          StartPhases phases) {
    }

    private final TensorRtSettings settings;
    private final TrtLogger logger = new TrtLogger();
    private final PlanCache cache;

    public TensorRtEngineFactory(TensorRtSettings settings) {
        this.settings = settings;
        this.cache = new PlanCache(settings.engineDir());
    }

    /** @throws EngineException when TensorRT is unavailable or no engine could be built or loaded */
    public Startup create(Path onnx) throws EngineException {
        return create(onnx, null);
    }

    /**
     * Like {@link #create(Path)} when the model's SHA-256 is already known (the model provisioner checked it).
     *
     * @param knownSha256 hex SHA-256 of {@code onnx}, or null to compute it
     */
    public Startup create(Path onnx, String knownSha256) throws EngineException {
        return create(onnx, knownSha256, null);
    }

    /**
     * Like {@link #create(Path, String)}, joining the work {@code prestart} began earlier (the probe and the plan
     * read-ahead).
     *
     * @param prestart started before, with the same settings and model; null to start it here
     */
    public Startup create(Path onnx, String knownSha256, TensorRtPrestart prestart) throws EngineException {
        long started = System.nanoTime();
        StartPhases phases = new StartPhases("TensorRT");
        CompletableFuture<TensorRtPrestart.Model> model = new CompletableFuture<>();
        if (prestart == null) {
            prestart = TensorRtPrestart.start(settings, model::join);
        }
        // the model is read while the probe runs
        String sha;
        Map<String, String> metadata;
        try {
            sha = knownSha256 != null ? knownSha256.toLowerCase(java.util.Locale.ROOT) : Digests.sha256Hex(onnx);
            model.complete(new TensorRtPrestart.Model(onnx, sha));
            metadata = OnnxMetadata.read(onnx);
        } catch (IOException | IllegalArgumentException e) {
            model.completeExceptionally(e);
            throw new EngineException("cannot read the model " + onnx + ": " + e.getMessage(), e);
        }
        TensorRtProbe.Result probe = prestart.probe(phases);
        if (!probe.available()) {
            throw new EngineException("TensorRT is not available: " + probe.reason());
        }
        GpuInfo gpu = probe.gpu().orElseThrow();
        // only the key depends on the pinning; auto resolves to what this model's export allows
        TensorRtSettings forModel = settings.forModel(metadata);
        PlanKey finalKey = forModel.planKey(sha, probe.tensorRtVersion(), gpu);
        if (forModel.fp16Pinning() != settings.fp16Pinning()) {
            LOG.infof("fp16 pinning auto: %s (%s)", forModel.fp16Pinning().name().toLowerCase(java.util.Locale.ROOT),
                    forModel.fp16Pinning() == LamaConfig.TensorRtConfig.Fp16Pinning.NONE
                            ? "the model's spectrum is scaled, its Fourier units stay within fp16's range"
                            : "the Fourier units stay in fp32; export with lama-export --scale-spectrum to lift it");
        }
        LOG.infof("TensorRT %s on %s; engine cache %s", probe.tensorRtVersion(), gpu, cache.directory().toAbsolutePath());

        Optional<TensorRtEngine> cached = loadCached(finalKey, metadata, phases, prestart.plan(finalKey, phases));
        if (cached.isPresent()) {
            return new Startup(cached.get(), finalKey, seconds(started), -1, -1, true,
                    CompletableFuture.completedFuture(-1.0), phases);
        }
        LOG.warn(PlanPreparer.slowPathWarning(finalKey, cache.directory()));
        if (!settings.buildsQuickFirst()) {
            EngineAndTime built = buildAndOpen(onnx, finalKey, metadata, phases);
            return new Startup(built.engine, finalKey, seconds(started), -1, built.seconds, false,
                    CompletableFuture.completedFuture(built.seconds), phases);
        }

        PlanKey quickKey = finalKey.withOptimizationLevel(settings.quickLevel());
        Optional<TensorRtEngine> quickCached = loadCached(quickKey, metadata, phases, Optional.empty());
        double quickSeconds = -1;
        TensorRtEngine quick;
        if (quickCached.isPresent()) {
            quick = quickCached.get();
        } else {
            EngineAndTime built = buildAndOpen(onnx, quickKey, metadata, phases);
            quick = built.engine;
            quickSeconds = built.seconds;
        }
        SwappableEngine serving = new SwappableEngine(quick);
        double ready = seconds(started);
        LOG.infof("ready on the quick engine (level %d) after %.1f s; building the level-%d engine in the background",
                settings.quickLevel(), ready, settings.optimizationLevel());
        CompletableFuture<Double> optimized = new CompletableFuture<>();
        Thread background = new Thread(() -> {
            try {
                EngineAndTime built = buildAndOpen(onnx, finalKey, metadata, new StartPhases("TensorRT"));
                if (serving.swap(built.engine)) {
                    optimized.complete(built.seconds);
                } else {
                    optimized.completeExceptionally(new EngineException("optimized engine was not swapped in"));
                }
            } catch (EngineException | RuntimeException e) {
                LOG.errorf("building the optimized engine failed (%s); staying on the quick engine", e.getMessage());
                optimized.completeExceptionally(e);
            }
        }, "tensorrt-optimized-build");
        background.setDaemon(true);
        background.start();
        return new Startup(serving, finalKey, ready, quickSeconds, -1, false, optimized, phases);
    }

    private record EngineAndTime(TensorRtEngine engine, double seconds) {
    }

    private EngineAndTime buildAndOpen(Path onnx, PlanKey key, Map<String, String> metadata, StartPhases phases)
            throws EngineException {
        EngineBuilder builder = new EngineBuilder(logger, cache, settings.workspaceMib());
        try (EngineBuilder.Built built = builder.build(onnx, key)) {
            phases.record(StartPhases.Phase.BUILD, built.seconds);
            ByteBuffer bytes = built.bytes();
            try {
                cache.storePlan(built.key, bytes);
                LOG.infof("cached engine as %s", cache.planPath(built.key));
            } catch (IOException e) {
                LOG.warnf("could not cache the engine in %s: %s", cache.directory(), e.getMessage());
            }
            try (BytePointer plan = new BytePointer(bytes)) {
                TensorRtEngine engine = TensorRtEngine.open(engineName(built.key), hardwareOf(built.key), plan, bytes.remaining(), logger,
                        settings.device(), settings.contexts(), settings.cudaGraphs(), metadata, phases);
                return new EngineAndTime(engine, built.seconds);
            }
        }
    }

    /**
     * @param readAhead the plan for {@code key}, already read and verified in the background; when empty, the plan is
     *                  read here
     */
    private Optional<TensorRtEngine> loadCached(PlanKey key, Map<String, String> metadata, StartPhases phases,
                                                Optional<ByteBuffer> readAhead) {
        long started = System.nanoTime();
        Optional<ByteBuffer> plan = readAhead;
        if (plan.isEmpty()) {
            plan = cache.loadPlan(key);
            phases.record(StartPhases.Phase.PLAN_READ, StartPhases.since(started));
        }
        if (plan.isEmpty()) {
            return Optional.empty();
        }
        ByteBuffer bytes = plan.get();
        try (BytePointer pointer = new BytePointer(bytes)) {
            TensorRtEngine engine = TensorRtEngine.open(engineName(key), hardwareOf(key), pointer, bytes.remaining(), logger,
                    settings.device(), settings.contexts(), settings.cudaGraphs(), metadata, phases);
            LOG.infof("loaded cached engine %s in %.1f s", key.fileName(), seconds(started));
            return Optional.of(engine);
        } catch (EngineException e) {
            cache.discardPlan(key, e.getMessage());
            return Optional.empty();
        }
    }

    private static String hardwareOf(PlanKey key) {
        return key.gpuName() + " sm" + key.computeCapability();
    }

    private static String engineName(PlanKey key) {
        return "tensorrt-" + key.precision() + "-o" + key.optimizationLevel();
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }
}
