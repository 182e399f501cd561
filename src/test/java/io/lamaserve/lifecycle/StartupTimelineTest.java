package io.lamaserve.lifecycle;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StartupTimelineTest {

    private static final Instant JVM_START = Instant.parse("2026-01-01T00:00:00Z");

    private final AtomicReference<Instant> now = new AtomicReference<>(JVM_START);
    private final InstantSource clock = () -> now.get();
    private final StartupTimeline timeline = new StartupTimeline(JVM_START, clock);

    private void at(long millisAfterStart) {
        now.set(JVM_START.plusMillis(millisAfterStart));
    }

    @Test
    void phasesAreMeasuredFromProcessStart() {
        at(412);
        timeline.mark(StartupPhase.CONFIG_LOADED, "config");
        at(1_250);
        PhaseMark model = timeline.mark(StartupPhase.MODEL_RESOLVED, "cached /models/x.onnx");

        assertEquals(Duration.ofMillis(1_250), model.sinceProcessStart());
        assertEquals(1.25, model.seconds(), 1e-9);
        assertEquals("cached /models/x.onnx", model.detail());
        assertEquals(Duration.ofMillis(412), timeline.get(StartupPhase.CONFIG_LOADED).orElseThrow().sinceProcessStart());
        assertTrue(timeline.get(StartupPhase.ENGINE_LOADED).isEmpty());
    }

    @Test
    void theFirstMarkOfAPhaseCounts() {
        at(100);
        timeline.mark(StartupPhase.ENGINE_LOADED, "first");
        at(900);
        PhaseMark repeat = timeline.mark(StartupPhase.ENGINE_LOADED, "second");

        assertEquals("first", repeat.detail());
        assertEquals(Duration.ofMillis(100), timeline.get(StartupPhase.ENGINE_LOADED).orElseThrow().sinceProcessStart());
    }

    @Test
    void readyWaitsForWarmUpWhenHttpOpensFirst() {
        at(700);
        timeline.mark(StartupPhase.HTTP_LISTENING, "port 8080");
        assertTrue(timeline.get(StartupPhase.READY).isEmpty());

        at(1_100);
        timeline.mark(StartupPhase.WARMUP_DONE, "sweep");

        assertEquals(Duration.ofMillis(1_100), timeline.get(StartupPhase.READY).orElseThrow().sinceProcessStart());
    }

    @Test
    void readyWaitsForHttpWhenWarmUpFinishesFirst() {
        at(600);
        timeline.mark(StartupPhase.WARMUP_DONE, "sweep");
        assertTrue(timeline.get(StartupPhase.READY).isEmpty());

        at(800);
        timeline.mark(StartupPhase.HTTP_LISTENING, "port 8080");

        assertEquals(Duration.ofMillis(800), timeline.get(StartupPhase.READY).orElseThrow().sinceProcessStart());
    }

    @Test
    void readyCannotBeMarkedDirectly() {
        assertThrows(IllegalArgumentException.class, () -> timeline.mark(StartupPhase.READY, "now"));
        assertTrue(timeline.get(StartupPhase.READY).isEmpty());
    }

    @Test
    void marksAndSummaryFollowTheOrderPhasesWereReached() {
        at(300);
        timeline.mark(StartupPhase.HTTP_LISTENING, null);
        at(200);
        timeline.mark(StartupPhase.CONFIG_LOADED, null);
        at(1_500);
        timeline.mark(StartupPhase.WARMUP_DONE, null);

        List<StartupPhase> order = timeline.marks().stream().map(PhaseMark::phase).toList();
        assertEquals(List.of(StartupPhase.CONFIG_LOADED, StartupPhase.HTTP_LISTENING, StartupPhase.WARMUP_DONE,
                StartupPhase.READY), order);
        assertEquals("startup: config_loaded=0.200s http_listening=0.300s warmup_done=1.500s ready=1.500s",
                timeline.summary());
        assertEquals("", timeline.get(StartupPhase.CONFIG_LOADED).orElseThrow().detail());
    }

    @Test
    void readyIsMarkedOnceWhenBothPrerequisitesRace() throws InterruptedException {
        for (int round = 0; round < 50; round++) {
            StartupTimeline raced = new StartupTimeline(JVM_START, clock);
            CountDownLatch go = new CountDownLatch(1);
            Thread warmup = Thread.ofPlatform().start(() -> awaitThenMark(go, raced, StartupPhase.WARMUP_DONE));
            Thread http = Thread.ofPlatform().start(() -> awaitThenMark(go, raced, StartupPhase.HTTP_LISTENING));
            go.countDown();
            warmup.join();
            http.join();
            assertEquals(1, raced.marks().stream().filter(m -> m.phase() == StartupPhase.READY).count());
        }
    }

    private static void awaitThenMark(CountDownLatch go, StartupTimeline timeline, StartupPhase phase) {
        try {
            go.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        timeline.mark(phase, "race");
    }

    @Test
    void gaugesExportEveryPhaseInSecondsAndNaNUntilReached() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        StartupPhaseGauges.register(registry, timeline);

        assertEquals(StartupPhase.values().length, registry.find(StartupPhaseGauges.NAME).gauges().size());
        Gauge engine = registry.get(StartupPhaseGauges.NAME).tag("phase", "engine_loaded").gauge();
        assertTrue(Double.isNaN(engine.value()));

        at(2_345);
        timeline.mark(StartupPhase.ENGINE_LOADED, "plan loaded");

        assertEquals(2.345, engine.value(), 1e-9);
        assertTrue(Double.isNaN(registry.get(StartupPhaseGauges.NAME).tag("phase", "ready").gauge().value()));
        assertFalse(Double.isNaN(registry.get(StartupPhaseGauges.NAME).tag("phase", "engine_loaded").gauge().value()));
    }
}
