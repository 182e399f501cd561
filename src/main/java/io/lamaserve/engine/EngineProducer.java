package io.lamaserve.engine;

import io.lamaserve.config.LamaConfig;
import io.lamaserve.engine.onnxruntime.OnnxRuntimeEngine;
import io.lamaserve.lifecycle.StartupPhase;
import io.lamaserve.lifecycle.StartupTimeline;
import io.lamaserve.model.ModelProvisioner;
import io.lamaserve.model.ResolvedModel;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;


/** Creates the one {@link InpaintEngine} of the process at startup, as {@code lama.engine} selects, and closes it at shutdown. */
@ApplicationScoped
public class EngineProducer {

    private static final Logger LOG = Logger.getLogger(EngineProducer.class);

    @Produces
    @Singleton
    @Startup
    InpaintEngine engine(LamaConfig config, ModelProvisioner provisioner, StartupTimeline timeline) throws EngineException {
        ResolvedModel model = provisioner.resolve();
        timeline.mark(StartupPhase.MODEL_RESOLVED, model.source());
        LamaConfig.EngineKind kind = config.engine();
        if (kind == LamaConfig.EngineKind.TENSORRT) {
            throw new EngineException("lama.engine=tensorrt is not available in this build");
        }
        LOG.infof("engine: ONNX Runtime on the CPU (lama.engine=%s)", kind.name().toLowerCase());
        InpaintEngine engine = OnnxRuntimeEngine.open(model.file(), config.onnxruntime().threads(), config.onnxruntime().maxBatch());
        timeline.mark(StartupPhase.ENGINE_LOADED, engine.name());
        return engine;
    }

    /** Runs after the scheduler stopped its executors (on the shutdown event), so no batch is on the engine. */
    void close(@Disposes InpaintEngine engine) {
        engine.close();
    }
}
