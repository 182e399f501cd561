package io.lamaserve.batching;

import io.lamaserve.config.LamaConfig.BatchingConfig.Mode;
import io.lamaserve.engine.EngineException;
import io.lamaserve.engine.FakeEngine;
import io.lamaserve.lifecycle.StartupPhase;
import io.lamaserve.lifecycle.StartupTimeline;
import io.lamaserve.tile.Tile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scheduler with real executor threads against a fake engine on virtual time (T4-like curve: 45 ms + 20 ms per
 * image up to 8; knee 7, peak 8). Gated tests hold a batch in the engine while they queue more, so what a batch
 * takes is decided by the test, not by thread timing.
 */
class BatchSchedulerTest {

    private final FakeTicker ticker = new FakeTicker();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final StartupTimeline timeline = StartupTimeline.sinceJvmStart();
    private FakeEngine engine;
    private BatchScheduler scheduler;

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.open();
        }
        if (scheduler != null) {
            scheduler.close();
        }
    }

    private void startScheduler(Mode mode, int maxQueue, int parallelism, boolean gated) throws EngineException {
        engine = FakeEngine.builder().maxBatch(16).parallelism(parallelism).latency(CostCurves.T4)
                .elapsingOn(ticker::advanceNanos).build();
        BatchingSettings settings = TestSettings.with("mode", mode.name().toLowerCase(Locale.ROOT),
                "max-queue", Integer.toString(maxQueue));
        scheduler = new BatchScheduler(engine, settings, ticker, registry, Runnable::run, timeline);
        scheduler.start();
        assertTrue(scheduler.ready());
        if (gated) {
            engine.hold();
        }
    }

    private List<Tile> tiles(int count) {
        return IntStream.range(0, count).mapToObj(i -> Tile.allocate(engine.tileSize())).toList();
    }

    private static void await(CompletableFuture<Void> future) throws Exception {
        future.get(5, TimeUnit.SECONDS);
    }

    private static RejectedException failureOf(CompletableFuture<Void> future) throws Exception {
        ExecutionException failure = assertThrows(ExecutionException.class, () -> future.get(5, TimeUnit.SECONDS));
        return assertInstanceOf(RejectedException.class, failure.getCause());
    }

    /** Holds one single-tile request in the engine and returns it; the queue is empty afterwards. */
    private InferenceTicket occupyExecutor() {
        return occupyExecutor(1);
    }

    /** One request of {@code tileCount} tiles, started as one batch on an idle executor. */
    private InferenceTicket occupyExecutor(int tileCount) {
        InferenceTicket ticket = scheduler.submit(tiles(tileCount), null);
        assertEquals(tileCount, engine.awaitStart().size());
        return ticket;
    }

    @Test
    void singleClientGetsTheEngineLatencyWithoutAddedWait() throws Exception {
        startScheduler(Mode.ADAPTIVE, 64, 1, false);
        for (int i = 0; i < 5; i++) {
            long submitted = ticker.read();
            await(scheduler.submit(tiles(1), null).completion());
            long added = ticker.read() - submitted - CostCurves.t4Nanos(1);
            assertTrue(added < 2_000_000L, "added latency " + added + " ns");
        }
    }

    @Test
    void besideABusyExecutorALoneTileWaitsForCompanyOrForTheCompletion() throws Exception {
        // two executors, lama.batching.shared-gpu-min-fraction's default 0.5 of the knee (7): 4 tiles, or as many as
        // the busy executor's batch if that is smaller
        engine = FakeEngine.builder().maxBatch(16).parallelism(2).latency(CostCurves.T4)
                .elapsingOn(ticker::advanceNanos).build();
        scheduler = new BatchScheduler(engine, TestSettings.defaults(), ticker, registry, Runnable::run, timeline);
        scheduler.start();
        engine.hold();
        InferenceTicket first = occupyExecutor(6);
        InferenceTicket lone = scheduler.submit(tiles(1), null);
        engine.assertNoStart(); // the other executor leaves a single tile to the busy one
        List<InferenceTicket> company = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            company.add(scheduler.submit(tiles(1), null));
        }
        assertEquals(4, engine.awaitStart().size()); // half the knee is queued: it starts
        engine.release();
        engine.release();
        await(first.completion());
        await(lone.completion());
        for (InferenceTicket ticket : company) {
            await(ticket.completion());
        }

        InferenceTicket busy = occupyExecutor(6);
        InferenceTicket alone = scheduler.submit(tiles(1), null);
        engine.assertNoStart();
        engine.release(); // the busy executor finishes: nobody is busy, so the single tile goes at once
        assertEquals(1, engine.awaitStart().size());
        engine.release();
        await(busy.completion());
        await(alone.completion());

        InferenceTicket small = occupyExecutor(1);
        InferenceTicket beside = scheduler.submit(tiles(1), null);
        assertEquals(1, engine.awaitStart().size()); // beside a batch of one, a single tile starts at once
        engine.release();
        engine.release();
        await(small.completion());
        await(beside.completion());
    }

    @Test
    void batchesGrowToTheKneeUnderLoad() throws Exception {
        startScheduler(Mode.ADAPTIVE, 64, 1, true);
        InferenceTicket first = occupyExecutor();
        List<InferenceTicket> waiting = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            waiting.add(scheduler.submit(tiles(1), null));
        }
        engine.release();
        assertEquals(7, engine.awaitStart().size()); // the knee
        engine.release();
        assertEquals(3, engine.awaitStart().size()); // the rest, at once
        engine.release();
        await(first.completion());
        for (InferenceTicket ticket : waiting) {
            await(ticket.completion());
        }
    }

    @Test
    void deepQueueRaisesTheCapToThePeak() throws Exception {
        startScheduler(Mode.ADAPTIVE, 64, 1, true);
        occupyExecutor();
        for (int i = 0; i < 20; i++) {
            scheduler.submit(tiles(1), null);
        }
        engine.release();
        assertEquals(8, engine.awaitStart().size()); // 20 queued >= 1 executor × max 16: the peak
        engine.release();
        assertEquals(7, engine.awaitStart().size()); // 12 queued: the knee
        engine.release();
        assertEquals(5, engine.awaitStart().size()); // the rest
    }

    @Test
    void requestsLeaveInArrivalOrder() throws Exception {
        startScheduler(Mode.ADAPTIVE, 64, 1, true);
        occupyExecutor();
        List<Tile> b = tiles(1);
        List<Tile> c = tiles(1);
        List<Tile> d = tiles(1);
        scheduler.submit(b, null);
        scheduler.submit(c, null);
        scheduler.submit(d, null);
        engine.release();
        FakeEngine.Call next = engine.awaitStart();
        assertSame(b.getFirst(), next.tiles().get(0));
        assertSame(c.getFirst(), next.tiles().get(1));
        assertSame(d.getFirst(), next.tiles().get(2));
    }

    @Test
    void largeRequestDoesNotHoldBackALaterSmallOne() throws Exception {
        startScheduler(Mode.ADAPTIVE, 64, 1, true);
        occupyExecutor();
        List<Tile> large = tiles(20);
        List<Tile> small = tiles(1);
        InferenceTicket largeTicket = scheduler.submit(large, null);
        InferenceTicket smallTicket = scheduler.submit(small, null);
        engine.release();
        FakeEngine.Call next = engine.awaitStart();
        assertEquals(8, next.size());
        assertTrue(next.tiles().contains(small.getFirst()), "the small request rides in the very next batch");
        assertSame(large.getFirst(), next.tiles().getFirst(), "the older request still goes first");
        engine.release();
        await(smallTicket.completion());
        assertFalse(largeTicket.completion().isDone());
    }

    @Test
    void deadlinePassingInTheQueueAnswers503AndNeverComputes() throws Exception {
        startScheduler(Mode.ADAPTIVE, 64, 1, true);
        InferenceTicket running = occupyExecutor();
        List<Tile> late = tiles(2);
        InferenceTicket lateTicket = scheduler.submit(late, Duration.ofMillis(300));
        ticker.advance(Duration.ofMillis(400)); // the running batch is slower than predicted
        engine.release();
        await(running.completion());

        RejectedException expired = failureOf(lateTicket.completion());
        assertEquals(RejectedException.Reason.DEADLINE_EXPIRED, expired.reason());
        assertTrue(expired.retryAfterSeconds() >= 1);
        engine.assertNoStart();
        assertFalse(engine.saw(late.get(0)) || engine.saw(late.get(1)));
        assertEquals(0f, late.get(0).output()[0]);
        assertEquals(1.0, registry.get("lama.rejections").tag("reason", "deadline_expired").counter().count());
    }

    @Test
    void requestThatCannotMeetItsDeadlineIsRefusedOnArrival() throws Exception {
        startScheduler(Mode.ADAPTIVE, 64, 1, false);
        // batch 1 takes 65 ms on an idle executor
        int callsBefore = engine.calls().size();
        RejectedException refused = assertThrows(RejectedException.class,
                () -> scheduler.submit(tiles(1), Duration.ofMillis(60)));
        assertEquals(RejectedException.Reason.DEADLINE_UNREACHABLE, refused.reason());
        assertTrue(refused.retryAfterSeconds() >= 1);
        assertEquals(callsBefore, engine.calls().size());
        await(scheduler.submit(tiles(1), Duration.ofMillis(70)).completion());
    }

    @Test
    void fullQueueAnswers429WithRetryAfterAndNeverComputesTheRefusedTiles() throws Exception {
        startScheduler(Mode.ADAPTIVE, 8, 1, true);
        occupyExecutor();
        InferenceTicket filling = scheduler.submit(tiles(8), null);
        List<Tile> refusedTiles = tiles(1);
        RejectedException refused = assertThrows(RejectedException.class, () -> scheduler.submit(refusedTiles, null));
        assertEquals(RejectedException.Reason.QUEUE_FULL, refused.reason());
        assertTrue(refused.retryAfterSeconds() > 0);

        RejectedException tooLarge = assertThrows(RejectedException.class, () -> scheduler.submit(tiles(9), null));
        assertEquals(RejectedException.Reason.TOO_MANY_TILES, tooLarge.reason());
        assertEquals(0, tooLarge.retryAfterSeconds(), "a retry cannot help a request larger than the queue");

        engine.release();
        assertEquals(7, engine.awaitStart().size());
        engine.release();
        assertEquals(1, engine.awaitStart().size());
        engine.release();
        await(filling.completion());
        engine.assertNoStart();
        assertFalse(engine.saw(refusedTiles.getFirst()));
    }

    @Test
    void cancelledRequestCostsNoInference() throws Exception {
        startScheduler(Mode.ADAPTIVE, 64, 1, true);
        InferenceTicket running = occupyExecutor();
        List<Tile> gone = tiles(3);
        InferenceTicket goneTicket = scheduler.submit(gone, null);
        goneTicket.cancel();
        assertEquals(0, scheduler.queuedTiles());
        engine.release();
        await(running.completion());
        engine.assertNoStart();
        assertTrue(gone.stream().noneMatch(engine::saw));
        assertThrows(CancellationException.class, () -> goneTicket.completion().get(1, TimeUnit.SECONDS));
        assertEquals(3.0, registry.get("lama.cancelled.tiles").counter().count());
    }

    @Test
    void requestCancelledWhileRunningIsNotReportedAsDone() throws Exception {
        startScheduler(Mode.ADAPTIVE, 64, 1, true);
        InferenceTicket running = occupyExecutor();
        running.cancel();
        engine.release();
        assertThrows(CancellationException.class, () -> running.completion().get(5, TimeUnit.SECONDS));
        InferenceTicket next = scheduler.submit(tiles(1), null);
        engine.awaitStart();
        engine.release();
        await(next.completion());
    }

    @Test
    void engineFailureFailsItsRequestsWith503AndTheNextBatchWorks() throws Exception {
        startScheduler(Mode.ADAPTIVE, 64, 1, true);
        engine.failNextBatches(1);
        InferenceTicket failing = occupyExecutor();
        InferenceTicket next = scheduler.submit(tiles(2), null);
        engine.release();
        RejectedException failed = failureOf(failing.completion());
        assertEquals(RejectedException.Reason.ENGINE_FAILED, failed.reason());
        assertInstanceOf(EngineException.class, failed.getCause());

        assertEquals(2, engine.awaitStart().size());
        engine.release();
        await(next.completion());
    }

    @Test
    void offModeRunsOneTileAtATimeInArrivalOrder() throws Exception {
        startScheduler(Mode.OFF, 64, 1, true);
        occupyExecutor();
        List<Tile> b = tiles(3);
        List<Tile> c = tiles(1);
        scheduler.submit(b, null);
        scheduler.submit(c, null);
        List<Tile> order = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            engine.release();
            FakeEngine.Call call = engine.awaitStart();
            assertEquals(1, call.size());
            order.add(call.tiles().getFirst());
        }
        assertEquals(List.of(b.get(0), b.get(1), b.get(2), c.get(0)), order);
    }

    @Test
    void offModeStillUsesEveryExecutor() throws Exception {
        startScheduler(Mode.OFF, 64, 2, true);
        scheduler.submit(tiles(1), null);
        scheduler.submit(tiles(1), null);
        FakeEngine.Call first = engine.awaitStart();
        FakeEngine.Call second = engine.awaitStart(); // both run before either is released
        assertEquals(java.util.Set.of(0, 1), java.util.Set.of(first.slot(), second.slot()));
    }

    @Test
    void drainRefusesNewWorkAndFinishesQueuedWork() throws Exception {
        startScheduler(Mode.ADAPTIVE, 64, 1, true);
        InferenceTicket running = occupyExecutor();
        InferenceTicket queued = scheduler.submit(tiles(1), null);
        CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> scheduler.drain(Duration.ofSeconds(5)));
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (scheduler.ready() && System.nanoTime() < giveUp) {
            Thread.onSpinWait();
        }
        RejectedException refused = assertThrows(RejectedException.class, () -> scheduler.submit(tiles(1), null));
        assertEquals(RejectedException.Reason.DRAINING, refused.reason());
        assertTrue(refused.retryAfterSeconds() >= 1);

        engine.release();
        engine.awaitStart();
        engine.release();
        assertTrue(drained.get(5, TimeUnit.SECONDS));
        await(running.completion());
        await(queued.completion());
    }

    @Test
    void refusesWorkUntilWarmedUp() {
        engine = FakeEngine.builder().maxBatch(16).parallelism(1).latency(CostCurves.T4)
                .elapsingOn(ticker::advanceNanos).build();
        scheduler = new BatchScheduler(engine, TestSettings.defaults(),
                ticker, registry, Runnable::run, timeline);
        assertFalse(scheduler.ready());
        RejectedException refused = assertThrows(RejectedException.class, () -> scheduler.submit(tiles(1), null));
        assertEquals(RejectedException.Reason.NOT_READY, refused.reason());
        assertTrue(engine.calls().isEmpty());
    }

    @Test
    void marksTheEndOfWarmUpOnTheStartupTimelineWithTheKnee() throws Exception {
        assertTrue(timeline.get(StartupPhase.WARMUP_DONE).isEmpty());
        startScheduler(Mode.ADAPTIVE, 64, 1, false);
        String detail = timeline.get(StartupPhase.WARMUP_DONE).orElseThrow().detail();
        assertTrue(detail.contains("cost sweep") && detail.endsWith("knee 7"), detail);
    }

    @Test
    void exportsTheCostModelAndBatchMetrics() throws Exception {
        startScheduler(Mode.ADAPTIVE, 64, 1, false);
        await(scheduler.submit(tiles(3), null).completion());
        assertEquals(7.0, registry.get("lama.batch.knee").gauge().value());
        assertEquals(0.125, registry.get("lama.cost.model.latency").tag("batch", "4").gauge().value(), 1e-9);
        assertEquals(1, registry.get("lama.batch.size").summary().count());
        assertEquals(3.0, registry.get("lama.batch.size").summary().totalAmount());
        assertEquals(3.0, registry.get("lama.images").counter().count());
        assertEquals(0.0, registry.get("lama.queue.depth").gauge().value());
    }
}
