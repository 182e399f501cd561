package io.lamaserve.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Collects outcomes of one step from many threads at once: latencies of successes into an HdrHistogram
 * (microsecond resolution, 3 significant digits), failures counted per status key.
 */
public final class StepRecorder {

    private static final double MICROS_PER_MILLI = 1000.0;

    private final Recorder latencies = new Recorder(3);
    private final LongAdder ok = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final Map<String, String> firstErrorDetail = new ConcurrentHashMap<>();
    /** Sum of each Server-Timing phase (ms) and how many answers reported it; insertion order kept for output. */
    private final Map<String, double[]> serverTiming = new java.util.LinkedHashMap<>();

    /** Records one finished request and how long it took (nanoseconds). */
    public void record(Outcome outcome, long latencyNanos) {
        if (outcome.success()) {
            latencies.recordValue(Math.max(1, latencyNanos / 1000));
            ok.increment();
            if (!outcome.serverTiming().isEmpty()) {
                synchronized (serverTiming) {
                    outcome.serverTiming().forEach((phase, ms) -> {
                        double[] sumAndCount = serverTiming.computeIfAbsent(phase, k -> new double[2]);
                        sumAndCount[0] += ms;
                        sumAndCount[1]++;
                    });
                }
            }
        } else {
            errors.computeIfAbsent(outcome.statusKey(), k -> new LongAdder()).increment();
            firstErrorDetail.putIfAbsent(outcome.statusKey(), outcome.detail());
        }
    }

    /** Records a send that was skipped because too many requests were outstanding. */
    public void drop() {
        dropped.increment();
    }

    /** The first error message seen per status key, for diagnostics. */
    public Map<String, String> firstErrorDetails() {
        return new TreeMap<>(firstErrorDetail);
    }

    /** Summarises everything recorded so far. */
    public StepResult finish(String mode, Integer concurrency, Double offeredRate, double durationSeconds) {
        Histogram histogram = latencies.getIntervalHistogram();
        Map<String, Long> errorCounts = new TreeMap<>();
        errors.forEach((key, count) -> errorCounts.put(key, count.sum()));
        long errorTotal = errorCounts.values().stream().mapToLong(Long::longValue).sum();
        long okCount = ok.sum();
        boolean any = histogram.getTotalCount() > 0;
        return new StepResult(mode, concurrency, offeredRate, durationSeconds,
                okCount + errorTotal + dropped.sum(), okCount, errorTotal, errorCounts, dropped.sum(),
                okCount / durationSeconds,
                any ? millis(histogram.getValueAtPercentile(50)) : null,
                any ? millis(histogram.getValueAtPercentile(90)) : null,
                any ? millis(histogram.getValueAtPercentile(99)) : null,
                any ? millis(histogram.getMaxValue()) : null,
                any ? histogram.getMean() / MICROS_PER_MILLI : null, serverTimingMeans());
    }

    private Map<String, Double> serverTimingMeans() {
        Map<String, Double> means = new java.util.LinkedHashMap<>();
        synchronized (serverTiming) {
            serverTiming.forEach((phase, sumAndCount) -> means.put(phase, sumAndCount[0] / sumAndCount[1]));
        }
        return means;
    }

    private static double millis(long micros) {
        return micros / MICROS_PER_MILLI;
    }
}
