package io.lamaserve.batching;

import io.lamaserve.config.LamaConfig;

import java.time.Duration;

/**
 * The scheduler's settings, detached from the configuration mapping so that the scheduling classes run without
 * CDI. Tests and the simulator build them {@link #from from} the mapping too, so they run the service's defaults.
 *
 * @param mode             adaptive batching or the batch-1 baseline
 * @param timeout          default (and longest) deadline of a request, from arrival
 * @param maxQueue         bound of the tile queue
 * @param sweepRepetitions timed runs per batch size in the startup sweep
 * @param kneeFraction     share of the best images/s that defines the knee
 * @param maxBatch         upper bound on the batch cap; 0 = the engine's maximum
 * @param sharedGpuMinFraction share of the knee an idle executor waits for at most while another runs; 0 = none
 */
public record BatchingSettings(LamaConfig.BatchingConfig.Mode mode, Duration timeout, int maxQueue,
                               int sweepRepetitions, double kneeFraction, int maxBatch, double sharedGpuMinFraction) {

    public BatchingSettings {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("lama.batching.timeout must be positive, was " + timeout);
        }
        if (maxQueue < 1) {
            throw new IllegalArgumentException("lama.batching.max-queue must be at least 1, was " + maxQueue);
        }
        if (sweepRepetitions < 1) {
            throw new IllegalArgumentException("lama.batching.sweep-repetitions must be at least 1, was " + sweepRepetitions);
        }
        if (sharedGpuMinFraction < 0 || sharedGpuMinFraction > 1) {
            throw new IllegalArgumentException("lama.batching.shared-gpu-min-fraction must be within 0..1, was "
                    + sharedGpuMinFraction);
        }
        if (maxBatch < 0) {
            throw new IllegalArgumentException("lama.batching.max-batch must be positive, was " + maxBatch);
        }
    }

    public static BatchingSettings from(LamaConfig.BatchingConfig config) {
        return new BatchingSettings(config.mode(), config.timeout(), config.maxQueue(), config.sweepRepetitions(),
                config.kneeFraction(), config.maxBatch().orElse(0), config.sharedGpuMinFraction());
    }

    /**
     * The most tiles the scheduler holds at once on an engine with {@code executors} contexts that accepts
     * {@code engineMaxBatch}: a full queue plus one batch in flight per executor.
     */
    public int tilesInFlight(int executors, int engineMaxBatch) {
        return maxQueue + executors * effectiveMaxBatch(engineMaxBatch);
    }

    /** The largest batch the scheduler may form on an engine that accepts {@code engineMaxBatch}. */
    public int effectiveMaxBatch(int engineMaxBatch) {
        return maxBatch == 0 ? engineMaxBatch : Math.min(maxBatch, engineMaxBatch);
    }
}
