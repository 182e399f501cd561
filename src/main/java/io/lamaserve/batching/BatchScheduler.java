package io.lamaserve.batching;

import io.lamaserve.config.LamaConfig;
import io.lamaserve.engine.EngineException;
import io.lamaserve.engine.InpaintEngine;
import io.lamaserve.lifecycle.StartupPhase;
import io.lamaserve.lifecycle.StartupTimeline;
import io.lamaserve.model.ResolvedModel;
import io.lamaserve.tile.Tile;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Collects the tiles of all concurrent requests into one bounded queue and runs them as batches on
 * {@code engine.parallelism()} executor threads ({@code lama-executor-N}), each taking a batch as soon as it is
 * free. The policy (cap, order, admission, deadlines) lives in {@link SchedulingCore} and {@link BatchPolicy}; this
 * class adds the threads, the lock, the startup calibration and the shutdown.
 *
 * <p>Lifecycle: at startup a {@code lama-warmup} thread runs the {@link CostSweep}; {@link #ready()} turns true
 * when it succeeds and the executors run. Until then submits are refused with 503. On shutdown the scheduler stops
 * admitting, lets queued and running work finish for up to the request timeout, then fails what is left with 503.
 */
@Singleton
public class BatchScheduler {

    private static final Logger LOG = Logger.getLogger(BatchScheduler.class);

    private final InpaintEngine engine;
    private final BatchingSettings settings;
    private final Ticker ticker;
    private final CostModel model;
    private final SchedulingCore core;
    private final SchedulerMetrics metrics;
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled whenever the queue or the running batches change, and on stop. */
    private final Condition changed = lock.newCondition();
    private final List<Thread> threads = new ArrayList<>();
    /** The sweep succeeded and the executors run. */
    private volatile boolean warmedUp;
    private volatile boolean draining;
    /** When the shutdown signal came ({@link System#nanoTime()}); null before. */
    private Long drainSignalledNanos;
    private volatile boolean started;
    private boolean stopping;
    /** Where the sweep's table is kept between starts; null = always measure. */
    private CostTableStore costTables;
    private CostTableStore.Key costKey;
    /** Receives the end of warm-up as a startup phase. */
    private final StartupTimeline timeline;

    /**
     * @param model the model the engine runs; only its checksum is read, and only to key stored cost tables
     */
    @Inject
    public BatchScheduler(InpaintEngine engine, LamaConfig config, MeterRegistry registry, Provider<ResolvedModel> model,
                          StartupTimeline timeline) {
        this(engine, BatchingSettings.from(config.batching()), Ticker.system(), registry,
                Executors.newVirtualThreadPerTaskExecutor(), timeline);
        if (config.batching().reuseCostTable()) {
            useCostTables(new CostTableStore(config.batching().costTableDir()), model.get().sha256());
        }
    }

    /** Keeps the sweep's table in {@code store} and reuses it at later starts with the same model, engine and hardware. */
    void useCostTables(CostTableStore store, String modelSha256) {
        this.costTables = store;
        this.costKey = new CostTableStore.Key(engine.name(), engine.hardware(), modelSha256, engine.tileSize(),
                this.model.maxBatch(), engine.parallelism());
    }

    /**
     * @param completer where tickets' futures complete, so that continuations do not run on executor threads
     * @param timeline  where the end of warm-up is marked
     */
    public BatchScheduler(InpaintEngine engine, BatchingSettings settings, Ticker ticker, MeterRegistry registry,
                          Executor completer, StartupTimeline timeline) {
        this.engine = engine;
        this.settings = settings;
        this.ticker = ticker;
        this.timeline = timeline;
        int executors = engine.parallelism();
        this.model = new CostModel(settings.effectiveMaxBatch(engine.maxBatch()), settings.kneeFraction(),
                engine.batchSizes());
        this.metrics = new SchedulerMetrics(registry);
        this.core = new SchedulingCore(settings, executors, model,
                BatchPolicy.forMode(settings, model, executors), metrics, completer, this::exclusively);
        metrics.registerGauges(() -> read(core::queuedTiles), () -> read(() -> core.busyNanos(ticker.read())),
                ticker, executors, model);
    }

    void onStartup(@Observes StartupEvent event) {
        Thread.ofPlatform().name("lama-warmup").daemon().start(() -> {
            try {
                start();
            } catch (EngineException | RuntimeException e) {
                LOG.errorf(e, "Warm-up of engine %s failed; the service stays not ready", engine.name());
            }
        });
    }

    /**
     * SIGTERM, with {@code quarkus.shutdown.delay-enabled}: from this moment new requests get 503 with Retry-After
     * and readiness is DOWN, while queued and running work goes on; Quarkus then waits (up to
     * {@code quarkus.shutdown.timeout}) for the accepted requests to be answered before it stops the HTTP server.
     */
    void onShutdownSignal(@Observes ShutdownDelayInitiatedEvent event) {
        lock.lock();
        try {
            draining = true;
            drainSignalledNanos = System.nanoTime();
            core.stopAdmitting();
        } finally {
            lock.unlock();
        }
        LOG.info("Shutdown signalled: admitting no new requests, finishing the accepted ones");
    }

    void onShutdown(@Observes ShutdownEvent event) {
        if (!drain(settings.timeout())) {
            LOG.warnf("Shutdown: work still queued or running after %s; failing what is queued", settings.timeout());
        }
        // Shutdown observers run before any bean is destroyed: stopping the executors here guarantees no batch
        // is still on the engine when its disposer frees the native memory.
        close();
    }

    /**
     * Calibrates the cost model on the engine and starts the executors; {@link #ready()} is true afterwards.
     *
     * @throws EngineException when the engine fails during the sweep
     */
    public void start() throws EngineException {
        lock.lock();
        try {
            if (started || stopping) {
                return;
            }
            started = true;
        } finally {
            lock.unlock();
        }
        String calibration = calibrate();
        LOG.infof("Cost model of %s (%d executor(s), mode %s):%n%s", engine.name(), core.executors(),
                settings.mode().name().toLowerCase(java.util.Locale.ROOT), model.describe());
        lock.lock();
        try {
            if (stopping) {
                return;
            }
            for (int slot = 0; slot < core.executors(); slot++) {
                int executorSlot = slot;
                threads.add(Thread.ofPlatform().name("lama-executor-" + slot).daemon()
                        .start(() -> runExecutor(executorSlot)));
            }
            threads.add(Thread.ofPlatform().name("lama-deadlines").daemon().start(this::expireOverdueLoop));
            warmedUp = true;
        } finally {
            lock.unlock();
        }
        timeline.mark(StartupPhase.WARMUP_DONE, calibration + ", knee " + model.knee());
    }

    /** Seeds the cost model: from the stored table of an earlier start when there is one, else by the sweep. */
    private String calibrate() throws EngineException {
        Optional<SortedMap<Integer, Long>> stored = costTables == null ? Optional.empty() : costTables.load(costKey);
        if (stored.isPresent()) {
            CostSweep.warmUp(engine);
            stored.get().forEach(model::seed);
            LOG.infof("Cost table of %s on %s reused from %s (delete it to measure again)", engine.name(),
                    engine.hardware(), costTables.fileFor(costKey));
            return "warm-up, stored cost table";
        }
        CostSweep.run(engine, model, settings.sweepRepetitions(), ticker);
        if (costTables != null) {
            SortedMap<Integer, Long> measured = new TreeMap<>();
            model.table().forEach((size, latency) -> measured.put(size, latency.toNanos()));
            costTables.save(costKey, measured);
        }
        return "cost sweep";
    }

    /**
     * Queues the tiles of one request.
     *
     * @param tiles            the request's tiles; their outputs are filled when the ticket completes
     * @param requestedTimeout the client's deadline from now; null = {@code lama.batching.timeout}; longer values
     *                         are cut to that default
     * @throws RejectedException        when refused on arrival: queue full (429), more tiles than the queue holds
     *                                  (413), deadline unreachable, not ready or draining (503)
     * @throws IllegalArgumentException when {@code tiles} is empty or the timeout is not positive
     */
    public InferenceTicket submit(List<Tile> tiles, Duration requestedTimeout) {
        return submit(tiles, requestedTimeout, System.nanoTime());
    }

    /**
     * As {@link #submit(List, Duration)}, for a request that arrived at {@code arrivedNanos}
     * ({@link System#nanoTime()}): one that arrived before the shutdown signal, its body still coming in then, is
     * admitted while the service drains, so that the graceful stop answers it instead of refusing it.
     */
    public InferenceTicket submit(List<Tile> tiles, Duration requestedTimeout, long arrivedNanos) {
        lock.lock();
        try {
            if (!warmedUp && !draining) {
                throw core.reject(RejectedException.Reason.NOT_READY, SchedulingCore.NOT_READY_RETRY_SECONDS,
                        "the engine is still warming up");
            }
            boolean arrivedBeforeDrain = warmedUp && !stopping && drainSignalledNanos != null
                    && arrivedNanos - drainSignalledNanos < 0;
            InferenceTicket ticket = core.submit(tiles, requestedTimeout, ticker.read(), arrivedBeforeDrain);
            changed.signalAll();
            return ticket;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Counts a request refused before it reached the queue (its pixels did not fit, its deadline passed while its
     * body arrived), beside the refusals of the queue itself.
     */
    public void countRefusal(RejectedException.Reason reason) {
        metrics.rejected(reason);
    }

    /** True once the warm-up sweep succeeded and the executors run, until shutdown begins. */
    public boolean ready() {
        return warmedUp && !draining;
    }

    /** The latency table and knee; live, updated from real batches. */
    public CostModel costModel() {
        return model;
    }

    /** Tiles waiting now. */
    public int queuedTiles() {
        return read(core::queuedTiles);
    }

    /**
     * Graceful stop: admits nothing more (503 DRAINING with Retry-After) and waits up to {@code grace} for queued
     * and running work to finish.
     *
     * @return true when nothing is left queued or running
     */
    public boolean drain(Duration grace) {
        lock.lock();
        try {
            draining = true;
            core.stopAdmitting();
            long remaining = grace.toNanos();
            while (!core.idle() && remaining > 0 && !threads.isEmpty()) {
                remaining = changed.awaitNanos(remaining);
            }
            return core.idle();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return core.idle();
        } finally {
            lock.unlock();
        }
    }

    /** Stops the executors after their running batch; requests still queued fail with 503. */
    @PreDestroy
    public void close() {
        lock.lock();
        try {
            draining = true;
            stopping = true;
            core.stopAdmitting();
            core.abandonQueued();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        for (Thread thread : threads) {
            try {
                if (!thread.join(Duration.ofSeconds(10))) {
                    LOG.warnf("%s did not stop within 10 s", thread.getName());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void runExecutor(int slot) {
        while (true) {
            Batch batch = null;
            lock.lock();
            try {
                while (!stopping && (batch = core.nextBatch(slot, ticker.read())) == null) {
                    long holdUntil = core.holdUntil();
                    if (holdUntil == Long.MAX_VALUE) {
                        changed.await();
                    } else {
                        changed.awaitNanos(holdUntil - ticker.read());
                    }
                }
                if (stopping) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            Throwable failure = null;
            try {
                engine.infer(slot, batch.tileBatch());
            } catch (EngineException | RuntimeException e) {
                failure = e;
            }
            long now = ticker.read();
            lock.lock();
            try {
                if (failure == null) {
                    core.complete(batch, now);
                } else {
                    LOG.warnf(failure, "Batch of %d tile(s) failed on executor %d", batch.size(), slot);
                    core.fail(batch, failure, now);
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Answers requests whose deadline passes while all executors are busy, without waiting for a dispatch. */
    private void expireOverdueLoop() {
        lock.lock();
        try {
            while (!stopping) {
                long now = ticker.read();
                core.expireOverdue(now);
                long earliest = core.earliestDeadline();
                long wait = earliest == Long.MAX_VALUE ? TimeUnit.SECONDS.toNanos(1) : earliest - now;
                changed.awaitNanos(Math.clamp(wait, TimeUnit.MILLISECONDS.toNanos(1), TimeUnit.SECONDS.toNanos(1)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    private void exclusively(Runnable task) {
        lock.lock();
        try {
            task.run();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private <T> T read(java.util.function.Supplier<T> read) {
        lock.lock();
        try {
            return read.get();
        } finally {
            lock.unlock();
        }
    }
}
