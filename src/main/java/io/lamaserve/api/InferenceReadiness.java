package io.lamaserve.api;

import io.lamaserve.batching.BatchScheduler;
import io.lamaserve.engine.InpaintEngine;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.eclipse.microprofile.health.Startup;

/**
 * Ready once the model is loaded and the warm-up inference (the batcher's startup sweep) succeeded; not ready
 * again while draining for shutdown. Also the startup probe, so a slow engine build doesn't trip liveness.
 */
@Readiness
@Startup
public class InferenceReadiness implements HealthCheck {

    private final BatchScheduler scheduler;
    private final InpaintEngine engine;

    InferenceReadiness(BatchScheduler scheduler, InpaintEngine engine) {
        this.scheduler = scheduler;
        this.engine = engine;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("inference")
                .status(scheduler.ready())
                .withData("engine", engine.name())
                .withData("tile", engine.tileSize())
                .withData("maxBatch", engine.maxBatch())
                .build();
    }
}
