package io.lamaserve.engine.tensorrt;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StartPhasesTest {

    private static StartPhases cachedStart() {
        return new StartPhases("TensorRT")
                .recordBackground(StartPhases.Phase.PROBE, 0.4121, 0.05)
                .recordBackground(StartPhases.Phase.PLAN_READ, 0.18, 0)
                .record(StartPhases.Phase.DESERIALIZE, 0.35)
                .record(StartPhases.Phase.CONTEXTS, 0.12)
                .engine("tensorrt-fp16-o3")
                .record(StartPhases.Phase.WARMUP, 0.3);
    }

    @Test
    void oneLineInPhaseOrderWithTheWaitForBackgroundPhases() {
        assertEquals("TensorRT start of tensorrt-fp16-o3: library/CUDA probe 0.412 s (background, waited 0.050 s), "
                        + "plan read+verify 0.180 s (background, waited 0.000 s), deserialize 0.350 s, contexts 0.120 s, "
                        + "warm-up 0.300 s; 0.820 s in the foreground", cachedStart().line());
        assertFalse(cachedStart().line().contains("\n"));
    }

    @Test
    void foregroundCountsBackgroundPhasesByTheirWaitOnly() {
        assertEquals(0.05 + 0 + 0.35 + 0.12 + 0.3, cachedStart().foregroundSeconds(), 1e-9);
        StartPhases serial = new StartPhases("x").record(StartPhases.Phase.PROBE, 0.4).record(StartPhases.Phase.PLAN_READ, 0.2);
        assertEquals(0.6, serial.foregroundSeconds(), 1e-9);
    }

    @Test
    void jsonHasOneKeyPerRecordedPhaseAndTheWaits() {
        assertEquals("{\"probe\":0.412,\"probe_waited\":0.050,\"plan_read\":0.180,\"plan_read_waited\":0.000,"
                + "\"deserialize\":0.350,\"contexts\":0.120,\"warmup\":0.300,\"foreground\":0.820}", cachedStart().json());
        assertEquals("{}", new StartPhases("x").json());
    }

    @Test
    void aBuiltEngineShowsItsBuildAndRepeatedForegroundPhasesAddUp() {
        StartPhases phases = new StartPhases("TensorRT")
                .record(StartPhases.Phase.PROBE, 0.5)
                .record(StartPhases.Phase.PLAN_READ, 0.001)
                // the cached plan was rejected, so the plan is read again before the build
                .record(StartPhases.Phase.PLAN_READ, 0.002)
                .record(StartPhases.Phase.BUILD, 170.25);
        assertEquals(0.003, phases.seconds(StartPhases.Phase.PLAN_READ).orElseThrow(), 1e-12);
        assertTrue(phases.seconds(StartPhases.Phase.DESERIALIZE).isEmpty());
        assertTrue(phases.waited(StartPhases.Phase.BUILD).isEmpty());
        assertEquals("TensorRT start of TensorRT: library/CUDA probe 0.500 s, plan read+verify 0.003 s, "
                + "build 170.250 s; 170.753 s in the foreground", phases.line());
    }

    @Test
    void theLineIsClaimedForLoggingOnce() {
        StartPhases phases = cachedStart();
        assertTrue(phases.claimLog());
        assertFalse(phases.claimLog());
    }

    @Test
    void theLineWaitsForTheWarmUp() {
        StartPhases phases = new StartPhases("x").record(StartPhases.Phase.DESERIALIZE, 0.2);
        assertFalse(phases.claimLog(), "logged before the warm-up");
        phases.record(StartPhases.Phase.WARMUP, 0.1);
        assertTrue(phases.claimLog());
    }

    @Test
    void aStartThatRanBeforeItWasNeededCountsOnlyTheWaitForIt() {
        StartPhases phases = cachedStart().startedEarly();
        // warmed up before the producer took the engine over: the line waits for the producer's wait
        assertFalse(phases.claimLog());
        assertTrue(Double.isNaN(phases.value("open_waited")));
        phases.openedEarly(0.04);
        assertTrue(phases.claimLog());
        assertFalse(phases.claimLog());
        assertEquals(0.04, phases.foregroundSeconds(), 1e-12);
        assertEquals(0.04, phases.value("open_waited"), 1e-12);
        assertTrue(phases.line().endsWith("warm-up 0.300 s; 0.040 s in the foreground (all of it started while the "
                + "service booted; that is the wait for it)"), phases.line());
        assertTrue(phases.json().endsWith(",\"warmup\":0.300,\"open_waited\":0.040,\"foreground\":0.040}"),
                phases.json());
    }

    @Test
    void nothingRecordedSaysSo() {
        assertEquals("TensorRT start of x: no phase recorded", new StartPhases("x").line());
    }

    @Test
    void sinceMeasuresFromANanoTime() {
        long started = System.nanoTime() - 2_000_000_000L;
        double seconds = StartPhases.since(started);
        assertTrue(seconds >= 2 && seconds < 60, "seconds " + seconds);
    }

    @Test
    void everyJsonKeyIsAGaugeThatIsNaNUntilRecorded() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        StartPhases phases = new StartPhases("x").recordBackground(StartPhases.Phase.PROBE, 0.4, 0.1);
        phases.registerGauges(registry);
        assertEquals(StartPhases.keys().size(), registry.find(StartPhases.GAUGE).gauges().size());
        assertEquals(0.4, registry.get(StartPhases.GAUGE).tag("phase", "probe").gauge().value(), 1e-12);
        assertEquals(0.1, registry.get(StartPhases.GAUGE).tag("phase", "probe_waited").gauge().value(), 1e-12);
        assertTrue(Double.isNaN(registry.get(StartPhases.GAUGE).tag("phase", "warmup").gauge().value()));
        phases.record(StartPhases.Phase.WARMUP, 0.3);
        assertEquals(0.3, registry.get(StartPhases.GAUGE).tag("phase", "warmup").gauge().value(), 1e-12);
        assertEquals(0.4, registry.get(StartPhases.GAUGE).tag("phase", "foreground").gauge().value(), 1e-12);
        for (String key : StartPhases.keys()) {
            assertTrue(cachedStart().json().contains("\"" + key + "\"") || Double.isNaN(cachedStart().value(key)), key);
        }
    }
}
