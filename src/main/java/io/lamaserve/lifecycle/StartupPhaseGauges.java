package io.lamaserve.lifecycle;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Exports the timeline as the gauge {@code lama_startup_phase_seconds{phase="..."}}: seconds from JVM start to
 * each phase, NaN while the phase is not reached. One gauge per phase exists from the start, so dashboards see
 * which phase a slow start is stuck in.
 */
public final class StartupPhaseGauges {

    /** Meter name; Prometheus shows it as {@code lama_startup_phase_seconds}. */
    public static final String NAME = "lama.startup.phase.seconds";

    private StartupPhaseGauges() {
    }

    /** Registers one gauge per {@link StartupPhase} that reads {@code timeline} on every scrape. */
    public static void register(MeterRegistry registry, StartupTimeline timeline) {
        for (StartupPhase phase : StartupPhase.values()) {
            Gauge.builder(NAME, timeline, t -> t.get(phase).map(PhaseMark::seconds).orElse(Double.NaN))
                    .description("Seconds from JVM start until the startup phase was reached (NaN: not yet)")
                    .tag("phase", phase.tag())
                    .register(registry);
        }
    }
}
