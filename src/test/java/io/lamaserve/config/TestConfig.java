package io.lamaserve.config;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.PathConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * {@link LamaConfig} built outside Quarkus from the same {@code @WithDefault}s the service reads, so that tests and
 * the simulator run the defaults production runs instead of restating them.
 */
public final class TestConfig {

    private static final LamaConfig DEFAULTS = with(Map.of());

    private TestConfig() {
    }

    /** The configuration of a service started with nothing set. */
    public static LamaConfig defaults() {
        return DEFAULTS;
    }

    /** The defaults with {@code overrides} (full property names, e.g. {@code lama.batching.max-queue}) applied. */
    public static LamaConfig with(Map<String, String> overrides) {
        return new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                // ${user.home} in a default resolves as it does in the service
                // ${user.home} in a default resolves as in the service; other system properties are left out, since
                // Quarkus tests running earlier in the same JVM leave their profiles' settings there
                .withSources(new PropertiesConfigSource(Map.of("user.home", System.getProperty("user.home")),
                        "user.home", 100))
                .withSources(new PropertiesConfigSource(overrides, "test overrides", 500))
                // the converters Quarkus registers for the types LamaConfig uses (e.g. "30s" for a Duration)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withConverter(Path.class, 200, new PathConverter())
                .withMapping(LamaConfig.class)
                .build()
                .getConfigMapping(LamaConfig.class);
    }
}
