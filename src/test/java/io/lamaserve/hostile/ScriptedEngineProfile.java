package io.lamaserve.hostile;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;
import java.util.Set;

/** Runs the application with {@link ScriptedEngine}: known capacity, faults on command, a queue of 8 tiles. */
public class ScriptedEngineProfile implements QuarkusTestProfile {

    static final int MAX_QUEUE = 8;

    @Override
    public Set<Class<?>> getEnabledAlternatives() {
        return Set.of(ScriptedEngine.Producer.class);
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("lama.batching.max-queue", Integer.toString(MAX_QUEUE), "lama.batching.sweep-repetitions", "1");
    }
}
