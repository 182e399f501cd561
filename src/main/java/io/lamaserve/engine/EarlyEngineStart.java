package io.lamaserve.engine;

import io.lamaserve.config.LamaConfig;
import io.lamaserve.engine.tensorrt.TensorRtPrestart;
import io.lamaserve.engine.tensorrt.TensorRtProbe;
import io.lamaserve.engine.tensorrt.TensorRtSettings;
import io.lamaserve.model.ModelProvisioner;
import io.quarkus.vertx.VertxOptionsCustomizer;
import io.vertx.core.VertxOptions;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * Starts the engine's slow native work while Quarkus is still booting, so that {@link EngineProducer} joins work
 * under way instead of starting it: with TensorRT, the probe (libraries, device, CUDA context) and the read-ahead
 * of the cached plan (which resolves the model first, for its checksum).
 *
 * <p>The hook is a Vert.x options customizer: Quarkus calls those when it creates Vert.x during its runtime
 * initialization, after the runtime configuration is read and before the {@code StartupEvent} observers and the
 * {@code @Startup} beans (the engine among them) run; the options are left as they are. Nothing here blocks the
 * boot: the work runs on its own threads. If the hook did not run (or failed), the producer starts the same work
 * itself.
 *
 * <p>What starts depends on {@code lama.engine}: {@code tensorrt}, or {@code auto} where the NVIDIA device files are
 * there ({@link GpuDevices#mayHaveGpu()}), start TensorRT's work; on the CPU ({@code onnxruntime}, or {@code auto}
 * without a GPU) no TensorRT or CUDA class is touched.
 */
@Singleton
public class EarlyEngineStart implements VertxOptionsCustomizer {

    private static final Logger LOG = Logger.getLogger(EarlyEngineStart.class);

    /** Which engine's work can start early. */
    enum EarlyWork { TENSORRT, ONNXRUNTIME }

    private final LamaConfig config;
    private final ModelProvisioner provisioner;
    private final GpuDevices devices;
    private boolean begun;
    private TensorRtPrestart tensorRt;

    @Inject
    EarlyEngineStart(LamaConfig config, ModelProvisioner provisioner) {
        this(config, provisioner, GpuDevices.system());
    }

    EarlyEngineStart(LamaConfig config, ModelProvisioner provisioner, GpuDevices devices) {
        this.config = config;
        this.provisioner = provisioner;
        this.devices = devices;
    }

    /** The engine whose work starts early with {@code engine} configured on this machine. */
    static EarlyWork workFor(LamaConfig.EngineKind engine, GpuDevices devices) {
        return switch (engine) {
            case TENSORRT -> EarlyWork.TENSORRT;
            case ONNXRUNTIME -> EarlyWork.ONNXRUNTIME;
            case AUTO -> devices.mayHaveGpu() ? EarlyWork.TENSORRT : EarlyWork.ONNXRUNTIME;
        };
    }

    /** Called by Quarkus as it creates Vert.x; leaves the options alone. */
    @Override
    public void accept(VertxOptions options) {
        try {
            begin();
        } catch (RuntimeException | LinkageError e) {
            LOG.warnf("could not start the engine early (%s); it starts at the usual time", e);
        }
    }

    /** Starts the early work for the configured engine; once, later calls do nothing. */
    synchronized void begin() {
        if (begun) {
            return;
        }
        begun = true;
        if (workFor(config.engine(), devices) == EarlyWork.TENSORRT) {
            tensorRt();
            LOG.debugf("lama.engine=%s: TensorRT probe and plan read-ahead started early",
                    config.engine().name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    /** The TensorRT work begun early, begun now if nothing began it. */
    public synchronized TensorRtPrestart tensorRt() {
        if (tensorRt == null) {
            begun = true;
            // the model is resolved on the read-ahead thread; the producer's own resolve() then finds it resolved
            // (or waits for it, or fails the same way)
            tensorRt = TensorRtPrestart.start(TensorRtSettings.from(config.tensorrt()),
                    () -> provisioner.resolve().sha256());
        }
        return tensorRt;
    }

    /**
     * Whether TensorRT can run here: the early probe's answer when it was started, otherwise the probe run now
     * (without starting anything else).
     */
    public TensorRtProbe.Result tensorRtProbe() {
        TensorRtPrestart started;
        synchronized (this) {
            started = tensorRt;
        }
        return started != null ? started.probe() : TensorRtProbe.probe(config.tensorrt().device());
    }
}
