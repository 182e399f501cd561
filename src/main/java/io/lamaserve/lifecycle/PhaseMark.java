package io.lamaserve.lifecycle;

import java.time.Duration;

/**
 * One reached startup phase.
 *
 * @param phase             which milestone
 * @param sinceProcessStart time from JVM start until it was reached
 * @param detail            what happened, for the log (e.g. "cached /models/ab12.onnx"); never null
 */
public record PhaseMark(StartupPhase phase, Duration sinceProcessStart, String detail) {

    /** Seconds since JVM start, the unit of the exported gauge. */
    public double seconds() {
        return sinceProcessStart.toNanos() / 1e9;
    }
}
