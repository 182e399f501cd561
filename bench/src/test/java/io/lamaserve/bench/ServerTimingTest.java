package io.lamaserve.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ServerTimingTest {

    @Test
    void readsPhasesInOrderAndSkipsWhatIsNotADuration() {
        Map<String, Double> phases = ServerTiming.parse("prepare;dur=12.5, inference;desc=\"queue\";dur=40.1, cache;desc=hit, finish;dur=x");
        assertEquals(List.of("prepare", "inference"), List.copyOf(phases.keySet()));
        assertEquals(12.5, phases.get("prepare"));
        assertEquals(40.1, phases.get("inference"));
        assertEquals(Map.of(), ServerTiming.parse(""));
    }

    @Test
    void stepsAverageTheServersPhasesOverSuccesses() {
        StepRecorder recorder = new StepRecorder();
        recorder.record(Outcome.ok(200, Map.of("prepare", 10.0, "inference", 30.0)), 50_000_000);
        recorder.record(Outcome.ok(200, Map.of("prepare", 20.0, "inference", 50.0)), 80_000_000);
        recorder.record(Outcome.error("429", "queue full"), 1_000_000);
        StepResult step = recorder.finish(StepResult.CLOSED, 2, null, 1.0);
        assertEquals(15.0, step.serverTimingMs().get("prepare"), 1e-9);
        assertEquals(40.0, step.serverTimingMs().get("inference"), 1e-9);
    }
}
