package io.lamaserve.batching;

import io.lamaserve.config.TestConfig;

import java.util.HashMap;
import java.util.Map;

/** Batching settings as the service builds them: its defaults, with what a test sets on top. */
public final class TestSettings {

    private TestSettings() {
    }

    /** The service's batching settings with nothing configured. */
    public static BatchingSettings defaults() {
        return BatchingSettings.from(TestConfig.defaults().batching());
    }

    /**
     * The defaults with some {@code lama.batching} properties set.
     *
     * @param namesAndValues pairs of a name below {@code lama.batching} and its value, e.g. {@code "max-queue", "8"}
     */
    public static BatchingSettings with(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values come in pairs");
        }
        Map<String, String> properties = new HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            properties.put("lama.batching." + namesAndValues[i], namesAndValues[i + 1]);
        }
        return BatchingSettings.from(TestConfig.with(properties).batching());
    }
}
