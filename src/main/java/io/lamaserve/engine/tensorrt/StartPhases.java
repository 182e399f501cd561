package io.lamaserve.engine.tensorrt;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.StringJoiner;

/**
 * How long each part of one TensorRT engine's start took: the library/CUDA probe, reading and verifying the plan
 * (or building it), deserializing it, creating the execution contexts with their buffers, and the warm-up (the
 * first batch on every execution slot). A part that ran in the background (started before the engine producer
 * needed it) also records how long the producer waited for it, which is what it added to the start.
 *
 * <p>Shown as one log line once the warm-up is recorded ({@link #line()}) and as a JSON object in the offline
 * benchmark ({@link #json()}). Thread-safe: the warm-up is recorded from the executor threads.
 */
public final class StartPhases {

    /** The parts of a start, in the order they run. */
    public enum Phase {
        PROBE("probe", "library/CUDA probe"),
        PLAN_READ("plan_read", "plan read+verify"),
        BUILD("build", "build"),
        DESERIALIZE("deserialize", "deserialize"),
        CONTEXTS("contexts", "contexts"),
        WARMUP("warmup", "warm-up");

        private final String key;
        private final String label;

        Phase(String key, String label) {
            this.key = key;
            this.label = label;
        }

        /** The JSON key, e.g. {@code plan_read}. */
        public String key() {
            return key;
        }

        /** The words in the log line. */
        public String label() {
            return label;
        }
    }

    private String engine;
    private final Map<Phase, Double> seconds = new EnumMap<>(Phase.class);
    /** For background phases only: how long the foreground waited for them to finish. */
    private final Map<Phase, Double> waited = new EnumMap<>(Phase.class);
    private boolean logged;
    /** Whether the whole start runs before the engine producer asks for the engine ({@link #startedEarly}). */
    private boolean early;
    /** For such a start: how long the producer waited for it, once it was handed over. */
    private Double openWaited;

    /** @param engine what the log line names, e.g. the engine's name; {@link #engine(String)} may change it */
    public StartPhases(String engine) {
        this.engine = engine;
    }

    /** Names the engine these phases brought up, once it is known (e.g. the quick engine rather than the final one). */
    public synchronized StartPhases engine(String name) {
        this.engine = name;
        return this;
    }

    /** Seconds since {@code startedNanos} ({@link System#nanoTime()}). */
    public static double since(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    /** Records a phase that ran in the foreground; a repeat adds to it (e.g. a plan read twice). */
    public synchronized StartPhases record(Phase phase, double secondsTaken) {
        seconds.merge(phase, secondsTaken, Double::sum);
        return this;
    }

    /**
     * Records a phase that ran in the background.
     *
     * @param secondsTaken  how long it ran
     * @param waitedSeconds how long the foreground waited for it (0 when it was done before it was needed)
     */
    public synchronized StartPhases recordBackground(Phase phase, double secondsTaken, double waitedSeconds) {
        seconds.put(phase, secondsTaken);
        waited.put(phase, Math.max(0, waitedSeconds));
        return this;
    }

    /**
     * Records that every phase so far ran before the engine producer asked for the engine (the start began while the
     * service booted), and how long the producer then waited for it: that wait is all the phases added to the start.
     */
    public synchronized StartPhases openedEarly(double waitedSeconds) {
        early = true;
        openWaited = Math.max(0, waitedSeconds);
        return this;
    }

    /**
     * Says that this start runs before the engine producer asks for the engine: the line then waits for
     * {@link #openedEarly} as well as for the warm-up ({@link #claimLog()}).
     */
    public synchronized StartPhases startedEarly() {
        early = true;
        return this;
    }

    public synchronized OptionalDouble seconds(Phase phase) {
        Double value = seconds.get(phase);
        return value == null ? OptionalDouble.empty() : OptionalDouble.of(value);
    }

    /** How long the foreground waited for a background phase; empty for a phase that ran in the foreground. */
    public synchronized OptionalDouble waited(Phase phase) {
        Double value = waited.get(phase);
        return value == null ? OptionalDouble.empty() : OptionalDouble.of(value);
    }

    /**
     * What the phases added to the start: foreground phases in full, background phases by the wait for them; for a
     * start that ran before it was needed ({@link #openedEarly}), the producer's wait for it.
     */
    public synchronized double foregroundSeconds() {
        if (openWaited != null) {
            return openWaited;
        }
        double total = 0;
        for (Map.Entry<Phase, Double> entry : seconds.entrySet()) {
            total += waited.getOrDefault(entry.getKey(), entry.getValue());
        }
        return total;
    }

    /**
     * One line with every recorded phase, e.g. {@code TensorRT start of x.plan: library/CUDA probe 0.412 s
     * (background, waited 0.050 s), plan read+verify 0.180 s (background, waited 0.000 s), deserialize 0.350 s,
     * contexts 0.120 s, warm-up 0.300 s; 0.820 s in the foreground}.
     */
    public synchronized String line() {
        StringJoiner parts = new StringJoiner(", ", "TensorRT start of " + engine + ": ", "");
        parts.setEmptyValue("TensorRT start of " + engine + ": no phase recorded");
        for (Phase phase : Phase.values()) {
            Double value = seconds.get(phase);
            if (value == null) {
                continue;
            }
            Double wait = waited.get(phase);
            parts.add(phase.label() + " " + format(value) + " s"
                    + (wait == null ? "" : " (background, waited " + format(wait) + " s)"));
        }
        String line = parts.toString();
        if (seconds.isEmpty()) {
            return line;
        }
        return line + "; " + format(foregroundSeconds()) + " s in the foreground"
                + (openWaited == null ? "" : " (all of it started while the service booted; that is the wait for it)");
    }

    /**
     * The phases as one JSON object of seconds, e.g. {@code {"probe":0.412,"probe_waited":0.050,"deserialize":0.350}};
     * a background phase adds {@code <phase>_waited}, and {@code foreground} is {@link #foregroundSeconds()}.
     */
    public synchronized String json() {
        StringJoiner json = new StringJoiner(",", "{", "}");
        for (Phase phase : Phase.values()) {
            Double value = seconds.get(phase);
            if (value == null) {
                continue;
            }
            json.add("\"" + phase.key() + "\":" + format(value));
            Double wait = waited.get(phase);
            if (wait != null) {
                json.add("\"" + phase.key() + "_waited\":" + format(wait));
            }
        }
        if (openWaited != null) {
            json.add("\"open_waited\":" + format(openWaited));
        }
        if (!seconds.isEmpty()) {
            json.add("\"foreground\":" + format(foregroundSeconds()));
        }
        return json.toString();
    }

    /**
     * Every key {@link #json()} may hold, in its order: each phase, each phase's {@code _waited}, {@code open_waited}
     * (the producer's wait for a start that began early), {@code foreground}.
     */
    public static List<String> keys() {
        List<String> keys = new ArrayList<>();
        for (Phase phase : Phase.values()) {
            keys.add(phase.key());
            keys.add(phase.key() + "_waited");
        }
        keys.add("open_waited");
        keys.add("foreground");
        return keys;
    }

    /** The value {@link #json()} shows for {@code key} ({@link #keys()}), or NaN while there is none. */
    public synchronized double value(String key) {
        if (key.equals("foreground")) {
            return seconds.isEmpty() ? Double.NaN : foregroundSeconds();
        }
        if (key.equals("open_waited")) {
            return openWaited == null ? Double.NaN : openWaited;
        }
        boolean waitedKey = key.endsWith("_waited");
        String phaseKey = waitedKey ? key.substring(0, key.length() - "_waited".length()) : key;
        for (Phase phase : Phase.values()) {
            if (phase.key().equals(phaseKey)) {
                Double value = (waitedKey ? waited : seconds).get(phase);
                return value == null ? Double.NaN : value;
            }
        }
        throw new IllegalArgumentException("no start phase " + key);
    }

    /**
     * Exports the phases as the gauge {@code lama_tensorrt_start_phase_seconds{phase="..."}}, one per
     * {@link #keys() key}, NaN until recorded (the warm-up comes last).
     */
    public void registerGauges(MeterRegistry registry) {
        for (String key : keys()) {
            Gauge.builder(GAUGE, this, phases -> phases.value(key))
                    .description("Seconds each part of the TensorRT engine's start took (_waited: how long the start "
                            + "waited for a part that ran in the background)")
                    .tag("phase", key)
                    .strongReference(true)
                    .register(registry);
        }
    }

    /** Meter name of {@link #registerGauges}. */
    public static final String GAUGE = "lama.tensorrt.start.phase.seconds";

    /**
     * True once, when the start is complete: the warm-up is recorded and, for a start that began early, the producer's
     * wait for it. Whoever completes it (the engine after the warm-up, or the producer taking over an engine that
     * warmed up early) logs the line, once per engine.
     */
    public synchronized boolean claimLog() {
        if (logged || !seconds.containsKey(Phase.WARMUP) || (early && openWaited == null)) {
            return false;
        }
        logged = true;
        return true;
    }

    private static String format(double value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }
}
