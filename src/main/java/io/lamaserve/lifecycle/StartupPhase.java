package io.lamaserve.lifecycle;

import java.util.Locale;

/**
 * The milestones of a cold start, in the order they normally happen. Each is measured from the start of the JVM,
 * so the figures include everything a scale-from-zero request waits for inside the container.
 */
public enum StartupPhase {

    /** Configuration is read and the CDI container is up: the first application code runs. */
    CONFIG_LOADED,

    /** The ONNX file is on local disk and checked (found in the cache, downloaded, or a configured path). */
    MODEL_RESOLVED,

    /** The inference engine is open: ONNX Runtime session created, or TensorRT plan loaded or built. */
    ENGINE_LOADED,

    /** The batcher's startup sweep ran the engine at every batch size; the first real request pays no warm-up. */
    WARMUP_DONE,

    /** The HTTP server accepts connections. */
    HTTP_LISTENING,

    /** Readiness: warm-up done and HTTP listening, whichever came last. */
    READY;

    /** The value of the {@code phase} tag and the name in log lines, e.g. {@code model_resolved}. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
