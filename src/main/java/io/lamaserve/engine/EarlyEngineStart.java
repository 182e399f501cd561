package io.lamaserve.engine;

import io.lamaserve.config.LamaConfig;
import io.lamaserve.engine.onnxruntime.OnnxRuntimeEngine;
import io.lamaserve.engine.tensorrt.TensorRtEngineFactory;
import io.lamaserve.engine.tensorrt.TensorRtPrestart;
import io.lamaserve.engine.tensorrt.TensorRtProbe;
import io.lamaserve.engine.tensorrt.TensorRtSettings;
import io.lamaserve.model.ModelProvisioner;
import io.lamaserve.model.ResolvedModel;
import io.lamaserve.tile.Tile;
import io.lamaserve.tile.TileBatch;
import io.quarkus.vertx.VertxOptionsCustomizer;
import io.vertx.core.VertxOptions;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
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
    /** Opened early and not claimed yet. */
    private EarlyOnnxRuntime onnxRuntime;
    /** Opening early and not claimed yet. */
    private EarlyTensorRt tensorRtEngine;

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
            tensorRtEngine = openTensorRt(tensorRt());
            LOG.debugf("lama.engine=%s: TensorRT probe, plan read-ahead and engine start begun early", engine);
        } else {
            onnxRuntime = openOnnxRuntime();
            LOG.debugf("lama.engine=%s: ONNX Runtime session opening early", engine);
        }
    }

    /**
     * The ONNX Runtime session opened early and its warm-up.
     *
     * @param opened   completes with the open runner and the model file it runs
     * @param warmedUp completes when a batch of 1 ran on every slot of it
     */
    record EarlyOnnxRuntime(CompletableFuture<OpenRunner> opened, CompletableFuture<Void> warmedUp) {
    }

    /** A runner opened early, and the model file it was opened on. */
    record OpenRunner(ModelRunner runner, Path model) {
    }

    /**
     * On thread {@code lama-onnxruntime-open}: resolves the model, opens the session as the producer would, hands it
     * over ({@code opened}), then runs the warm-up on it ({@code warmedUp}) while the service goes on booting.
     */
    private EarlyOnnxRuntime openOnnxRuntime() {
        EarlyOnnxRuntime early = new EarlyOnnxRuntime(new CompletableFuture<>(), new CompletableFuture<>());
        LamaConfig.OnnxRuntimeConfig settings = config.onnxruntime();
        Thread.ofPlatform().name("lama-onnxruntime-open").daemon().start(() -> {
            ModelRunner runner;
            try {
                Path model = provisioner.resolve().file();
                runner = OnnxRuntimeEngine.open(model, settings.threads(), settings.maxBatch(), settings.spinWait());
                early.opened().complete(new OpenRunner(runner, model));
            } catch (Throwable e) {
                // errors too (a native library that does not load): whoever waits must hear of it
                early.opened().completeExceptionally(e);
                early.warmedUp().completeExceptionally(e);
                return;
            }
            try {
                warmUp(runner);
                early.warmedUp().complete(null);
            } catch (Throwable e) {
                early.warmedUp().completeExceptionally(e);
            }
        });
        return early;
    }

    /** A batch of 1 on every slot, as the batcher's warm-up runs it (mid-grey tile, a centred square to fill). */
    static void warmUp(ModelRunner runner) throws EngineException {
        int side = runner.tileSize();
        Tile tile = Tile.allocate(side);
        Arrays.fill(tile.image(), 0.5f);
        for (int y = side / 4; y < side - side / 4; y++) {
            Arrays.fill(tile.mask(), y * side + side / 4, y * side + side - side / 4, 1f);
        }
        for (int slot = 0; slot < runner.parallelism(); slot++) {
            runner.run(slot, new TileBatch(List.of(tile)), new PhaseClock(System.nanoTime()));
        }
    }

    /**
     * Hands the ONNX Runtime session opened early to the producer, waiting for it to open: the runner and the
     * warm-up running or done on it. Empty when none was opened early, when it was opened on another file, or when
     * opening failed (the producer then opens it itself, and reports the failure).
     */
    public Optional<ClaimedRunner> claimOnnxRuntime(Path model) {
        EarlyOnnxRuntime early;
        synchronized (this) {
            early = onnxRuntime;
            onnxRuntime = null;
            // too late for an early start from now on: a hook that came after this would open a session for nobody
            begun = true;
        }
        if (early == null) {
            return Optional.empty();
        }
        OpenRunner open;
        try {
            open = early.opened().join();
        } catch (CompletionException | CancellationException e) {
            LOG.debugf("the early ONNX Runtime session did not open (%s); opening it now", e.getCause());
            return Optional.empty();
        }
        if (!open.model().equals(model)) {
            closeWhenWarm(early.warmedUp(), open.runner());
            return Optional.empty();
        }
        return Optional.of(new ClaimedRunner(open.runner(), early.warmedUp()));
    }

    /** A runner the producer took over: it owns and closes it; {@code warmedUp} is its early warm-up. */
    public record ClaimedRunner(ModelRunner runner, CompletableFuture<Void> warmedUp) {
    }

    /**
     * Closes the ONNX Runtime session opened early if nobody claimed it: {@code lama.engine=auto} went to TensorRT
     * after all, or the engine was replaced (tests). Also at shutdown.
     */
    public void discardOnnxRuntime() {
        EarlyOnnxRuntime early;
        synchronized (this) {
            early = onnxRuntime;
            onnxRuntime = null;
        }
        if (early != null) {
            early.opened().thenAccept(open -> closeWhenWarm(early.warmedUp(), open.runner()));
        }
    }

    /** Closes a TensorRT engine started early that nobody claimed (the engine was replaced, e.g. in tests). */
    void discardTensorRt() {
        EarlyTensorRt early;
        synchronized (this) {
            early = tensorRtEngine;
            tensorRtEngine = null;
        }
        if (early != null) {
            early.opened().thenAccept(open -> closeWhenWarm(early.warmedUp(), open.startup().engine()));
        }
    }

    /** At shutdown: whatever was opened early and never claimed. */
    @PreDestroy
    void discardUnclaimed() {
        discardOnnxRuntime();
        discardTensorRt();
    }

    private static void closeWhenWarm(CompletableFuture<Void> warmedUp, ModelRunner runner) {
        warmedUp.handle((done, failure) -> {
            runner.close();
            return null;
        });
    }

    /**
     * The TensorRT engine brought up early, and its warm-up.
     *
     * @param opened   completes with what the engine factory started and the model file it runs
     * @param warmedUp completes when a batch of 1 ran on every slot of it
     */
    record EarlyTensorRt(CompletableFuture<OpenTensorRt> opened, CompletableFuture<Void> warmedUp) {
    }

    /** An engine started early, and the model file it was started on. */
    record OpenTensorRt(TensorRtEngineFactory.Startup startup, Path model) {
    }

    /** An engine the producer took over: it owns and closes it; {@code warmedUp} is its early warm-up. */
    public record ClaimedTensorRt(TensorRtEngineFactory.Startup startup, CompletableFuture<Void> warmedUp) {
    }

    /**
     * On thread {@code lama-tensorrt-open}: resolves the model and brings the engine up as the producer would (joining
     * the probe and the plan read-ahead; with no cached plan this is the build, which the producer would wait for
     * too), hands it over ({@code opened}), then warms it up ({@code warmedUp}) while the service goes on booting.
     */
    private EarlyTensorRt openTensorRt(TensorRtPrestart prestart) {
        EarlyTensorRt early = new EarlyTensorRt(new CompletableFuture<>(), new CompletableFuture<>());
        TensorRtOpener opener = tensorRtOpener != null ? tensorRtOpener
                : (model, sha256, started) -> new TensorRtEngineFactory(TensorRtSettings.from(config.tensorrt()))
                        .create(model, sha256, started);
        Thread.ofPlatform().name("lama-tensorrt-open").daemon().start(() -> {
            TensorRtEngineFactory.Startup startup;
            try {
                ResolvedModel model = provisioner.resolve();
                startup = opener.open(model.file(), model.sha256(), prestart);
                // its start's line is logged once the producer took it over and said how long it waited
                startup.phases().startedEarly();
                early.opened().complete(new OpenTensorRt(startup, model.file()));
            } catch (Throwable e) {
                // errors too (a native library that does not load): whoever waits must hear of it
                early.opened().completeExceptionally(e);
                early.warmedUp().completeExceptionally(e);
                return;
            }
            try {
                warmUp(startup.engine());
                early.warmedUp().complete(null);
            } catch (Throwable e) {
                early.warmedUp().completeExceptionally(e);
            }
        });
        return early;
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
        EarlyTensorRt early;
        synchronized (this) {
            early = tensorRtEngine;
            tensorRtEngine = null;
            begun = true;
        }
        if (early == null) {
            return Optional.empty();
        }
        OpenTensorRt open;
        try {
            open = early.opened().join();
        } catch (CompletionException | CancellationException e) {
            if (e.getCause() instanceof EngineException failure) {
                throw failure;
            }
            LOG.debugf("the early TensorRT start did not complete (%s); starting it now", e.getCause());
            return Optional.empty();
        }
        if (!open.model().equals(model)) {
            closeWhenWarm(early.warmedUp(), open.startup().engine());
            return Optional.empty();
        }
        return Optional.of(new ClaimedTensorRt(open.startup(), early.warmedUp()));
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
