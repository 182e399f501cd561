package io.lamaserve.hostile;

import io.lamaserve.engine.FakeEngine;
import io.lamaserve.engine.InpaintEngine;
import io.quarkus.test.junit.QuarkusTestProfile;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs the application with {@link #ENGINE}, an engine of known capacity that fails on command, and a queue of 8
 * tiles. Every tile takes {@link #MILLIS_PER_TILE} ms (no gain from batching), so one executor serves
 * {@link #CAPACITY} tiles a second; {@link FakeEngine#failNextBatches} makes the next batches throw as a crashed GPU
 * context would.
 */
public class ScriptedEngineProfile implements QuarkusTestProfile {

    static final int MAX_QUEUE = 8;
    static final int MILLIS_PER_TILE = 25;
    /** Tiles per second one executor finishes. */
    static final double CAPACITY = 1000.0 / MILLIS_PER_TILE;

    static final FakeEngine ENGINE = FakeEngine.builder().name("scripted-test-engine").tileSize(128).maxBatch(4)
            .latency(size -> TimeUnit.MILLISECONDS.toNanos((long) MILLIS_PER_TILE * size)).output(77f).build();

    @Override
    public Set<Class<?>> getEnabledAlternatives() {
        return Set.of(Producer.class);
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("lama.batching.max-queue", Integer.toString(MAX_QUEUE), "lama.batching.sweep-repetitions", "1");
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
