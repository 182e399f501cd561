package io.lamaserve.engine;

import io.lamaserve.config.LamaConfig;
import io.lamaserve.engine.onnxruntime.OnnxRuntimeEngine;
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
        ModelRunner runner = switch (config.engine()) {
            case ONNXRUNTIME -> onnxRuntime(config, model, "lama.engine=onnxruntime");
            case TENSORRT -> tensorRt(config, model, early);
            case AUTO -> auto(config, model, early);
        };
        timeline.mark(StartupPhase.ENGINE_LOADED, runner.name());
        return new GuardedEngine(runner, new BatchPhases(registry));
    }

    /** TensorRT when the probe finds a GPU and the libraries and the engine comes up; else ONNX Runtime, saying why in one line. */
    private ModelRunner auto(LamaConfig config, ResolvedModel model, EarlyEngineStart early) throws EngineException {
        TensorRtProbe.Result probe = early.tensorRtProbe();
        if (!probe.available()) {
            return onnxRuntime(config, model, "lama.engine=auto; " + probe.reason());
        }
        try {
            return tensorRt(config, model, early);
        } catch (EngineException | RuntimeException e) {
            return onnxRuntime(config, model, "lama.engine=auto; TensorRT failed: " + e.getMessage());
        }
    }

    /** Joins the TensorRT work {@link EarlyEngineStart} began while Quarkus booted (or begins it now). */
    private ModelRunner tensorRt(LamaConfig config, ResolvedModel model, EarlyEngineStart early) throws EngineException {
        TensorRtEngineFactory.Startup startup = new TensorRtEngineFactory(TensorRtSettings.from(config.tensorrt()))
                .create(model.file(), model.sha256(), early.tensorRt());
        LOG.infof("engine: TensorRT %s (ready in %.1f s, %s)", startup.engine().name(), startup.readySeconds(),
                startup.loadedFromCache() ? "cached plan" : "built; optimized engine "
                        + (startup.optimized().isDone() ? "served" : "building in the background"));
        return startup.engine();
    }

    private ModelRunner onnxRuntime(LamaConfig config, ResolvedModel model, String why) throws EngineException {
        LOG.infof("engine: ONNX Runtime on the CPU (%s)", why);
        return OnnxRuntimeEngine.open(model.file(), config.onnxruntime().threads(), config.onnxruntime().maxBatch(),
                config.onnxruntime().spinWait());
    }

    /** Runs after the scheduler stopped its executors (on the shutdown event), so no batch is on the engine. */
    void close(@Disposes InpaintEngine engine) {
        engine.close();
    }
}
