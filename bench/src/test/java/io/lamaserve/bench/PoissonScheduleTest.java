package io.lamaserve.bench;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PoissonScheduleTest {

    @Test
    void gapsAreExponentialWithTheRequestedMean() {
        PoissonSchedule schedule = new PoissonSchedule(50, new Random(11));
        int n = 50_000;
        double[] gaps = new double[n];
        long previous = 0;
        for (int i = 0; i < n; i++) {
            long offset = schedule.nextOffsetNanos();
            assertTrue(offset >= previous, "arrival times must not go backwards");
            gaps[i] = (offset - previous) / 1e9;
            previous = offset;
        }
        double mean = java.util.Arrays.stream(gaps).average().orElseThrow();
        double variance = java.util.Arrays.stream(gaps).map(g -> (g - mean) * (g - mean)).sum() / n;
        assertEquals(0.02, mean, 0.02 * 0.02);
        // An exponential distribution has standard deviation equal to its mean.
        assertEquals(1.0, Math.sqrt(variance) / mean, 0.03);
    }

    @Test
    void sameSeedGivesSameSchedule() {
        assertArrayEquals(firstArrivals(5), firstArrivals(5));
        assertTrue(firstArrivals(5)[9] != firstArrivals(6)[9]);
    }

    @Test
    void rejectsNonPositiveRates() {
        assertThrows(IllegalArgumentException.class, () -> new PoissonSchedule(0, new Random()));
        assertThrows(IllegalArgumentException.class, () -> new PoissonSchedule(Double.NaN, new Random()));
    }

    private static long[] firstArrivals(long seed) {
        PoissonSchedule schedule = new PoissonSchedule(10, new Random(seed));
        long[] arrivals = new long[10];
        for (int i = 0; i < arrivals.length; i++) {
            arrivals[i] = schedule.nextOffsetNanos();
        }
        return arrivals;
    }
}
