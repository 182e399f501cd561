package io.lamaserve.engine.tensorrt;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * The TensorRT work that needs neither the model file nor the CDI container, started as early as possible, so that
 * the engine factory finds it done or under way: the probe ({@link TensorRtProbe}: loading the JavaCPP
 * CUDA/TensorRT libraries, the device query and the CUDA context), on thread {@code lama-tensorrt-probe}. It runs
 * once; {@link #probe(StartPhases)} joins it and records it as a background phase with the time callers waited.
 */
public final class TensorRtPrestart {

    private final CompletableFuture<TensorRtProbe.Result> probe = new CompletableFuture<>();
    private volatile double probeSeconds;
    /** Time callers spent waiting for the probe, over all joins. */
    private final AtomicLong probeWaitedNanos = new AtomicLong();

    private TensorRtPrestart() {
    }

    /** Starts the probe on a daemon thread. */
    public static TensorRtPrestart start(TensorRtSettings settings) {
        return start(settings, TensorRtProbe::probe);
    }

    static TensorRtPrestart start(TensorRtSettings settings, IntFunction<TensorRtProbe.Result> prober) {
        TensorRtPrestart prestart = new TensorRtPrestart();
        Thread.ofPlatform().name("lama-tensorrt-probe").daemon().start(() -> prestart.runProbe(settings, prober));
        return prestart;
    }

    private void runProbe(TensorRtSettings settings, IntFunction<TensorRtProbe.Result> prober) {
        long started = System.nanoTime();
        TensorRtProbe.Result result;
        try {
            result = prober.apply(settings.device());
        } catch (RuntimeException | LinkageError e) {
            result = TensorRtProbe.Result.unavailable("the TensorRT probe failed: " + TensorRtProbe.innermostMessage(e));
        }
        probeSeconds = StartPhases.since(started);
        probe.complete(result);
    }

    /** The probe's answer, waiting for it if it is still running (the wait is recorded, not the phase). */
    public TensorRtProbe.Result probe() {
        long waitStarted = System.nanoTime();
        TensorRtProbe.Result result = probe.join();
        probeWaitedNanos.addAndGet(System.nanoTime() - waitStarted);
        return result;
    }

    /** {@link #probe()}, recorded in {@code phases} as a background phase with everything callers waited for it. */
    public TensorRtProbe.Result probe(StartPhases phases) {
        TensorRtProbe.Result result = probe();
        phases.recordBackground(StartPhases.Phase.PROBE, probeSeconds, probeWaitedNanos.get() / 1e9);
        return result;
    }

}
