package io.lamaserve.engine.tensorrt;

import io.lamaserve.engine.EngineException;
import io.lamaserve.model.ModelContract;
import io.lamaserve.model.ModelSignature;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.tensorrt.global.nvinfer;
import org.bytedeco.tensorrt.global.nvonnxparser;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.IBuilder;
import org.bytedeco.tensorrt.nvinfer.IBuilderConfig;
import org.bytedeco.tensorrt.nvinfer.IHostMemory;
import org.bytedeco.tensorrt.nvinfer.INetworkDefinition;
import org.bytedeco.tensorrt.nvinfer.IOptimizationProfile;
import org.bytedeco.tensorrt.nvinfer.ITensor;
import org.bytedeco.tensorrt.nvinfer.ITimingCache;
import org.bytedeco.tensorrt.nvonnxparser.IParser;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Builds a serialized TensorRT engine from the LaMa ONNX file: a network with a batch axis, one optimization profile
 * of fixed shape per batch size and execution context ({@link BatchShapes}), the workspace limit, TensorRT's own convolution tactics only (cuBLAS and
 * cuDNN are not required at run time), the optimization level and a persisted timing cache. The precision, the
 * one part that knows LaMa's layers, is {@link LamaPrecision}'s.
 */
final class EngineBuilder {

    private static final Logger LOG = Logger.getLogger(EngineBuilder.class);

    /** What a build produced. The plan is native memory owned by this object until {@link #close()}. */
    static final class Built implements AutoCloseable {
        private final IHostMemory plan;
        final PlanKey key;
        final ModelSignature signature;
        final double seconds;

        Built(IHostMemory plan, PlanKey key, ModelSignature signature, double seconds) {
            this.plan = plan;
            this.key = key;
            this.signature = signature;
            this.seconds = seconds;
        }

        ByteBuffer bytes() {
            return plan.data().capacity(plan.size()).asByteBuffer();
        }

        @Override
        public void close() {
            NativeDelete.delete(plan);
        }
    }

    private final TrtLogger logger;
    private final PlanCache cache;
    private final long workspaceMib;

    EngineBuilder(TrtLogger logger, PlanCache cache, long workspaceMib) {
        this.logger = logger;
        this.cache = cache;
        this.workspaceMib = workspaceMib;
    }

    /**
     * Builds the engine for {@code key}; when the GPU runs out of memory, retries with half the max batch (down to
     * the optimum batch, then 1) and says so. The returned key carries the batch profile actually built.
     */
    Built build(Path onnx, PlanKey key) throws EngineException {
        PlanKey attempt = key;
        while (true) {
            try {
                return buildOnce(onnx, attempt);
            } catch (OutOfMemoryDuringBuild e) {
                if (attempt.maxBatch() <= 1) {
                    throw new EngineException("TensorRT ran out of GPU memory building even a batch-1 engine: "
                            + e.getMessage());
                }
                int smaller = Math.max(1, attempt.maxBatch() / 2);
                LOG.warnf("TensorRT ran out of GPU memory building for max batch %d (%s); retrying with max batch %d",
                        attempt.maxBatch(), e.getMessage(), smaller);
                attempt = attempt.withMaxBatch(smaller);
            }
        }
    }

    private Built buildOnce(Path onnx, PlanKey key) throws EngineException, OutOfMemoryDuringBuild {
        long started = System.nanoTime();
        IBuilder builder = nvinfer.createInferBuilder(logger);
        if (builder == null || builder.isNull()) {
            throw new EngineException("TensorRT could not create a builder: " + logger.lastError());
        }
        INetworkDefinition network = null;
        IParser parser = null;
        IBuilderConfig config = null;
        ITimingCache timingCache = null;
        ScheduledExecutorService ticker = null;
        try {
            // TensorRT 10: every network has explicit batch dimensions; flag 0 asks for nothing else
            network = builder.createNetworkV2(0);
            parser = nvonnxparser.createParser(network, logger);
            if (!parser.parseFromFile(onnx.toString(), org.bytedeco.tensorrt.nvinfer.ILogger.Severity.kWARNING.value)) {
                StringBuilder errors = new StringBuilder();
                for (int i = 0; i < parser.getNbErrors(); i++) {
                    errors.append(i == 0 ? "" : "; ").append(parser.getError(i).desc());
                }
                throw new EngineException("TensorRT's ONNX parser rejected " + onnx + ": " + errors);
            }
            ModelSignature signature = signatureOf(network, onnx);
            ModelContract.of(signature);

            config = builder.createBuilderConfig();
            config.setMemoryPoolLimit(nvinfer.MemoryPoolType.kWORKSPACE, workspaceMib << 20);
            config.setTacticSources((1 << nvinfer.TacticSource.kEDGE_MASK_CONVOLUTIONS.value)
                    | (1 << nvinfer.TacticSource.kJIT_CONVOLUTIONS.value));
            config.setBuilderOptimizationLevel(key.optimizationLevel());
            LamaPrecision.apply(network, config, key.precision());
            addProfiles(builder, network, config, key);

            byte[] stored = cache.loadTimingCache(key).orElse(new byte[0]);
            try (BytePointer serialized = new BytePointer(stored)) {
                timingCache = config.createTimingCache(stored.length == 0 ? null : serialized, stored.length);
            }
            config.setTimingCache(timingCache, false);

            LOG.infof("building TensorRT engine %s (precision %s, batch sizes %s for each of %d context(s): %d profiles, "
                            + "level %d, timing cache %d bytes)", key.fileName(), key.precision(), key.shapes().canonical(),
                    key.contexts(), key.profiles(), key.optimizationLevel(), stored.length);
            ticker = progressTicker(key, started);
            logger.clearLastError();
            IHostMemory plan = builder.buildSerializedNetwork(network, config);
            ticker.shutdownNow();
            if (plan == null || plan.isNull() || plan.size() == 0) {
                String error = logger.lastError();
                if (looksLikeOutOfMemory(error)) {
                    throw new OutOfMemoryDuringBuild(error);
                }
                throw new EngineException("TensorRT failed to build " + key.fileName() + ": " + error);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            LOG.infof("built TensorRT engine %s in %.1f s (%d MiB)", key.fileName(), seconds, plan.size() >> 20);
            saveTimingCache(config, key);
            return new Built(plan, key, signature, seconds);
        } finally {
            if (ticker != null) {
                ticker.shutdownNow();
            }
            // the parser owns the weights the network refers to and goes last; TensorRT 10's bindings cannot delete
            // it (see NativeDelete), so its host copy of the weights stays until the process ends: a build happens
            // at most twice per process
            NativeDelete.delete(config);
            NativeDelete.delete(timingCache);
            NativeDelete.delete(network);
            NativeDelete.delete(builder);
        }
    }

    private void saveTimingCache(IBuilderConfig config, PlanKey key) {
        ITimingCache used = config.getTimingCache();
        if (used == null || used.isNull()) {
            return;
        }
        IHostMemory serialized = used.serialize();
        try {
            Path file = cache.storeTimingCache(key, serialized.data().capacity(serialized.size()).asByteBuffer());
            LOG.infof("timing cache saved to %s (%d KiB)", file, serialized.size() >> 10);
        } catch (IOException e) {
            LOG.warnf("could not save the timing cache: %s", e.getMessage());
        } finally {
            NativeDelete.delete(serialized);
        }
    }

    private static ScheduledExecutorService progressTicker(PlanKey key, long started) {
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "tensorrt-build-progress");
            thread.setDaemon(true);
            return thread;
        });
        ticker.scheduleAtFixedRate(() -> LOG.infof("still building TensorRT engine (%s, level %d): %d s",
                        key.precision(), key.optimizationLevel(), (System.nanoTime() - started) / 1_000_000_000L),
                30, 30, TimeUnit.SECONDS);
        return ticker;
    }

    static boolean looksLikeOutOfMemory(String error) {
        String text = error.toLowerCase(Locale.ROOT);
        return text.contains("out of memory") || text.contains("outofmemory") || text.contains("cudaerrormemoryallocation")
                || text.contains("insufficient memory") || text.contains("failed to allocate");
    }

    /**
     * Profile {@code context × sizes + i} fixes the batch axis of every input at size {@code i}: each execution
     * context gets its own run of profiles (TensorRT lets one context at a time use a profile).
     */
    private void addProfiles(IBuilder builder, INetworkDefinition network, IBuilderConfig config, PlanKey key)
            throws EngineException {
        for (int context = 0; context < key.contexts(); context++) {
            for (int size : key.shapes().sizes()) {
                IOptimizationProfile profile = builder.createOptimizationProfile();
                for (int i = 0; i < network.getNbInputs(); i++) {
                    ITensor input = network.getInput(i);
                    try (Dims64 fixed = withBatch(input.getDimensions(), size)) {
                        profile.setDimensions(input.getName(), nvinfer.OptProfileSelector.kMIN, fixed);
                        profile.setDimensions(input.getName(), nvinfer.OptProfileSelector.kOPT, fixed);
                        profile.setDimensions(input.getName(), nvinfer.OptProfileSelector.kMAX, fixed);
                    }
                }
                if (!profile.isValid() || config.addOptimizationProfile(profile) < 0) {
                    throw new EngineException("TensorRT rejected the fixed-shape profile for batch " + size + ": "
                            + logger.lastError());
                }
            }
        }
    }

    static Dims64 withBatch(Dims64 dims, long batch) {
        Dims64 result = new Dims64();
        result.nbDims(dims.nbDims());
        for (int d = 0; d < dims.nbDims(); d++) {
            result.d(d, d == 0 ? batch : dims.d(d));
        }
        return result;
    }

    private static ModelSignature signatureOf(INetworkDefinition network, Path onnx) throws EngineException {
        Map<String, long[]> inputs = new LinkedHashMap<>();
        Map<String, long[]> outputs = new LinkedHashMap<>();
        for (int i = 0; i < network.getNbInputs(); i++) {
            inputs.put(network.getInput(i).getName(), shape(network.getInput(i).getDimensions()));
        }
        for (int i = 0; i < network.getNbOutputs(); i++) {
            outputs.put(network.getOutput(i).getName(), shape(network.getOutput(i).getDimensions()));
        }
        try {
            return new ModelSignature(inputs, outputs, OnnxMetadata.read(onnx));
        } catch (IOException | IllegalArgumentException e) {
            throw new EngineException("cannot read the metadata of " + onnx + ": " + e.getMessage(), e);
        }
    }

    static long[] shape(Dims64 dims) {
        long[] shape = new long[dims.nbDims()];
        for (int d = 0; d < shape.length; d++) {
            shape[d] = dims.d(d);
        }
        return shape;
    }

    /** The build failed for lack of GPU memory; a smaller profile may fit. */
    private static final class OutOfMemoryDuringBuild extends Exception {
        OutOfMemoryDuringBuild(String message) {
            super(message, null, false, false);
        }
    }
}
