package io.lamaserve.bench;

import java.util.List;

/**
 * Everything one benchmark run produced: how it was configured and the figures of each step.
 *
 * @param label           run name, used for file names and in charts
 * @param api             {@code lama} or {@code iopaint}
 * @param url             server base URL
 * @param startedAt       ISO-8601 start time (UTC)
 * @param warmupSeconds   unrecorded warm-up per step
 * @param stepSeconds     measured window per step
 * @param timeoutSeconds  per-request timeout
 * @param seed            seed of generated inputs and Poisson schedules
 * @param hdStrategy      high-resolution strategy sent
 * @param outputFormat    lama-serve output format sent, or null
 * @param maxOutstanding  open-loop cap on requests in flight
 * @param inputs          the input pairs, cycled round-robin
 * @param steps           results, in the order they ran
 */
public record RunResult(String label, String api, String url, String startedAt, double warmupSeconds,
                        double stepSeconds, double timeoutSeconds, long seed, String hdStrategy,
                        String outputFormat, int maxOutstanding, List<InputSummary> inputs,
                        List<StepResult> steps) {

    public RunResult {
        inputs = List.copyOf(inputs);
        steps = List.copyOf(steps);
    }

    /** The steps of one mode, in run order. */
    public List<StepResult> steps(String mode) {
        return steps.stream().filter(s -> s.mode().equals(mode)).toList();
    }
}
