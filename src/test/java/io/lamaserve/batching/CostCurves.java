package io.lamaserve.batching;

import java.util.function.IntToLongFunction;

/** Batch-latency curves of the fake engine, in nanoseconds per batch size. */
public final class CostCurves {

    private CostCurves() {
    }

    /**
     * T4-like: 45 ms + 20 ms per image up to 8 images; beyond 8 no per-image gain (the latency of 8, scaled).
     * Images/s: batch 1 = 15.4, batch 8 = 39.0 (2.5×).
     */
    public static long t4Nanos(int size) {
        long ms8 = 45 + 20 * 8;
        return size <= 8 ? (45 + 20L * size) * 1_000_000L : ms8 * 1_000_000L * size / 8;
    }

    public static final IntToLongFunction T4 = CostCurves::t4Nanos;

    /** CPU-like: every image costs the same 100 ms, so batching gains nothing. */
    public static final IntToLongFunction LINEAR_CPU = size -> 100_000_000L * size;
}
