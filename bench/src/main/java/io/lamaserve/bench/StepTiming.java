package io.lamaserve.bench;

import java.time.Duration;

/**
 * How long each step runs: a warm-up whose requests are not recorded, then the measured window.
 *
 * @param warmup  unrecorded lead-in (connections opened, server queues and batch sizes settled)
 * @param measure recorded window
 */
public record StepTiming(Duration warmup, Duration measure) {

    public StepTiming {
        if (warmup.isNegative()) {
            throw new IllegalArgumentException("warm-up must not be negative: " + warmup);
        }
        if (measure.isZero() || measure.isNegative()) {
            throw new IllegalArgumentException("step duration must be positive: " + measure);
        }
    }

    /** Measured window in seconds. */
    public double measureSeconds() {
        return measure.toNanos() / 1e9;
    }
}
