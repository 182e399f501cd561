package io.lamaserve.engine.tensorrt;

import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.UnaryOperator;

/**
 * Starts {@link TensorRtProbe} (libraries, device, CUDA context: about 0.4 s on an H100) from the process's
 * {@code main}, before Quarkus boots, when the launch itself says the engine is TensorRT. The early engine start
 * in the boot ({@code EarlyEngineStart}) then finds the probe done or under way: the probe is computed once per
 * process and its callers wait for that one. On the H100's cold start the engine's thread waited 0.24 s for a
 * probe begun by that hook.
 *
 * <p>Only {@code lama.engine=tensorrt} given as a system property or as {@code LAMA_ENGINE} counts: that is what
 * the shipped manifests set, and both are readable before any configuration is. Everything else ({@code auto},
 * the CPU engine, a value from a configuration file) leaves the decision to the boot, so that a service meant for
 * the CPU never loads CUDA here.
 */
public final class LaunchProbe {

    private LaunchProbe() {
    }

    /** Starts the probe on a daemon thread when {@link #deviceToProbe} names a device; returns at once. */
    public static void startIfTensorRt() {
        OptionalInt device = deviceToProbe(System::getProperty, System::getenv);
        if (device.isPresent()) {
            // a class of its own, so that nothing of TensorRT's is loaded unless the probe runs
            Thread.ofPlatform().daemon().name("lama-tensorrt-launch-probe").start(new Probe(device.getAsInt()));
        }
    }

    /**
     * The GPU to probe, when the launch names the TensorRT engine: {@code lama.tensorrt.device} or
     * {@code LAMA_TENSORRT_DEVICE}, 0 by default (system properties win, as in the configuration).
     */
    static OptionalInt deviceToProbe(UnaryOperator<String> systemProperties, UnaryOperator<String> environment) {
        String engine = first(systemProperties.apply("lama.engine"), environment.apply("LAMA_ENGINE"));
        if (engine == null || !engine.trim().toLowerCase(Locale.ROOT).equals("tensorrt")) {
            return OptionalInt.empty();
        }
        String device = first(systemProperties.apply("lama.tensorrt.device"), environment.apply("LAMA_TENSORRT_DEVICE"));
        try {
            int ordinal = device == null ? 0 : Integer.parseInt(device.trim());
            return ordinal >= 0 ? OptionalInt.of(ordinal) : OptionalInt.empty();
        } catch (NumberFormatException e) {
            return OptionalInt.empty(); // the configuration reports it properly during the boot
        }
    }

    /** For tests: {@link #deviceToProbe} over maps. */
    static OptionalInt deviceToProbe(Map<String, String> systemProperties, Map<String, String> environment) {
        return deviceToProbe(systemProperties::get, environment::get);
    }

    private static String first(String preferred, String fallback) {
        return preferred != null && !preferred.isBlank() ? preferred : fallback;
    }

    private record Probe(int device) implements Runnable {
        @Override
        public void run() {
            // failures are kept in the cached result, which the boot reports as it would its own probe's
            TensorRtProbe.probe(device);
        }
    }
}
