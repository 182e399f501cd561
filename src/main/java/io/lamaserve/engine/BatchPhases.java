package io.lamaserve.engine;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.TimeUnit;

/**
 * Where an executor's time per batch goes ({@code lama_engine_batch_phase_seconds}): copying the tiles into the
 * engine's input buffers ({@code stage-in}, CPU), running the model ({@code compute}; on a GPU the transfers and
 * inference, while the executor thread waits) and copying the results out to the tiles ({@code stage-out}, CPU).
 * The CPU phases delay a context's next batch, so under load they show whether the host side keeps the GPU waiting.
 * Recorded in Micrometer's global registry: the service's registry, a no-op in the offline benchmark.
 */
public final class BatchPhases {

    private static final Timer STAGE_IN = timer("stage-in");
    private static final Timer COMPUTE = timer("compute");
    private static final Timer STAGE_OUT = timer("stage-out");

    private BatchPhases() {
    }

    /** Records one batch from four {@link System#nanoTime()} readings taken at the phase boundaries. */
    public static void record(long started, long staged, long computed, long finished) {
        STAGE_IN.record(staged - started, TimeUnit.NANOSECONDS);
        COMPUTE.record(computed - staged, TimeUnit.NANOSECONDS);
        STAGE_OUT.record(finished - computed, TimeUnit.NANOSECONDS);
    }

    private static Timer timer(String phase) {
        return Timer.builder("lama.engine.batch.phase")
                .description("Time per batch an executor spends staging tiles in, computing, staging results out")
                .tag("phase", phase)
                .register(Metrics.globalRegistry);
    }
}
