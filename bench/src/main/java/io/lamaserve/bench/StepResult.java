package io.lamaserve.bench;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Figures for one load step. Latency percentiles cover successful requests only and are null when there
 * were none; failures are counted per status in {@code errorsByStatus}.
 *
 * @param mode            {@code closed} or {@code open}
 * @param concurrency     clients (closed loop), else null
 * @param offeredRate     scheduled requests per second (open loop), else null
 * @param durationSeconds length of the measured window (warm-up excluded)
 * @param requests        requests scheduled in the window (sent + dropped)
 * @param ok              successful answers
 * @param errors          failed answers and transport errors
 * @param errorsByStatus  failures per status key ("429", "503", "timeout", ...)
 * @param dropped         open loop: sends skipped because the outstanding-request bound was reached
 * @param throughput      successful requests (= images) per second over the window
 * @param p50Ms           median latency, milliseconds
 * @param p90Ms           90th percentile latency, milliseconds
 * @param p99Ms           99th percentile latency, milliseconds
 * @param maxMs           largest latency, milliseconds
 * @param meanMs          mean latency, milliseconds
 * @param serverTimingMs  mean of each phase the server reported in its {@code Server-Timing} header over the
 *                        successful requests (lama-serve: prepare, inference, finish), milliseconds; empty when
 *                        the server sends none
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record StepResult(String mode, Integer concurrency, Double offeredRate, double durationSeconds,
                         long requests, long ok, long errors, Map<String, Long> errorsByStatus, long dropped,
                         double throughput, Double p50Ms, Double p90Ms, Double p99Ms, Double maxMs,
                         Double meanMs, Map<String, Double> serverTimingMs) {

    /** Mode name of closed-loop steps. */
    public static final String CLOSED = "closed";
    /** Mode name of open-loop steps. */
    public static final String OPEN = "open";

    public StepResult {
        // Sorted, so files and progress lines list statuses in a stable order.
        errorsByStatus = Collections.unmodifiableMap(new TreeMap<>(errorsByStatus));
        serverTimingMs = serverTimingMs == null ? Map.of() : Collections.unmodifiableMap(new java.util.LinkedHashMap<>(serverTimingMs));
    }

    /** The load level: concurrency for closed loop, offered rate for open loop. */
    @JsonIgnore
    public double load() {
        return CLOSED.equals(mode) ? concurrency : offeredRate;
    }

    /** Load level as printed: {@code 8} or {@code 12.5}. */
    @JsonIgnore
    public String loadLabel() {
        double load = load();
        return load == Math.rint(load) ? Long.toString((long) load) : Double.toString(load);
    }
}
