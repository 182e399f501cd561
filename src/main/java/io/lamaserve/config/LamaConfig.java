package io.lamaserve.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Every setting of the service, under the prefix {@code lama} (environment variables {@code LAMA_...}).
 * The README's configuration table lists every property with its default; a test compares the two.
 */
@ConfigMapping(prefix = "lama")
public interface LamaConfig {

    /** Where the ONNX model comes from. */
    ModelConfig model();

    /** Which inference engine runs the model. */
    @WithDefault("auto")
    EngineKind engine();

    OnnxRuntimeConfig onnxruntime();

    TensorRtConfig tensorrt();

    BatchingConfig batching();

    LimitsConfig limits();

    /** How long the HTTP server waits for a slow or stalled client. */
    HttpConfig http();

    /** Optional API-key authentication (off by default). */
    AuthConfig auth();

    /** Optional hosting of a browser app (IOPaint's web app) beside the API. */
    WebConfig web();

    enum EngineKind { AUTO, TENSORRT, ONNXRUNTIME }

    interface ModelConfig {
        /** A local ONNX file. Takes precedence over {@link #url()}. */
        Optional<Path> path();

        /** Where to download the model from when no path is set. Default: Carve's public lama_fp32.onnx. */
        @WithDefault("https://huggingface.co/Carve/LaMa-ONNX/resolve/main/lama_fp32.onnx")
        String url();

        /** Expected SHA-256 (hex) of the file at {@link #url()}; checked before the file is used. */
        @WithDefault("1faef5301d78db7dda502fe59966957ec4b79dd64e16f03ed96913c7a4eb68d6")
        String sha256();

        /** Directory that holds downloaded models, named by their checksum. */
        @WithDefault("${user.home}/.cache/lama-serve")
        Path cacheDir();

        /** Connect and read timeout of the download. */
        @WithDefault("30s")
        Duration downloadTimeout();
    }

    interface OnnxRuntimeConfig {
        /** Intra-op threads; 0 = one per available core. */
        @WithDefault("0")
        int threads();

        /** Largest batch handed to ONNX Runtime in one run (models with a fixed batch axis force 1). */
        @WithDefault("4")
        int maxBatch();

        /**
         * Whether ONNX Runtime's intra-op threads spin, waiting for work, after a run. Off by default: the request
         * that just got its tiles back encodes its answer on the same cores, and other requests decode theirs.
         */
        @WithDefault("false")
        boolean spinWait();
    }

    interface TensorRtConfig {
        /** Where built engines (plan files) and the timing cache are kept. */
        @WithDefault("engines")
        Path engineDir();

        /** Largest batch the engine runs. */
        @WithDefault("16")
        int maxBatch();

        /**
         * The batch sizes the engine is built for, each as an optimization profile of fixed shape per context, so
         * that batches of changing size cost no shape change; a batch between two sizes runs in the next larger one.
         * Unset = 1, 2, 4, … up to max-batch. max-batch is always included. Part of the engine cache key.
         */
        Optional<List<Integer>> batchSizes();

        /** Execution contexts, each with its own CUDA stream and buffers; the batcher runs one batch per context. */
        @WithDefault("2")
        int contexts();

        @WithDefault("fp16")
        Precision precision();

        /**
         * Which layers an fp16 engine keeps in fp32: {@code auto} (nothing for a model exported with its spectrum
         * scaled, {@code lama-export --scale-spectrum}, whose Fourier units cannot leave fp16's range; the Fourier
         * units otherwise), {@code fourier} (whole Fourier units and the global-branch sums, the overflow guard),
         * {@code dft} (only the DFT products and their sums) or {@code none} (no guard). Part of the engine cache
         * key, as the pinning it resolves to.
         */
        @WithDefault("auto")
        Fp16Pinning fp16Pinning();

        /** Builder optimization level (0..5) of the engine that is finally served. */
        @WithDefault("3")
        int optimizationLevel();

        /** Level of the quick engine built first when nothing is cached; -1 = build only the final engine. */
        @WithDefault("0")
        int quickOptimizationLevel();

        /** Builder workspace limit in MiB. */
        @WithDefault("4096")
        long workspaceMib();

        /**
         * Replay each batch size's execution context as a captured CUDA graph: saves the kernel launches (about 1 ms
         * at batch 1 on an H200) and makes a change of batch size between consecutive batches cost nothing.
         */
        @WithDefault("true")
        boolean cudaGraphs();

        /** GPU ordinal. */
        @WithDefault("0")
        int device();

        enum Precision { FP32, TF32, FP16 }

        enum Fp16Pinning { AUTO, FOURIER, DFT, NONE }
    }

    interface BatchingConfig {
        /** adaptive = dynamic batching; off = every request alone at batch 1 (the baseline). */
        @WithDefault("adaptive")
        Mode mode();

        /** Deadline of a request, from arrival; a client may ask for less with the X-Request-Timeout header. */
        @WithDefault("30s")
        Duration timeout();

        /** Bound of the tile queue; beyond it requests get 429. */
        @WithDefault("64")
        int maxQueue();

        /** Timed repetitions per batch size in the startup sweep. */
        @WithDefault("3")
        int sweepRepetitions();

        /** Share of the best per-image throughput that defines the knee. */
        @WithDefault("0.95")
        double kneeFraction();

        /** Upper bound on the batch cap; unset = the engine's max batch. */
        OptionalInt maxBatch();

        /**
         * While another execution context of the GPU runs a batch, an idle one starts only once this share of the
         * knee is queued, or as many tiles as the busy batch holds if that is fewer (or when the oldest request's
         * deadline needs it); 0 = start at once. Only matters with more than one executor (TensorRT contexts). On
         * an H200 with 2 contexts, the first form of the rule (always this share of the knee) at 0.5 raised 32
         * closed-loop clients from 200 to 242 images/s and 16 clients from 162 to 173 (docs/batching.md).
         */
        @WithDefault("0.5")
        double sharedGpuMinFraction();

        /**
         * Reuse the startup sweep's latency table from an earlier start with the same model, engine and hardware
         * (kept in {@link #costTableDir()}), so a restart is ready after one warm-up inference.
         */
        @WithDefault("true")
        boolean reuseCostTable();

        /** Where measured latency tables are kept; by default beside the downloaded models. */
        @WithDefault("${lama.model.cache-dir}/cost-tables")
        Path costTableDir();

        enum Mode { ADAPTIVE, OFF }
    }

    interface LimitsConfig {
        /** Largest accepted request body, in bytes. */
        @WithDefault("33554432")
        long maxBodyBytes();

        /** Largest accepted image, in pixels (width * height), read from the header before decoding. */
        @WithDefault("40000000")
        long maxPixels();

        /**
         * Most image pixels decoded at once across all requests; bounds the memory requests take (about 25 bytes
         * per pixel, docs/hardening.md). At least {@link #maxPixels()}. A request that does not fit waits up to
         * {@link #pixelsInFlightWait()} for others to finish, then gets 503 with Retry-After.
         */
        @WithDefault("80000000")
        long maxPixelsInFlight();

        /** How long a request waits for room in {@link #maxPixelsInFlight()} before it is refused. */
        @WithDefault("2s")
        Duration pixelsInFlightWait();
    }

    interface HttpConfig {
        /**
         * Longest a connection may take to send a request's headers, counted from the moment the connection is
         * accepted or from the end of its previous answer, however the bytes come (a kept-alive connection idle this
         * long is closed too). nginx waits
         * 60 s (client_header_timeout); a client on a working network needs milliseconds.
         */
        @WithDefault("30s")
        Duration headerTimeout();

        /**
         * Longest a request body may pause between two pieces before the request is answered 408 and the
         * connection closed (nginx: client_body_timeout, 60 s). However steadily a body arrives, the request's
         * deadline ({@code lama.batching.timeout}) counts from the end of its headers.
         */
        @WithDefault("30s")
        Duration bodyIdleTimeout();

        /**
         * On shutdown, a body that has not moved for this long is treated as stalled and its connection closed at
         * once; bodies still arriving are read to the end and their requests answered.
         */
        @WithDefault("1s")
        Duration drainStallTimeout();
    }

    interface AuthConfig {
        /** Require an API key on every endpoint except the health probes (and metrics, unless protected). */
        @WithDefault("false")
        boolean enabled();

        /** Accepted keys, comma-separated; sent as {@code Authorization: Bearer <key>} or {@code X-API-Key: <key>}. */
        Optional<List<String>> apiKeys();

        /** Also require a key on {@code /q/metrics} (off: scrapers usually cannot send one). */
        @WithDefault("false")
        boolean protectMetrics();
    }

    interface WebConfig {
        /**
         * A directory of static files served at {@code /} (a directory's {@code index.html} for its own path), for
         * IOPaint's built web app; unset = no static files. Nothing outside it is served, whatever the path asks.
         */
        Optional<Path> dir();
    }
}
