package io.lamaserve.engine.tensorrt;

import io.lamaserve.engine.EngineException;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Fills the engine directory before any traffic: makes sure the plan that the service will look for (the key it
 * derives from the same settings) is cached, building it only when no valid plan for exactly that key is there.
 * Only the optimized engine is built; the quick engine exists to serve while a pod builds on the request path, which
 * this is meant to avoid.
 */
public final class PlanPreparer {

    /** The command that does this from the application's jar (shown where a pod finds no plan). */
    public static final String COMMAND = "java -cp 'quarkus-app/lib/boot/*:quarkus-app/lib/main/*:quarkus-app/app/*' "
            + "io.lamaserve.lifecycle.BuildEngineCommand";

    /** Builds a plan for a key and stores it in the cache; returns the key actually stored and the build time. */
    interface Compiler {
        Stored compileAndStore(Path onnx, PlanKey key) throws EngineException;
    }

    /** A plan written to the cache. */
    record Stored(PlanKey key, double seconds) {
    }

    /**
     * What {@link #prepare} found or did.
     *
     * @param requested the key the service will look for
     * @param stored    the key of the plan now cached: {@code requested}, or one with a smaller max batch when the
     *                  GPU ran out of memory building the requested one
     * @param file      the plan file
     * @param built     false when a valid plan for {@code requested} was already there
     * @param seconds   build time, 0 when nothing was built
     */
    public record Outcome(PlanKey requested, PlanKey stored, Path file, boolean built, double seconds) {
        /** Whether the service with the same settings will load this plan instead of building one. */
        public boolean servesRequestedKey() {
            return requested.equals(stored);
        }
    }

    private final PlanCache cache;
    private final Compiler compiler;

    PlanPreparer(PlanCache cache, Compiler compiler) {
        this.cache = cache;
        this.compiler = compiler;
    }

    /** A preparer that builds with TensorRT on the GPU the probe found; the caller has checked that it found one. */
    public static PlanPreparer onThisGpu(TensorRtSettings settings) {
        PlanCache cache = new PlanCache(settings.engineDir());
        return new PlanPreparer(cache, (onnx, key) -> {
            EngineBuilder builder = new EngineBuilder(new TrtLogger(), cache, settings.workspaceMib());
            try (EngineBuilder.Built built = builder.build(onnx, key)) {
                try {
                    cache.storePlan(built.key, built.bytes());
                } catch (IOException e) {
                    throw new EngineException("built the engine but could not write it to " + cache.directory()
                            + ": " + e.getMessage(), e);
                }
                return new Stored(built.key, built.seconds);
            }
        });
    }

    /**
     * Ensures a valid plan for {@code key} is cached. A file for the key whose header names another key, or that
     * is truncated or corrupt, does not count: it is rebuilt (and replaced), never kept.
     */
    public Outcome prepare(Path onnx, PlanKey key) throws EngineException {
        if (cache.loadPlan(key).isPresent()) {
            return new Outcome(key, key, cache.planPath(key), false, 0);
        }
        Stored stored = compiler.compileAndStore(onnx, key);
        return new Outcome(key, stored.key(), cache.planPath(stored.key()), true, stored.seconds());
    }

    /**
     * The warning a pod logs when it has to build its engine on the request path; one line that says what it costs
     * and how to avoid it.
     */
    public static String slowPathWarning(PlanKey key, Path engineDir) {
        return "SLOW START: no prebuilt TensorRT engine " + key.fileName() + " in " + engineDir.toAbsolutePath()
                + "; this pod builds it now (minutes on a large GPU) before it can serve. Build it before traffic with"
                + " the same LAMA_* settings and engine volume: " + COMMAND
                + " (Kubernetes: k8s/engine-build-job.yaml, or the init container in k8s/knative-service-prebuilt.yaml)";
    }
}
