package io.lamaserve.engine.tensorrt;

import io.lamaserve.engine.GpuDevices;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The TensorRT work that needs neither the model file nor the CDI container, started as early as possible and in
 * parallel, so that the engine factory finds it done or under way:
 * <ul>
 *   <li>the probe ({@link TensorRtProbe}: loading the JavaCPP CUDA/TensorRT libraries, the device query and the
 *       CUDA context), on thread {@code lama-tensorrt-probe};</li>
 *   <li>the plan read-ahead, on thread {@code lama-tensorrt-plan-read}: the cached plan whose key fits the model
 *       and settings is mapped and checksum-verified. The full key needs the GPU and TensorRT version from the
 *       probe; when the probe has not answered yet, the one plan file that matches the rest of the key is read
 *       ({@link PlanCandidates}) and kept only if the key in its header is the full key after the probe.</li>
 * </ul>
 * Both run once; {@link #probe(StartPhases)} and {@link #plan(PlanKey, StartPhases)} join them and record them as
 * background phases with the time the caller waited.
 */
public final class TensorRtPrestart {

    private static final Logger LOG = Logger.getLogger(TensorRtPrestart.class);

    /** The model as the read-ahead needs it: its checksum, and its file for the export's metadata (auto pinning). */
    public record Model(Path file, String sha256) {
    }

    /** What the read-ahead produced: a verified plan file, or why there is none. */
    record ReadAhead(Optional<PlanCache.PlanFile> plan, String reason, double seconds) {
    }

    private final CompletableFuture<TensorRtProbe.Result> probe = new CompletableFuture<>();
    private final CompletableFuture<ReadAhead> readAhead = new CompletableFuture<>();
    private volatile double probeSeconds;
    /** Time callers spent waiting for the probe, over all joins. */
    private final AtomicLong probeWaitedNanos = new AtomicLong();

    private TensorRtPrestart() {
    }

    /**
     * Starts the probe and the plan read-ahead on two daemon threads. The GPU model the driver lists (if just one)
     * helps pick the plan when several GPU types share the engine directory.
     *
     * @param model the model's file and SHA-256; called on the read-ahead thread, may block (the model is resolved)
     *              or throw (then nothing is read ahead and the engine reads the plan itself)
     */
    public static TensorRtPrestart start(TensorRtSettings settings, Supplier<Model> model) {
        return start(settings, model, TensorRtProbe::probe, GpuDevices.system().singleModel());
    }

    static TensorRtPrestart start(TensorRtSettings settings, Supplier<Model> model,
                                  IntFunction<TensorRtProbe.Result> prober, Optional<String> gpuModelHint) {
        TensorRtPrestart prestart = new TensorRtPrestart();
        Thread.ofPlatform().name("lama-tensorrt-probe").daemon().start(() -> prestart.runProbe(settings, prober));
        Thread.ofPlatform().name("lama-tensorrt-plan-read").daemon()
                .start(() -> prestart.runReadAhead(settings, model, gpuModelHint));
        return prestart;
    }

    private void runProbe(TensorRtSettings settings, IntFunction<TensorRtProbe.Result> prober) {
        long started = System.nanoTime();
        TensorRtProbe.Result result;
        try {
            result = prober.apply(settings.device());
        } catch (Throwable e) {
            result = TensorRtProbe.Result.unavailable("the TensorRT probe failed: " + TensorRtProbe.innermostMessage(e));
        }
        probeSeconds = StartPhases.since(started);
        probe.complete(result);
    }

    private void runReadAhead(TensorRtSettings settings, Supplier<Model> model, Optional<String> gpuModelHint) {
        String sha;
        TensorRtSettings forModel;
        try {
            Model resolved = model.get();
            sha = resolved.sha256().toLowerCase(Locale.ROOT);
            forModel = settings.forModel(resolved.file());
        } catch (Throwable e) {
            readAhead.complete(new ReadAhead(Optional.empty(), "the model is not resolved: " + e.getMessage(), 0));
            return;
        }
        // the phase is the plan's: from the moment the model's checksum is known
        long started = System.nanoTime();
        try {
            readAhead.complete(readAhead(forModel, sha, gpuModelHint, started));
        } catch (Throwable e) {
            // whatever happens, the factory waiting for this must get an answer (and then reads the plan itself)
            readAhead.complete(new ReadAhead(Optional.empty(), "reading ahead failed: " + e, StartPhases.since(started)));
        }
    }

    private ReadAhead readAhead(TensorRtSettings settings, String sha, Optional<String> gpuModelHint, long started) {
        PlanCache cache = new PlanCache(settings.engineDir());
        Path file;
        TensorRtProbe.Result probed = probe.getNow(null);
        if (probed != null) {
            if (!probed.available()) {
                return new ReadAhead(Optional.empty(), "TensorRT is not available", StartPhases.since(started));
            }
            // the probe was first: the full key is known
            file = cache.planPath(settings.planKey(sha, probed.tensorRtVersion(), probed.gpu().orElseThrow()));
        } else {
            List<String> names;
            try (Stream<Path> entries = Files.list(cache.directory())) {
                names = entries.map(entry -> entry.getFileName().toString()).toList();
            } catch (NoSuchFileException e) {
                return new ReadAhead(Optional.empty(), "no engine directory " + cache.directory(),
                        StartPhases.since(started));
            } catch (IOException e) {
                return new ReadAhead(Optional.empty(), "cannot list " + cache.directory() + ": " + e.getMessage(),
                        StartPhases.since(started));
            }
            PlanCandidates.Choice choice = PlanCandidates.select(names, sha, settings, gpuModelHint);
            if (choice.fileName().isEmpty()) {
                return new ReadAhead(Optional.empty(), choice.reason(), StartPhases.since(started));
            }
            file = cache.directory().resolve(choice.fileName().get());
        }
        PlanCache.ReadResult read = cache.readPlanFile(file);
        return new ReadAhead(read.plan(), read.problem(), StartPhases.since(started));
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

    /**
     * The plan read ahead, if it is the one for {@code key}: its header holds exactly that key and it is the file
     * the cache keeps that key in. Then the read is recorded in {@code phases} as a background phase; otherwise
     * nothing is recorded, and the caller reads the plan itself.
     */
    public Optional<ByteBuffer> plan(PlanKey key, StartPhases phases) {
        long waitStarted = System.nanoTime();
        ReadAhead read = readAhead.join();
        double waited = StartPhases.since(waitStarted);
        if (read.plan().isEmpty()) {
            LOG.debugf("no TensorRT plan read ahead (%s)", read.reason());
            return Optional.empty();
        }
        PlanCache.PlanFile file = read.plan().get();
        if (!file.key().equals(key.canonical()) || !file.file().getFileName().toString().equals(key.fileName())) {
            LOG.debugf("the plan read ahead, %s, is not the one for this GPU (%s); reading %s", file.file().getFileName(),
                    file.key(), key.fileName());
            return Optional.empty();
        }
        phases.recordBackground(StartPhases.Phase.PLAN_READ, read.seconds(), waited);
        return Optional.of(file.payload());
    }
}
