package io.lamaserve.api;

import io.lamaserve.engine.FakeEngine;
import io.lamaserve.engine.InpaintEngine;
import io.quarkus.test.junit.QuarkusTestProfile;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.Map;
import java.util.Set;

/**
 * Runs the application with {@link #ENGINE} instead of the real engine: the model's tile side, one context, no
 * latency; a test {@link FakeEngine#hold() holds} its batches to look at the queue behind a busy executor.
 */
public class GatedEngineProfile implements QuarkusTestProfile {

    /** Fills outputs with mid-grey. */
    static final FakeEngine ENGINE = FakeEngine.builder().name("gated-test-engine").tileSize(512).maxBatch(4)
            .output(128f).build();

    @Override
    public Set<Class<?>> getEnabledAlternatives() {
        return Set.of(Producer.class);
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("lama.batching.max-queue", "8", "lama.batching.sweep-repetitions", "1");
    }

    @Alternative
    @ApplicationScoped
    public static class Producer {
        @Produces
        @Singleton
        InpaintEngine engine() {
            return ENGINE;
        }
    }
}
