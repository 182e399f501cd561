package io.lamaserve.engine;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.TimeUnit;

/**
 * Where an executor's time per batch goes ({@code lama_engine_batch_phase_seconds}): copying the tiles into the
 * engine's input buffers ({@code stage-in}, CPU), running the model ({@code compute}; on a GPU the transfers and
 * inference, while the executor thread waits) and copying the results out to the tiles ({@code stage-out}, CPU).
 * The CPU phases delay a context's next batch, so under load they show whether the host side keeps the GPU waiting.
 */
public final class BatchPhases {

    private final Timer stageIn;
    private final Timer compute;
    private final Timer stageOut;

    public BatchPhases(MeterRegistry registry) {
        this.stageIn = timer(registry, "stage-in");
        this.compute = timer(registry, "compute");
        this.stageOut = timer(registry, "stage-out");
    }

    /** A clock for one batch, started now. */
    PhaseClock start() {
        return new PhaseClock(System.nanoTime());
    }

    /** Records the batch {@code clock} timed, ending now. */
    void record(PhaseClock clock) {
        long finished = System.nanoTime();
        stageIn.record(clock.stagedAt() - clock.started(), TimeUnit.NANOSECONDS);
        compute.record(clock.computedAt() - clock.stagedAt(), TimeUnit.NANOSECONDS);
        stageOut.record(finished - clock.computedAt(), TimeUnit.NANOSECONDS);
    }

    private static Timer timer(MeterRegistry registry, String phase) {
        return Timer.builder("lama.engine.batch.phase")
                .description("Time per batch an executor spends staging tiles in, computing, staging results out")
                .tag("phase", phase)
                .register(registry);
    }
}
