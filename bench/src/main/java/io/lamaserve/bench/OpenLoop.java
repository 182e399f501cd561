package io.lamaserve.bench;

import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop step: requests are sent at Poisson arrival times, each on its own virtual thread, so a slow
 * server never delays later sends. Each latency is measured from the request's <em>scheduled</em> send time
 * to its answer; if the sender itself falls behind, that delay counts too (no coordinated omission).
 * Outstanding requests are capped; a send that would exceed the cap is counted as dropped.
 */
public final class OpenLoop {

    private OpenLoop() {
    }

    /** Runs one step at {@code ratePerSecond} offered load. */
    public static StepResult run(LoadTarget target, double ratePerSecond, StepTiming timing, int maxOutstanding,
                                 long seed) throws InterruptedException {
        if (maxOutstanding < 1) {
            throw new IllegalArgumentException("max outstanding must be at least 1, got " + maxOutstanding);
        }
        PoissonSchedule schedule = new PoissonSchedule(ratePerSecond, new Random(seed));
        Semaphore outstanding = new Semaphore(maxOutstanding);
        StepRecorder recorder = new StepRecorder();
        long start = System.nanoTime();
        long measureStart = start + timing.warmup().toNanos();
        long end = measureStart + timing.measure().toNanos();
        try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
            while (true) {
                long scheduled = start + schedule.nextOffsetNanos();
                if (scheduled >= end) {
                    break;
                }
                sleepUntil(scheduled);
                boolean measured = scheduled >= measureStart;
                if (!outstanding.tryAcquire()) {
                    if (measured) {
                        recorder.drop();
                    }
                    continue;
                }
                senders.submit(() -> {
                    try {
                        Outcome outcome = target.send();
                        if (measured) {
                            recorder.record(outcome, System.nanoTime() - scheduled);
                        }
                    } finally {
                        outstanding.release();
                    }
                    return null;
                });
            }
        } // close() waits for the answers to everything sent
        StepResult result = recorder.finish(StepResult.OPEN, null, ratePerSecond, timing.measureSeconds());
        ErrorLog.report(result, recorder);
        return result;
    }

    private static void sleepUntil(long deadline) throws InterruptedException {
        long remaining;
        while ((remaining = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(remaining);
            if (Thread.interrupted()) {
                throw new InterruptedException("open-loop schedule interrupted");
            }
        }
    }
}
