package io.lamaserve.bench;

import java.util.random.RandomGenerator;

/**
 * Arrival times of a Poisson process: exponentially distributed gaps with mean {@code 1 / rate}. The times
 * are fixed by the seed, independent of how fast the server answers.
 */
public final class PoissonSchedule {

    private final double meanGapNanos;
    private final RandomGenerator random;
    private double offsetNanos;

    /** A schedule of {@code ratePerSecond} arrivals per second on average. */
    public PoissonSchedule(double ratePerSecond, RandomGenerator random) {
        if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
            throw new IllegalArgumentException("rate must be a positive number, got " + ratePerSecond);
        }
        this.meanGapNanos = 1e9 / ratePerSecond;
        this.random = random;
    }

    /** Offset of the next arrival from the start of the schedule, nanoseconds. */
    public long nextOffsetNanos() {
        // 1 - u lies in (0, 1], so the logarithm is finite.
        offsetNanos += -Math.log(1.0 - random.nextDouble()) * meanGapNanos;
        return (long) offsetNanos;
    }
}
