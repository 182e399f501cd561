package io.lamaserve.bench;

import java.util.List;
import java.util.Map;

/** Hand-made results for output tests. */
final class TestRuns {

    private TestRuns() {
    }

    static StepResult closed(int clients, double throughput, Double p50, Double p99, Map<String, Long> errors) {
        long errorCount = errors.values().stream().mapToLong(Long::longValue).sum();
        long ok = Math.round(throughput * 10);
        return new StepResult(StepResult.CLOSED, clients, null, 10, ok + errorCount, ok, errorCount, errors, 0,
                throughput, p50, p50 == null ? null : p50 * 1.5, p99, p99 == null ? null : p99 * 1.2, p50, Map.of());
    }

    static StepResult open(double rate, double throughput, Double p50, Double p99, long dropped) {
        long ok = Math.round(throughput * 10);
        return new StepResult(StepResult.OPEN, null, rate, 10, ok + dropped, ok, 0, Map.of(), dropped,
                throughput, p50, p50, p99, p99, p50, Map.of());
    }

    static RunResult run(String label, List<StepResult> steps) {
        return new RunResult(label, "lama", "http://127.0.0.1:8080/", "2026-11-27T09:00:00Z", 5, 10, 60, 42,
                "Crop", null, 2048, List.of(new InputSummary("a", 512, 512, 400_000, 3_000, 403_500)), steps);
    }
}
