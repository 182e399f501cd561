package io.lamaserve.bench;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Closed-loop step: N virtual-thread clients, each sending its next request as soon as the previous answer
 * arrives. Latency is send-to-answer. Requests started during warm-up are not recorded; requests started in
 * the window are recorded even if they finish after it, and the step waits for them.
 */
public final class ClosedLoop {

    private ClosedLoop() {
    }

    /** Runs one step with {@code clients} concurrent clients. */
    public static StepResult run(LoadTarget target, int clients, StepTiming timing) throws InterruptedException {
        if (clients < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, got " + clients);
        }
        StepRecorder recorder = new StepRecorder();
        long start = System.nanoTime();
        long measureStart = start + timing.warmup().toNanos();
        long end = measureStart + timing.measure().toNanos();
        try (ExecutorService clientThreads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < clients; i++) {
                clientThreads.submit(() -> {
                    runClient(target, recorder, measureStart, end);
                    return null;
                });
            }
        } // close() waits until every client has seen its last answer
        StepResult result = recorder.finish(StepResult.CLOSED, clients, null, timing.measureSeconds());
        ErrorLog.report(result, recorder);
        return result;
    }

    private static void runClient(LoadTarget target, StepRecorder recorder, long measureStart, long end)
            throws InterruptedException {
        while (true) {
            long sent = System.nanoTime();
            if (sent >= end) {
                return;
            }
            Outcome outcome = target.send();
            long answered = System.nanoTime();
            if (sent >= measureStart) {
                recorder.record(outcome, answered - sent);
            }
        }
    }
}
