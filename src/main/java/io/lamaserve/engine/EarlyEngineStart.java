package io.lamaserve.engine;

import io.lamaserve.config.LamaConfig;
import io.lamaserve.engine.onnxruntime.OnnxRuntimeEngine;
import io.lamaserve.engine.tensorrt.TensorRtEngineFactory;
import io.lamaserve.engine.tensorrt.TensorRtPrestart;
import io.lamaserve.engine.tensorrt.TensorRtProbe;
import io.lamaserve.engine.tensorrt.TensorRtSettings;
import io.lamaserve.model.ModelProvisioner;
import io.lamaserve.model.ResolvedModel;
import io.quarkus.vertx.VertxOptionsCustomizer;
import io.vertx.core.VertxOptions;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Starts the engine's slow native work while Quarkus is still booting, so that {@link EngineProducer} joins work
 * under way instead of starting it: with TensorRT, the probe (libraries, device, CUDA context), the read-ahead
 * of the cached plan (which resolves the model first, for its checksum), and then the engine itself (deserialized,
 * its execution slots made) with its warm-up; on the CPU, the model's resolution, the ONNX Runtime session and its
 * warm-up inference. The batcher then waits for that warm-up instead of running its own.
 *
 * <p>The hook is a Vert.x options customizer: Quarkus calls those when it creates Vert.x during its runtime
 * initialization, after the runtime configuration is read and before the {@code StartupEvent} observers and the
 * {@code @Startup} beans (the engine among them) run; the options are left as they are. Nothing here blocks the
 * boot: the work runs on its own threads. If the hook did not run (or failed), the producer starts the same work
 * itself.
 *
 * <p>What starts depends on {@code lama.engine}: {@code tensorrt}, or {@code auto} where the NVIDIA device files are
 * there ({@link GpuDevices#mayHaveGpu()}), start TensorRT's work; on the CPU ({@code onnxruntime}, or {@code auto}
 * without a GPU) ONNX Runtime's, and no TensorRT or CUDA class is touched. A session opened early that the producer
 * does not take (auto found a GPU after all; a test replaced the engine) is closed.
 */
@Singleton
public class EarlyEngineStart implements VertxOptionsCustomizer {

    private static final Logger LOG = Logger.getLogger(EarlyEngineStart.class);

    /** Which engine's work can start early. */
    enum EarlyWork { TENSORRT, ONNXRUNTIME }

    private final LamaConfig config;
    private final ModelProvisioner provisioner;
    private final GpuDevices devices;
    /** Opens the TensorRT engine as the producer would; tests put a fake in its place. */
    private final TensorRtOpener tensorRtOpener;
    private boolean begun;
    private TensorRtPrestart tensorRt;
    /** Opened early and not claimed yet: the ONNX Runtime session. */
    private EarlyOpening<ModelRunner> onnxRuntime;
    /** Opened early and not claimed yet: the TensorRT engine, with the factory's report on its start. */
    private EarlyOpening<TensorRtEngineFactory.Startup> tensorRtEngine;

    @Inject
    EarlyEngineStart(LamaConfig config, ModelProvisioner provisioner) {
        this(config, provisioner, GpuDevices.system());
    }

    EarlyEngineStart(LamaConfig config, ModelProvisioner provisioner, GpuDevices devices) {
        this(config, provisioner, devices, null);
    }

    /** @param tensorRtOpener opens the TensorRT engine; null for the engine factory, as the producer uses it */
    EarlyEngineStart(LamaConfig config, ModelProvisioner provisioner, GpuDevices devices, TensorRtOpener tensorRtOpener) {
        this.config = config;
        this.provisioner = provisioner;
        this.devices = devices;
        this.tensorRtOpener = tensorRtOpener;
    }

    /** Brings the TensorRT engine up for a model, joining {@code prestart}'s probe and plan read. */
    @FunctionalInterface
    interface TensorRtOpener {
        TensorRtEngineFactory.Startup open(Path model, String sha256, TensorRtPrestart prestart) throws EngineException;
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
        String engine = config.engine().name().toLowerCase(Locale.ROOT);
        if (workFor(config.engine(), devices) == EarlyWork.TENSORRT) {
            TensorRtPrestart prestart = tensorRt();
            tensorRtEngine = EarlyOpening.start("lama-tensorrt-open", () -> openTensorRt(prestart),
                    TensorRtEngineFactory.Startup::engine);
            LOG.debugf("lama.engine=%s: TensorRT probe, plan read-ahead and engine start begun early", engine);
        } else {
            onnxRuntime = EarlyOpening.start("lama-onnxruntime-open", this::openOnnxRuntime, runner -> runner);
            LOG.debugf("lama.engine=%s: ONNX Runtime session opening early", engine);
        }
    }

    /** Resolves the model and opens the session as the producer would. */
    private EarlyOpening.Opened<ModelRunner> openOnnxRuntime() throws EngineException {
        Path model = provisioner.resolve().file();
        LamaConfig.OnnxRuntimeConfig settings = config.onnxruntime();
        return new EarlyOpening.Opened<>(
                OnnxRuntimeEngine.open(model, settings.threads(), settings.maxBatch(), settings.spinWait()), model);
    }

    /**
     * Hands the ONNX Runtime session opened early to the producer, waiting for it to open: the runner and the
     * warm-up running or done on it. Empty when none was opened early, when it was opened on another file, or when
     * opening failed (the producer then opens it itself, and reports the failure).
     */
    public Optional<ClaimedRunner> claimOnnxRuntime(Path model) {
        EarlyOpening<ModelRunner> early;
        synchronized (this) {
            early = onnxRuntime;
            onnxRuntime = null;
            // too late for an early start from now on: a hook that came after this would open a session for nobody
            begun = true;
        }
        if (early == null) {
            return Optional.empty();
        }
        try {
            return early.take(model).map(runner -> new ClaimedRunner(runner, early.warmedUp()));
        } catch (CompletionException | CancellationException e) {
            LOG.debugf("the early ONNX Runtime session did not open (%s); opening it now", e.getCause());
            return Optional.empty();
        }
    }

    /** A runner the producer took over: it owns and closes it; {@code warmedUp} is its early warm-up. */
    public record ClaimedRunner(ModelRunner runner, CompletableFuture<Void> warmedUp) {
    }

    /**
     * Closes the ONNX Runtime session opened early if nobody claimed it: {@code lama.engine=auto} went to TensorRT
     * after all, or the engine was replaced (tests). Also at shutdown.
     */
    public void discardOnnxRuntime() {
        EarlyOpening<ModelRunner> early;
        synchronized (this) {
            early = onnxRuntime;
            onnxRuntime = null;
        }
        if (early != null) {
            early.discard();
        }
    }

    /** Closes a TensorRT engine started early that nobody claimed (the engine was replaced, e.g. in tests). */
    void discardTensorRt() {
        EarlyOpening<TensorRtEngineFactory.Startup> early;
        synchronized (this) {
            early = tensorRtEngine;
            tensorRtEngine = null;
        }
        if (early != null) {
            early.discard();
        }
    }

    /** At shutdown: whatever was opened early and never claimed. */
    @PreDestroy
    void discardUnclaimed() {
        discardOnnxRuntime();
        discardTensorRt();
    }

    /** An engine the producer took over: it owns and closes it; {@code warmedUp} is its early warm-up. */
    public record ClaimedTensorRt(TensorRtEngineFactory.Startup startup, CompletableFuture<Void> warmedUp) {
    }

    /**
     * Resolves the model and brings the engine up as the producer would, joining the probe and the plan read-ahead
     * (with no cached plan this is the build, which the producer would wait for too).
     */
    private EarlyOpening.Opened<TensorRtEngineFactory.Startup> openTensorRt(TensorRtPrestart prestart)
            throws EngineException {
        TensorRtOpener opener = tensorRtOpener != null ? tensorRtOpener : (model, sha256, started) -> {
            // without the libraries or a GPU the factory's classes cannot even be loaded: say why, once
            TensorRtProbe.Result probe = started.probe();
            if (!probe.available()) {
                throw EngineProducer.unavailable(probe);
            }
            return new TensorRtEngineFactory(TensorRtSettings.from(config.tensorrt())).create(model, sha256, started);
        };
        ResolvedModel model = provisioner.resolve();
        TensorRtEngineFactory.Startup startup = opener.open(model.file(), model.sha256(), prestart);
        // its start's line is logged once the producer took it over and said how long it waited
        startup.phases().startedEarly();
        return new EarlyOpening.Opened<>(startup, model.file());
    }

    /**
     * Hands the TensorRT engine brought up early to the producer, waiting for it: the engine, and the warm-up running
     * or done on it. Empty when none was started early, when it was started on another file, or when it failed for a
     * reason other than the engine's own (the producer then starts it itself and reports that).
     *
     * @throws EngineException what the engine's start failed with (TensorRT unavailable, no engine could be built or
     *                         loaded): doing the same again in the producer would fail the same way, minutes later
     *                         where a build failed
     */
    public Optional<ClaimedTensorRt> claimTensorRt(Path model) throws EngineException {
        EarlyOpening<TensorRtEngineFactory.Startup> early;
        synchronized (this) {
            early = tensorRtEngine;
            tensorRtEngine = null;
            begun = true;
        }
        if (early == null) {
            return Optional.empty();
        }
        try {
            return early.take(model).map(startup -> new ClaimedTensorRt(startup, early.warmedUp()));
        } catch (CompletionException | CancellationException e) {
            if (e.getCause() instanceof EngineException failure) {
                throw failure;
            }
            LOG.debugf("the early TensorRT start did not complete (%s); starting it now", e.getCause());
            return Optional.empty();
        }
    }

    /** The TensorRT work begun early, begun now if nothing began it. */
    public synchronized TensorRtPrestart tensorRt() {
        if (tensorRt == null) {
            begun = true;
            // the model is resolved on the read-ahead thread; the producer's own resolve() then finds it resolved
            // (or waits for it, or fails the same way)
            tensorRt = TensorRtPrestart.start(TensorRtSettings.from(config.tensorrt()),
                    () -> {
                        var model = provisioner.resolve();
                        return new TensorRtPrestart.Model(model.file(), model.sha256());
                    });
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
