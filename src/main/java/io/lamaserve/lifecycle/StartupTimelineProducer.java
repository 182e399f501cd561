package io.lamaserve.lifecycle;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.http.HttpServerStart;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Provides the process's {@link StartupTimeline} and marks the phases Quarkus itself signals: configuration loaded
 * (the first startup observer, before {@code @Startup} beans such as the engine are created) and HTTP listening.
 */
@ApplicationScoped
public class StartupTimelineProducer {

    /** Runs before every default-priority {@code @Startup} bean, so the engine's time is not counted as config. */
    private static final int BEFORE_STARTUP_BEANS = 1;

    @Produces
    @Singleton
    StartupTimeline timeline() {
        return StartupTimeline.sinceJvmStart();
    }

    void onStart(@Observes @Priority(BEFORE_STARTUP_BEANS) StartupEvent event, StartupTimeline timeline,
                 MeterRegistry registry) {
        StartupPhaseGauges.register(registry, timeline);
        timeline.mark(StartupPhase.CONFIG_LOADED, "configuration read, CDI container up");
    }

    /** Quarkus fires this event asynchronously once the socket is bound. */
    void onHttpStart(@ObservesAsync HttpServerStart event, StartupTimeline timeline) {
        int port = event.options().getPort();
        timeline.mark(StartupPhase.HTTP_LISTENING, port > 0 ? "port " + port : "HTTP server started");
    }
}
