package io.lamaserve.api;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;
import java.util.Set;

/** Runs the application with {@link GatedEngine} instead of the real engine. */
public class GatedEngineProfile implements QuarkusTestProfile {

    @Override
    public Set<Class<?>> getEnabledAlternatives() {
        return Set.of(GatedEngine.Producer.class);
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("lama.batching.max-queue", "8", "lama.batching.sweep-repetitions", "1");
    }
}
