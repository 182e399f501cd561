package io.lamaserve.batching.sim;

import io.lamaserve.batching.AdaptivePolicy;
import io.lamaserve.batching.Batch;
import io.lamaserve.batching.BatchPolicy;
import io.lamaserve.batching.BatchingSettings;
import io.lamaserve.batching.CostModel;
import io.lamaserve.batching.CostSweep;
import io.lamaserve.batching.FakeTicker;
import io.lamaserve.batching.InferenceTicket;
import io.lamaserve.batching.RejectedException;
import io.lamaserve.batching.SchedulerMetrics;
import io.lamaserve.batching.SchedulingCore;
import io.lamaserve.batching.TestSettings;
import io.lamaserve.engine.EngineException;
import io.lamaserve.engine.FakeEngine;
import io.lamaserve.tile.Tile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.IntToLongFunction;

/**
 * Deterministic discrete-event simulation of the scheduler on virtual time. It drives the real
 * {@link SchedulingCore}, {@link CostModel} (calibrated by the real {@link CostSweep} against a fake engine on the curve) and
 * policies; only the engine (a latency curve) and the clients are simulated. Same seed, same numbers.
 *
 * <p>Run: {@code mvn -B -o -q test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.lamaserve.batching.sim.Simulator}
 */
public final class Simulator {

    /**
     * Scheduler variant under test: the service's defaults, with one property or one rule changed. {@link #ADAPTIVE}
     * is what the service runs when nothing is configured.
     */
    public enum Variant {
        OFF("off", "mode", "off"),
        ADAPTIVE("adaptive"),
        /** Adaptive without the hold rule, to show what that rule buys. */
        ADAPTIVE_NO_HOLD("adaptive, no hold"),
        /** lama.batching.shared-gpu-min-fraction=0: an idle executor starts at once beside a busy one. */
        ADAPTIVE_SHARED_GPU_OFF("adaptive, beside busy: start at once", "shared-gpu-min-fraction", "0"),
        /**
         * The first form of lama.batching.shared-gpu-min-fraction=0.5: beside a busy executor, wait for half the knee
         * whatever the size of the busy batch. Kept to compare with the current rule.
         */
        ADAPTIVE_SHARED_GPU_FIXED("adaptive, beside busy: ½ knee"),
        /**
         * The rules before they knew the engine's sizes: beside a busy executor, wait for ⌈½ knee⌉ tiles even where
         * that size runs padded, and take all the cap allows. Kept to compare on engines with few sizes.
         */
        ADAPTIVE_PADDED("adaptive, padded batches");

        final String label;
        /** Pairs of a name below lama.batching and its value, set on top of the defaults. */
        private final String[] settings;

        Variant(String label, String... settings) {
            this.label = label;
            this.settings = settings;
        }

        /** The scheduler's policy of this variant, on a calibrated cost model. */
        BatchPolicy policy(BatchingSettings settings, CostModel model, int executors) {
            return switch (this) {
                case OFF, ADAPTIVE, ADAPTIVE_SHARED_GPU_OFF -> BatchPolicy.forMode(settings, model, executors);
                case ADAPTIVE_NO_HOLD -> new AdaptivePolicy(model, executors, false, settings.sharedGpuMinFraction());
                case ADAPTIVE_SHARED_GPU_FIXED -> ignoringBusyBatchSize(BatchPolicy.forMode(settings, model, executors));
                case ADAPTIVE_PADDED -> blindToEngineSizes(BatchPolicy.forMode(settings, model, executors), model,
                        settings.sharedGpuMinFraction());
            };
        }
    }

    /** How requests arrive. */
    public sealed interface Workload permits ClosedLoop, Poisson, Bursts {
        String name();
    }

    /**
     * N clients, each sending its next request a turnaround after the previous answer (success or error): uniform
     * within {@code turnaround × (1 ± spread)} (network, encoding, the client's own work; spread 0.5 unless given).
     * Clients start at uniform random offsets within {@code startWindow} (200 ms unless given), so they are not
     * artificially in step; a zero window starts them together, as a benchmark client does.
     */
    public record ClosedLoop(int clients, Duration turnaround, double spread, Duration startWindow) implements Workload {

        public ClosedLoop(int clients, Duration turnaround) {
            this(clients, turnaround, 0.5, Duration.ofMillis(200));
        }

        public String name() {
            return "closed loop, " + clients + " client" + (clients == 1 ? "" : "s")
                    + (turnaround.toMillis() == 5 ? "" : ", " + turnaround.toMillis() + " ms turnaround");
        }
    }

    /** Open loop, exponential inter-arrival times; each request has 1..maxTiles tiles (uniform). */
    public record Poisson(double perSecond, int maxTiles) implements Workload {
        public String name() {
            return String.format(Locale.ROOT, "Poisson %.0f req/s%s", perSecond,
                    maxTiles > 1 ? ", 1-" + maxTiles + " tiles" : "");
        }
    }

    /** Open loop, {@code size} single-tile requests at once every {@code period}. */
    public record Bursts(int size, Duration period) implements Workload {
        public String name() {
            return "bursts of " + size + " every " + period.toMillis() + " ms";
        }
    }

    /**
     * @param curve     batch latency in nanoseconds by size
     * @param maxBatch  engine max batch
     * @param executors engine contexts
     * @param duration  simulated time measured
     * @param warmUp    simulated time before measuring
     * @param sharing   how much slower each batch runs for each other batch running at the same time: contexts of one
     *                  GPU share its SMs (0 = independent devices; the H200 measured 0.5)
     * @param shapeChangeNanos extra time of a batch whose size differs from the previous batch on the same executor
     *                  (TensorRT 8.6 set a context up again for a new input shape; the H200 measured about 4 ms)
     * @param engineSizes the batch sizes the engine runs as they are ({@code InpaintEngine.batchSizes()}); the curve
     *                  gives a size between two of them the latency of the larger one
     */
    public record Setup(IntToLongFunction curve, int maxBatch, int executors, Duration timeout, int maxQueue,
                        Duration duration, Duration warmUp, long seed, double sharing, long shapeChangeNanos,
                        List<Integer> engineSizes) {

        public Setup(IntToLongFunction curve, int maxBatch, int executors, Duration timeout, int maxQueue,
                     Duration duration, Duration warmUp, long seed, double sharing, long shapeChangeNanos) {
            this(curve, maxBatch, executors, timeout, maxQueue, duration, warmUp, seed, sharing, shapeChangeNanos,
                    java.util.stream.IntStream.rangeClosed(1, maxBatch).boxed().toList());
        }

        public Setup(IntToLongFunction curve, int maxBatch, int executors, Duration timeout, int maxQueue,
                     Duration duration, Duration warmUp, long seed, double sharing) {
            this(curve, maxBatch, executors, timeout, maxQueue, duration, warmUp, seed, sharing, 0);
        }

        public Setup(IntToLongFunction curve, int maxBatch, int executors, Duration timeout, int maxQueue,
                     Duration duration, Duration warmUp, long seed) {
            this(curve, maxBatch, executors, timeout, maxQueue, duration, warmUp, seed, 0, 0);
        }

        /** The same setup with another shape-change cost. */
        public Setup withShapeChange(long nanos) {
            return new Setup(curve, maxBatch, executors, timeout, maxQueue, duration, warmUp, seed, sharing, nanos,
                    engineSizes);
        }
    }

    /** What one run measured, over requests that arrived after the warm-up. */
    public record Result(int completed, int completedTiles, int refused, int expired, double requestsPerSecond,
                         double imagesPerSecond, double p50Millis, double p99Millis, double meanBatch,
                         long maxLatencyNanos, List<Integer> batchSizes) {
    }

    private record Event(long at, long order, Runnable action) implements Comparable<Event> {
        public int compareTo(Event other) {
            int byTime = Long.compare(at, other.at);
            return byTime != 0 ? byTime : Long.compare(order, other.order);
        }
    }

    private final Setup setup;
    private final Variant variant;
    private final Workload workload;
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private final SplittableRandom random;
    private final Tile tile = Tile.allocate(1);
    private SchedulingCore core;
    private final List<Batch> runningBatches = new ArrayList<>();
    private long now;
    private long order;
    private long measureFrom;
    private long measureUntil;
    private final List<Long> latencies = new ArrayList<>();
    private final List<Integer> batchSizes = new ArrayList<>();
    private int completedTiles;
    private int refused;
    private int expired;

    private Simulator(Setup setup, Variant variant, Workload workload) {
        this.setup = setup;
        this.variant = variant;
        this.workload = workload;
        this.random = new SplittableRandom(setup.seed());
    }

    /** A policy that answers as {@code policy} does; the variants below override the one rule they change. */
    private static class Forwarding implements BatchPolicy {
        final BatchPolicy policy;

        Forwarding(BatchPolicy policy) {
            this.policy = policy;
        }

        @Override
        public int cap(int queuedTiles, long oldestSlackNanos) {
            return policy.cap(queuedTiles, oldestSlackNanos);
        }

        @Override
        public boolean interleavesRequests() {
            return policy.interleavesRequests();
        }

        @Override
        public long holdNanos(int queuedTiles, long oldestSlackNanos, long sinceCompletionNanos, double expectedArrivals) {
            return policy.holdNanos(queuedTiles, oldestSlackNanos, sinceCompletionNanos, expectedArrivals);
        }

        @Override
        public int take(int queuedTiles, int cap) {
            return policy.take(queuedTiles, cap);
        }

        @Override
        public boolean defersToBusyExecutors(int queuedTiles, long oldestSlackNanos, int largestOtherBatch) {
            return policy.defersToBusyExecutors(queuedTiles, oldestSlackNanos, largestOtherBatch);
        }
    }

    /** The policy with the busy batch's size hidden from its shared-GPU rule: it sees every busy batch as large. */
    private static BatchPolicy ignoringBusyBatchSize(BatchPolicy policy) {
        return new Forwarding(policy) {
            @Override
            public boolean defersToBusyExecutors(int queuedTiles, long oldestSlackNanos, int largestOtherBatch) {
                return policy.defersToBusyExecutors(queuedTiles, oldestSlackNanos,
                        largestOtherBatch == 0 ? 0 : Integer.MAX_VALUE);
            }
        };
    }

    /**
     * The policy as it was before it rounded to the engine's sizes: every batch takes all the cap allows, and beside
     * a busy executor the wait is for {@code min(busy batch, ⌈f × knee⌉)} tiles, whatever size those run in.
     */
    private static BatchPolicy blindToEngineSizes(BatchPolicy policy, CostModel model, double fraction) {
        return new Forwarding(policy) {
            @Override
            public int take(int queuedTiles, int cap) {
                return Math.min(queuedTiles, cap);
            }

            @Override
            public boolean defersToBusyExecutors(int queuedTiles, long oldestSlackNanos, int largestOtherBatch) {
                if (largestOtherBatch == 0 || fraction <= 0) {
                    return false;
                }
                int wanted = Math.min(largestOtherBatch, (int) Math.ceil(fraction * model.knee()));
                return queuedTiles < wanted
                        && oldestSlackNanos > model.latencyNanos(model.maxBatch()) + model.latencyNanos(wanted);
            }
        };
    }

    /** The service's default batching settings with the setup's deadline and queue bound and the variant's changes. */
    private BatchingSettings settings() {
        List<String> properties = new ArrayList<>(List.of("timeout", setup.timeout().toMillis() + "ms",
                "max-queue", Integer.toString(setup.maxQueue())));
        properties.addAll(List.of(variant.settings));
        return TestSettings.with(properties.toArray(String[]::new));
    }

    /** Runs one workload against one scheduler variant. */
    public static Result run(Setup setup, Variant variant, Workload workload) {
        return new Simulator(setup, variant, workload).simulate();
    }

    private Result simulate() {
        FakeTicker ticker = new FakeTicker();
        BatchingSettings settings = settings();
        CostModel model = new CostModel(settings.effectiveMaxBatch(setup.maxBatch()), settings.kneeFraction(),
                setup.engineSizes());
        try {
            FakeEngine engine = FakeEngine.builder().maxBatch(setup.maxBatch()).parallelism(setup.executors())
                    .latency(setup.curve()).elapsingOn(ticker::advanceNanos).build();
            CostSweep.run(engine, model, settings.sweepRepetitions(), ticker);
        } catch (EngineException e) {
            throw new IllegalStateException(e);
        }
        BatchPolicy policy = variant.policy(settings, model, setup.executors());
        core = new SchedulingCore(settings, setup.executors(), model, policy,
                new SchedulerMetrics(new SimpleMeterRegistry()), Runnable::run, Runnable::run);
        for (int slot = 0; slot < setup.executors(); slot++) {
            runningBatches.add(null);
        }
        now = ticker.read();
        measureFrom = now + setup.warmUp().toNanos();
        measureUntil = measureFrom + setup.duration().toNanos();
        startWorkload();
        while (!events.isEmpty() && events.peek().at() <= measureUntil) {
            Event event = events.poll();
            now = event.at();
            event.action().run();
            // every event at this instant happens before executors look at the queue
            if (events.isEmpty() || events.peek().at() > now) {
                dispatchIdleExecutors();
            }
        }
        return result();
    }

    private void startWorkload() {
        switch (workload) {
            case ClosedLoop closed -> {
                for (int client = 0; client < closed.clients(); client++) {
                    long window = closed.startWindow().toNanos();
                    schedule(now + (window == 0 ? 0 : random.nextLong(window)), () -> closedLoopRequest(closed));
                }
            }
            case Poisson poisson -> schedule(now + exponential(poisson.perSecond()), () -> poissonRequest(poisson));
            case Bursts bursts -> schedule(now, () -> burst(bursts));
        }
    }

    private void closedLoopRequest(ClosedLoop closed) {
        InferenceTicket ticket = submit(1);
        if (ticket == null) {
            schedule(now + turnaround(closed) + 1_000_000L, () -> closedLoopRequest(closed));
        } else {
            ticket.completion().whenComplete((ok, error) ->
                    schedule(now + turnaround(closed), () -> closedLoopRequest(closed)));
        }
    }

    private long turnaround(ClosedLoop closed) {
        long mean = closed.turnaround().toNanos();
        long half = Math.round(mean * closed.spread());
        return mean - half + random.nextLong(2 * half + 1);
    }

    private void poissonRequest(Poisson poisson) {
        submit(1 + random.nextInt(poisson.maxTiles()));
        schedule(now + exponential(poisson.perSecond()), () -> poissonRequest(poisson));
    }

    private void burst(Bursts bursts) {
        for (int i = 0; i < bursts.size(); i++) {
            submit(1);
        }
        schedule(now + bursts.period().toNanos(), () -> burst(bursts));
    }

    /** Submits a request of {@code tiles} tiles now; returns null when it was refused. */
    private InferenceTicket submit(int tiles) {
        long arrival = now;
        boolean measured = arrival >= measureFrom;
        try {
            InferenceTicket ticket = core.submit(Collections.nCopies(tiles, tile), null, arrival);
            schedule(arrival + setup.timeout().toNanos(), () -> core.expireOverdue(now));
            ticket.completion().whenComplete((ok, error) -> {
                if (!measured) {
                    return;
                }
                if (error == null) {
                    latencies.add(now - arrival);
                    completedTiles += tiles;
                } else if (error instanceof RejectedException rejected
                        && rejected.reason() == RejectedException.Reason.DEADLINE_EXPIRED) {
                    expired++;
                }
            });
            return ticket;
        } catch (RejectedException e) {
            if (measured) {
                refused++;
            }
            return null;
        }
    }

    private void dispatchIdleExecutors() {
        for (int slot = 0; slot < setup.executors(); slot++) {
            if (runningBatches.get(slot) != null) {
                continue;
            }
            Batch batch = core.nextBatch(slot, now);
            if (batch == null) {
                long holdUntil = core.holdUntil();
                if (holdUntil != Long.MAX_VALUE) {
                    schedule(holdUntil, () -> { });
                }
                continue;
            }
            runningBatches.set(slot, batch);
            if (now >= measureFrom) {
                batchSizes.add(batch.size());
            }
            startOnGpu(slot, batch);
        }
    }

    /*
     * The GPU as a processor shared by the batches running on it: a batch needs its curve latency of work when alone;
     * while k batches run, each advances at 1 / (1 + sharing * (k - 1)) of that speed. Every start or end changes the
     * speed of the others, so their completions are rescheduled (an event of an older plan is ignored).
     */
    private final class GpuJob {
        final int slot;
        final Batch batch;
        double remainingNanos;
        long plan;

        GpuJob(int slot, Batch batch, double remainingNanos) {
            this.slot = slot;
            this.batch = batch;
            this.remainingNanos = remainingNanos;
        }
    }

    private final List<GpuJob> onGpu = new ArrayList<>();
    private long gpuUpdatedAt;
    private final java.util.Map<Integer, Integer> lastSize = new java.util.HashMap<>();

    private void startOnGpu(int slot, Batch batch) {
        advanceGpu();
        Integer previous = lastSize.put(slot, batch.size());
        long work = setup.curve().applyAsLong(batch.size());
        if (previous != null && previous != batch.size()) {
            work += setup.shapeChangeNanos();
        }
        onGpu.add(new GpuJob(slot, batch, work));
        replanGpu();
    }

    private void advanceGpu() {
        double slowdown = 1 + setup.sharing() * Math.max(0, onGpu.size() - 1);
        for (GpuJob job : onGpu) {
            job.remainingNanos -= (now - gpuUpdatedAt) / slowdown;
        }
        gpuUpdatedAt = now;
    }

    private void replanGpu() {
        double slowdown = 1 + setup.sharing() * Math.max(0, onGpu.size() - 1);
        for (GpuJob job : onGpu) {
            long plan = ++job.plan;
            schedule(now + Math.max(0, Math.round(job.remainingNanos * slowdown)), () -> {
                if (job.plan != plan) {
                    return;
                }
                advanceGpu();
                onGpu.remove(job);
                replanGpu();
                runningBatches.set(job.slot, null);
                core.complete(job.batch, now);
            });
        }
    }

    private Result result() {
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        double seconds = setup.duration().toNanos() / 1e9;
        double meanBatch = batchSizes.stream().mapToInt(Integer::intValue).average().orElse(0);
        return new Result(sorted.size(), completedTiles, refused, expired, sorted.size() / seconds,
                completedTiles / seconds, percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.99) / 1e6, meanBatch,
                sorted.isEmpty() ? 0 : sorted.getLast(), List.copyOf(batchSizes));
    }

    private static long percentile(List<Long> sorted, double quantile) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int rank = (int) Math.ceil(quantile * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    private long exponential(double perSecond) {
        return Math.max(1, Math.round(-Math.log(1 - random.nextDouble()) / perSecond * 1e9));
    }

    private void schedule(long at, Runnable action) {
        events.add(new Event(at, order++, action));
    }

    /** The T4-like setup of docs/batching.md. */
    public static Setup t4Setup() {
        BatchingSettings defaults = TestSettings.defaults();
        return new Setup(Simulator::t4Nanos, 16, 1, defaults.timeout(), defaults.maxQueue(), Duration.ofSeconds(300),
                Duration.ofSeconds(10), 42);
    }

    /** 45 ms + 20 ms per image up to 8; beyond 8 no per-image gain. */
    public static long t4Nanos(int size) {
        return io.lamaserve.batching.CostCurves.t4Nanos(size);
    }

    /**
     * The NVIDIA H200 of docs/tensorrt.md ("Through HTTP"): the batch latencies its startup sweep measured on one
     * context (linear between the measured sizes), 2 contexts that slow each other down by 50 % while both run
     * (batching off served 110 images/s at 32 clients: 2 / (12.10 ms × 1.5)), 4 ms more for a batch whose size
     * differs from the context's previous one (alternating 1 and 2: 16.13 / 20.21 ms against 12.56 / 16.06 ms),
     * max batch 32.
     */
    public static Setup h200Setup() {
        BatchingSettings defaults = TestSettings.defaults();
        return new Setup(Simulator::h200Nanos, 32, 2, defaults.timeout(), defaults.maxQueue(), Duration.ofSeconds(120),
                Duration.ofSeconds(5), 42, 0.5, 4_000_000L);
    }

    /**
     * The H200 with the TensorRT 10.6 engine of docs/tensorrt.md (2026-12-04): one execution context per batch size
     * 1, 2, 4, …, 32 with CUDA graphs (8.69 ms at 1 … 119.03 ms at 32; a size in between runs as the next larger one),
     * no cost for a change of size, and 2 slots that slow each other down by 80 % while both run (the offline
     * two-slot figures give 59 % at batch 1, 76 % at 8 and 87 % at 32).
     */
    public static Setup h200Trt10Setup() {
        BatchingSettings defaults = TestSettings.defaults();
        return new Setup(Simulator::h200Trt10Nanos, 32, 2, defaults.timeout(), defaults.maxQueue(),
                Duration.ofSeconds(120), Duration.ofSeconds(5), 42, 0.8, 0, List.of(1, 2, 4, 8, 16, 32));
    }

    /**
     * The H100 of docs/tensorrt.md's proof run of 2026-12-06: an engine with the batch sizes 1, 2, 8 and 32 only
     * (5.56, 8.61, 25.26 and 92.06 ms with CUDA graphs on one slot; any other size runs as the next larger one), no
     * cost for a change of size, 2 slots that slow each other down by 75 % while both run (the offline two-slot
     * figures give 66 % at batch 1, 74 % at 8 and 82 % at 32).
     */
    public static Setup h100SparseSetup() {
        BatchingSettings defaults = TestSettings.defaults();
        return new Setup(Simulator::h100SparseNanos, 32, 2, defaults.timeout(), defaults.maxQueue(),
                Duration.ofSeconds(120), Duration.ofSeconds(5), 42, 0.75, 0, List.of(1, 2, 8, 32));
    }

    private static final int[] H100_SPARSE_SIZES = {1, 2, 8, 32};
    private static final double[] H100_SPARSE_MILLIS = {5.56, 8.61, 25.26, 92.06};

    static long h100SparseNanos(int size) {
        int i = 0;
        while (H100_SPARSE_SIZES[i] < size) {
            i++;
        }
        return Math.round(H100_SPARSE_MILLIS[i] * 1e6);
    }

    private static final double[] H200_TRT10_MILLIS = {8.69, 13.33, 19.81, 34.32, 62.93, 119.03};

    static long h200Trt10Nanos(int size) {
        int i = 0;
        while (H200_SIZES[i] < size) {
            i++;
        }
        return Math.round(H200_TRT10_MILLIS[i] * 1e6);
    }

    private static final int[] H200_SIZES = {1, 2, 4, 8, 16, 32};
    private static final double[] H200_MILLIS = {12.10, 16.44, 25.10, 43.76, 78.48, 150.70};

    static long h200Nanos(int size) {
        int i = 1;
        while (i < H200_SIZES.length - 1 && H200_SIZES[i] < size) {
            i++;
        }
        double fraction = (double) (size - H200_SIZES[i - 1]) / (H200_SIZES[i] - H200_SIZES[i - 1]);
        return Math.round((H200_MILLIS[i - 1] + fraction * (H200_MILLIS[i] - H200_MILLIS[i - 1])) * 1e6);
    }

    /** Patterns of the report. */
    public static List<Workload> patterns() {
        Duration turnaround = Duration.ofMillis(5);
        return List.of(
                new ClosedLoop(1, turnaround), new ClosedLoop(2, turnaround), new ClosedLoop(4, turnaround),
                new ClosedLoop(6, turnaround), new ClosedLoop(16, turnaround),
                new ClosedLoop(6, Duration.ofMillis(30)), new ClosedLoop(6, Duration.ofMillis(100)),
                new Poisson(10, 1), new Poisson(14, 1), new Poisson(25, 1), new Poisson(35, 1),
                new Poisson(8, 4),
                new Bursts(24, Duration.ofSeconds(2)));
    }

    public static void main(String[] args) {
        if (args.length > 0 && (args[0].startsWith("h200") || args[0].equals("h100-sparse"))) {
            Setup gpu = switch (args[0]) {
                case "h200-trt10" -> h200Trt10Setup();
                case "h100-sparse" -> h100SparseSetup();
                default -> h200Setup();
            };
            gpuReport(gpu, args.length > 1 ? Duration.ofMillis(Long.parseLong(args[1])) : Duration.ofMillis(50),
                    args.length > 2 ? Double.parseDouble(args[2]) : 0.5,
                    Duration.ofMillis(args.length > 3 ? Long.parseLong(args[3]) : 200));
            return;
        }
        Setup setup = t4Setup();
        long started = System.nanoTime();
        System.out.printf(Locale.ROOT, "T4-like curve: 45 ms + 20 ms/image up to 8, flat beyond; max batch %d, "
                        + "%d executor, timeout %d s, queue %d tiles; %d s measured after %d s warm-up, seed %d%n%n",
                setup.maxBatch(), setup.executors(), setup.timeout().toSeconds(), setup.maxQueue(),
                setup.duration().toSeconds(), setup.warmUp().toSeconds(), setup.seed());
        String header = String.format(Locale.ROOT, "| %-42s | %-18s | %8s | %8s | %8s | %8s | %6s | %7s | %7s |",
                "pattern", "mode", "req/s", "img/s", "p50 ms", "p99 ms", "batch", "refused", "expired");
        System.out.println(header);
        System.out.println(header.replaceAll("[^|]", "-"));
        for (Workload workload : patterns()) {
            for (Variant variant : List.of(Variant.OFF, Variant.ADAPTIVE, Variant.ADAPTIVE_NO_HOLD)) {
                Result r = run(setup, variant, workload);
                System.out.printf(Locale.ROOT, "| %-42s | %-18s | %8.2f | %8.2f | %8.1f | %8.1f | %6.2f | %7d | %7d |%n",
                        workload.name(), variant.label, r.requestsPerSecond(), r.imagesPerSecond(), r.p50Millis(),
                        r.p99Millis(), r.meanBatch(), r.refused(), r.expired());
            }
        }
        System.out.printf(Locale.ROOT, "%nsimulated in %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    /** Closed loops of 1..32 clients on the H200 setup; the turnaround stands for codec, HTTP and the client. */
    private static void gpuReport(Setup setup, Duration turnaround, double spread, Duration startWindow) {
        System.out.printf(Locale.ROOT, "GPU curve (engine sizes %s), %d contexts sharing the GPU (+%.0f %% per other busy "
                        + "context), max batch %d, turnaround %d ms ± %.0f %%, clients start within %d ms; %d s "
                        + "measured, seed %d%n%n",
                setup.engineSizes(), setup.executors(), setup.sharing() * 100, setup.maxBatch(), turnaround.toMillis(), spread * 100,
                startWindow.toMillis(),
                setup.duration().toSeconds(), setup.seed());
        System.out.println("| clients | mode | img/s | p50 ms | p99 ms | mean batch |");
        System.out.println("|---|---|---|---|---|---|");
        for (int clients : new int[] {1, 6, 16, 32, 64}) {
            List<Variant> variants = setup.engineSizes().size() < setup.maxBatch() / 4
                    ? List.of(Variant.OFF, Variant.ADAPTIVE_PADDED, Variant.ADAPTIVE)
                    : List.of(Variant.OFF, Variant.ADAPTIVE_SHARED_GPU_OFF, Variant.ADAPTIVE_SHARED_GPU_FIXED, Variant.ADAPTIVE);
            for (Variant variant : variants) {
                Result r = run(setup, variant, new ClosedLoop(clients, turnaround, spread, startWindow));
                System.out.printf(Locale.ROOT, "| %d | %s | %.1f | %.1f | %.1f | %.2f |%n", clients, variant.label,
                        r.imagesPerSecond(), r.p50Millis(), r.p99Millis(), r.meanBatch());
            }
        }
    }
}
