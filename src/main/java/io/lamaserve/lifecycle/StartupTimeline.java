package io.lamaserve.lifecycle;

import org.jboss.logging.Logger;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * Records when each {@link StartupPhase} is reached, relative to the start of the JVM, logs one line per phase
 * and a summary once the service is ready.
 *
 * <p>Code that completes a phase calls {@link #mark(StartupPhase, String)}; the first mark of a phase counts and
 * repeats are ignored, so callers need not know whether someone marked it before. {@link StartupPhase#READY} is
 * derived: it is marked as soon as both {@link StartupPhase#WARMUP_DONE} and {@link StartupPhase#HTTP_LISTENING}
 * are, because the warm-up runs on its own thread and may finish before or after the HTTP server opens.
 *
 * <p>Thread-safe: phases are marked from the main thread, the warm-up thread and the HTTP event loop.
 */
public class StartupTimeline {

    private static final Logger LOG = Logger.getLogger(StartupTimeline.class);

    private final Instant processStart;
    private final InstantSource clock;
    private final Map<StartupPhase, PhaseMark> marks = new EnumMap<>(StartupPhase.class);

    /**
     * @param processStart the zero of every measurement
     * @param clock        the source of "now"
     */
    public StartupTimeline(Instant processStart, InstantSource clock) {
        this.processStart = processStart;
        this.clock = clock;
    }

    /** A timeline whose zero is the JVM start as the runtime reports it, in milliseconds. */
    public static StartupTimeline sinceJvmStart() {
        return new StartupTimeline(Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime()),
                InstantSource.system());
    }

    /**
     * Records that {@code phase} is reached now, unless it was reached before.
     *
     * @param detail what happened, for the log line; null is logged as nothing
     * @return the mark that counts for this phase: the new one, or the earlier one when this is a repeat
     */
    public PhaseMark mark(StartupPhase phase, String detail) {
        if (phase == StartupPhase.READY) {
            throw new IllegalArgumentException("READY is derived from WARMUP_DONE and HTTP_LISTENING; mark those");
        }
        PhaseMark mark;
        PhaseMark ready = null;
        synchronized (marks) {
            PhaseMark earlier = marks.get(phase);
            if (earlier != null) {
                return earlier;
            }
            mark = record(phase, detail);
            if (marks.containsKey(StartupPhase.WARMUP_DONE) && marks.containsKey(StartupPhase.HTTP_LISTENING)) {
                ready = record(StartupPhase.READY, "warm-up done and HTTP listening");
            }
        }
        log(mark);
        if (ready != null) {
            log(ready);
            LOG.info(summary());
        }
        return mark;
    }

    /** When {@code phase} was reached, if it was. */
    public Optional<PhaseMark> get(StartupPhase phase) {
        synchronized (marks) {
            return Optional.ofNullable(marks.get(phase));
        }
    }

    /** The phases reached so far, in the order they were reached. */
    public List<PhaseMark> marks() {
        List<PhaseMark> reached;
        synchronized (marks) {
            reached = new ArrayList<>(marks.values());
        }
        reached.sort((a, b) -> a.sinceProcessStart().compareTo(b.sinceProcessStart()));
        return Collections.unmodifiableList(reached);
    }

    /** One line with every reached phase, e.g. {@code startup: config_loaded=0.412s model_resolved=0.430s ...}. */
    public String summary() {
        StringJoiner line = new StringJoiner(" ", "startup: ", "");
        for (PhaseMark mark : marks()) {
            line.add(mark.phase().tag() + "=" + seconds(mark.sinceProcessStart()));
        }
        return line.toString();
    }

    private PhaseMark record(StartupPhase phase, String detail) {
        Duration since = Duration.between(processStart, clock.instant());
        PhaseMark mark = new PhaseMark(phase, since, detail == null ? "" : detail);
        marks.put(phase, mark);
        return mark;
    }

    private void log(PhaseMark mark) {
        LOG.infof("startup phase %s at %s%s", mark.phase().tag(), seconds(mark.sinceProcessStart()),
                mark.detail().isEmpty() ? "" : ": " + mark.detail());
    }

    private static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.3fs", duration.toNanos() / 1e9);
    }
}
