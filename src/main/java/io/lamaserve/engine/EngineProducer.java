package io.lamaserve.engine;

import io.lamaserve.config.LamaConfig;
import io.lamaserve.engine.onnxruntime.OnnxRuntimeEngine;
import io.lamaserve.engine.tensorrt.StartPhases;
import io.lamaserve.engine.tensorrt.TensorRtEngineFactory;
import io.lamaserve.engine.tensorrt.TensorRtProbe;
import io.lamaserve.engine.tensorrt.TensorRtSettings;
import io.lamaserve.lifecycle.StartupPhase;
import io.lamaserve.lifecycle.StartupTimeline;
import io.lamaserve.model.ModelProvisioner;
import io.lamaserve.model.ResolvedModel;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;


/**
 * Creates the one {@link InpaintEngine} of the process at startup, the runtime {@code lama.engine} selects inside a
 * {@link GuardedEngine}, and closes it at shutdown.
 */
@ApplicationScoped
public class EngineProducer {

    private static final Logger LOG = Logger.getLogger(EngineProducer.class);

    @Produces
    @Singleton
    @Startup
    InpaintEngine engine(LamaConfig config, ModelProvisioner provisioner, StartupTimeline timeline,
                         MeterRegistry registry, EarlyEngineStart early) throws EngineException {
        ResolvedModel model = provisioner.resolve();
        timeline.mark(StartupPhase.MODEL_RESOLVED, model.source());
        Opened opened = switch (config.engine()) {
            case ONNXRUNTIME -> onnxRuntime(config, model, "lama.engine=onnxruntime", early);
            case TENSORRT -> tensorRt(config, model, early, registry);
            case AUTO -> auto(config, model, early, registry);
        };
        timeline.mark(StartupPhase.ENGINE_LOADED, opened.runner().name());
        return new GuardedEngine(opened.runner(), new BatchPhases(registry), opened.earlyWarmUp());
    }

    /** The runtime, and the warm-up it already runs when it was opened early (null when it was not). */
    private record Opened(ModelRunner runner, CompletableFuture<Void> earlyWarmUp) {
    }

    /** TensorRT when the probe finds a GPU and the libraries and the engine comes up; else ONNX Runtime, saying why in one line. */
    private Opened auto(LamaConfig config, ResolvedModel model, EarlyEngineStart early, MeterRegistry registry)
            throws EngineException {
        TensorRtProbe.Result probe = early.tensorRtProbe();
        if (!probe.available()) {
            return onnxRuntime(config, model, "lama.engine=auto; " + probe.reason(), early);
        }
        try {
            Opened tensorRt = tensorRt(config, model, early, registry);
            // a session the CPU path opened early (no NVIDIA device files, yet CUDA found a GPU) is not needed
            early.discardOnnxRuntime();
            return tensorRt;
        } catch (EngineException | RuntimeException e) {
            return onnxRuntime(config, model, "lama.engine=auto; TensorRT failed: " + e.getMessage(), early);
        }
    }

    /**
     * Takes the TensorRT engine {@link EarlyEngineStart} brought up while Quarkus booted, or brings it up now, joining
     * whatever of its work began early.
     */
    private Opened tensorRt(LamaConfig config, ResolvedModel model, EarlyEngineStart early, MeterRegistry registry)
            throws EngineException {
        long waitStarted = System.nanoTime();
        Optional<EarlyEngineStart.ClaimedTensorRt> claimed = early.claimTensorRt(model.file());
        TensorRtEngineFactory.Startup startup;
        CompletableFuture<Void> earlyWarmUp = null;
        if (claimed.isPresent()) {
            startup = claimed.get().startup();
            earlyWarmUp = claimed.get().warmedUp();
            StartPhases phases = startup.phases().openedEarly(StartPhases.since(waitStarted));
            if (phases.claimLog()) {
                LOG.info(phases.line());
            }
        } else {
            TensorRtProbe.Result probe = early.tensorRtProbe();
            if (!probe.available()) {
                throw unavailable(probe);
            }
            startup = new TensorRtEngineFactory(TensorRtSettings.from(config.tensorrt()))
                    .create(model.file(), model.sha256(), early.tensorRt());
        }
        startup.phases().registerGauges(registry);
        LOG.infof("engine: TensorRT %s (ready in %.1f s, %s%s)", startup.engine().name(), startup.readySeconds(),
                startup.loadedFromCache() ? "cached plan" : "built; optimized engine "
                        + (startup.optimized().isDone() ? "served" : "building in the background"),
                claimed.isPresent() ? "; started while the service booted" : "");
        return new Opened(startup.engine(), earlyWarmUp);
    }

    /** Why lama.engine=tensorrt cannot start here, in one sentence (the probe's innermost cause). */
    static EngineException unavailable(TensorRtProbe.Result probe) {
        return new EngineException("lama.engine=tensorrt, but TensorRT cannot run here: " + probe.reason()
                + " (lama.engine=auto falls back to ONNX Runtime on the CPU)");
    }

    /** Takes the session {@link EarlyEngineStart} opened while Quarkus booted, or opens it now. */
    private Opened onnxRuntime(LamaConfig config, ResolvedModel model, String why, EarlyEngineStart early)
            throws EngineException {
        Optional<EarlyEngineStart.ClaimedRunner> claimed = early.claimOnnxRuntime(model.file());
        if (claimed.isPresent()) {
            LOG.infof("engine: ONNX Runtime on the CPU (%s; session opened and warmed up early)", why);
            return new Opened(claimed.get().runner(), claimed.get().warmedUp());
        }
        LOG.infof("engine: ONNX Runtime on the CPU (%s)", why);
        return new Opened(OnnxRuntimeEngine.open(model.file(), config.onnxruntime().threads(),
                config.onnxruntime().maxBatch(), config.onnxruntime().spinWait()), null);
    }

    /** Runs after the scheduler stopped its executors (on the shutdown event), so no batch is on the engine. */
    void close(@Disposes InpaintEngine engine) {
        engine.close();
    }
}
