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
import org.bytedeco.tensorrt.nvinfer.IElementWiseLayer;
import org.bytedeco.tensorrt.nvinfer.IHostMemory;
import org.bytedeco.tensorrt.nvinfer.ILayer;
import org.bytedeco.tensorrt.nvinfer.INetworkDefinition;
import org.bytedeco.tensorrt.nvinfer.IOptimizationProfile;
import org.bytedeco.tensorrt.nvinfer.ITensor;
import org.bytedeco.tensorrt.nvinfer.ITimingCache;
import org.bytedeco.tensorrt.nvonnxparser.IParser;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Builds a serialized TensorRT engine from the LaMa ONNX file: a network with a batch axis, one optimization profile
 * of fixed shape per batch size and execution context ({@link BatchShapes}), the workspace limit, TensorRT's own convolution tactics only (cuBLAS and
 * cuDNN are not required at run time), the optimization level and a persisted timing cache.
 *
 * <p>For fp16, the layers where LaMa leaves fp16's range (the DFT matrix products of the Fourier units and the sums
 * that combine their results, plus the global-branch additions) are constrained to fp32 and TensorRT is told to
 * obey those constraints.
 */
@SuppressWarnings("deprecation") // BuilderFlag.kFP16: TensorRT 10 prefers strongly typed networks, which LaMa's export is not
final class EngineBuilder {

    private static final Logger LOG = Logger.getLogger(EngineBuilder.class);

    /**
     * Layers kept in fp32 by name besides every MatMul: the whole Fourier unit (module {@code fu} in the exported
     * node names: DFT products, spectral 1×1 convolution, inverse DFT), where LaMa's activations leave fp16's range.
     */
    static final Pattern FP32_LAYER_NAMES = Pattern.compile("(?i).*(/fu/|fourier|dft|spectral).*");
    /** The global branch: sums inside the spectral transform and the sum that adds its result to convl2g's. */
    static final Pattern GLOBAL_BRANCH_NAMES = Pattern.compile("(?i).*(convg2g|global).*");
    /**
     * The DFT products of the conv export form: 1×1 convolutions directly in module {@code fu} (the spectral
     * convolution is {@code fu/conv_layer/Conv} and does not match). The gemm form's products are MatMul layers.
     */
    static final Pattern DFT_CONV_NAMES = Pattern.compile(".*/fu/Conv(_\\d+)?");

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
            applyPrecision(network, config, key.precision());
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

    /**
     * fp16: every layer may run in half precision except those {@link #fp32Layers} returns, which are pinned to
     * fp32 storage (computation in TF32, which has fp32's exponent range) with {@code kOBEY_PRECISION_CONSTRAINTS}.
     * tf32: TensorFloat-32 matrix math with fp32 storage. fp32: no reduced precision at all.
     */
    private static void applyPrecision(INetworkDefinition network, IBuilderConfig config, String precision) {
        switch (precision.replaceFirst("-.*", "")) {
            case "fp32" -> config.clearFlag(nvinfer.BuilderFlag.kTF32);
            case "tf32" -> config.setFlag(nvinfer.BuilderFlag.kTF32);
            case "fp16" -> {
                config.setFlag(nvinfer.BuilderFlag.kFP16);
                // the pinned layers need fp32's range, not its mantissa: TF32 tensor cores keep the range
                config.setFlag(nvinfer.BuilderFlag.kTF32);
                config.setFlag(nvinfer.BuilderFlag.kOBEY_PRECISION_CONSTRAINTS);
                Set<Integer> pinned = fp32Layers(network, Fp16Pinning.of(precision));
                for (int index : pinned) {
                    ILayer layer = network.getLayer(index);
                    layer.setPrecision(nvinfer.DataType.kFLOAT);
                    for (int o = 0; o < layer.getNbOutputs(); o++) {
                        layer.setOutputType(o, nvinfer.DataType.kFLOAT);
                    }
                }
                LOG.infof("fp16 engine: %d of %d layers pinned to fp32 (Fourier units, DFT products and their sums, "
                        + "global-branch sums), e.g. %s", pinned.size(), network.getNbLayers(), pinned.stream()
                        .limit(4).map(i -> network.getLayer(i).getName()).toList());
            }
            default -> throw new IllegalArgumentException("unknown precision " + precision);
        }
    }

    /**
     * Indexes of the layers that must stay fp32: MatMul layers and the Fourier-unit layers ({@link
     * #FP32_LAYER_NAMES}), element-wise layers fed by them (through reshapes), and the global-branch sums: a sum
     * named as part of the spectral transform or fed by one of its layers.
     */
    static Set<Integer> fp32Layers(INetworkDefinition network, Fp16Pinning pinning) {
        if (pinning == Fp16Pinning.NONE) {
            return Set.of();
        }
        int layers = network.getNbLayers();
        Map<String, Integer> producers = new HashMap<>();
        for (int i = 0; i < layers; i++) {
            ILayer layer = network.getLayer(i);
            for (int o = 0; o < layer.getNbOutputs(); o++) {
                producers.put(layer.getOutput(o).getName(), i);
            }
        }
        Set<Integer> pinned = new HashSet<>();
        for (int i = 0; i < layers; i++) {
            ILayer layer = network.getLayer(i);
            int type = layer.getType().value;
            if (type == nvinfer.LayerType.kCONSTANT.value || type == nvinfer.LayerType.kSHUFFLE.value) {
                continue;
            }
            boolean named = pinning == Fp16Pinning.FOURIER && FP32_LAYER_NAMES.matcher(layer.getName()).matches();
            if (isDftProduct(layer) || named) {
                pinned.add(i);
            }
        }
        for (int i = 0; i < layers; i++) {
            ILayer layer = network.getLayer(i);
            if (layer.getType().value != nvinfer.LayerType.kELEMENTWISE.value || pinned.contains(i)) {
                continue;
            }
            boolean sum = new IElementWiseLayer(layer).getOperation().value == nvinfer.ElementWiseOperation.kSUM.value;
            if (sum && GLOBAL_BRANCH_NAMES.matcher(layer.getName()).matches()) {
                pinned.add(i);
                continue;
            }
            for (int in = 0; in < layer.getNbInputs(); in++) {
                ILayer source = producerThroughShuffles(network, producers, layer.getInput(in));
                if (source == null) {
                    continue;
                }
                boolean fromPinned = isDftProduct(source)
                        || (pinning == Fp16Pinning.FOURIER && FP32_LAYER_NAMES.matcher(source.getName()).matches());
                if (fromPinned || (sum && GLOBAL_BRANCH_NAMES.matcher(source.getName()).matches())) {
                    pinned.add(i);
                    break;
                }
            }
        }
        return pinned;
    }

    /** A MatMul (gemm export form) or a DFT 1×1 convolution (conv export form). */
    static boolean isDftProduct(ILayer layer) {
        int type = layer.getType().value;
        return type == nvinfer.LayerType.kMATRIX_MULTIPLY.value
                || (type == nvinfer.LayerType.kCONVOLUTION.value && DFT_CONV_NAMES.matcher(layer.getName()).matches());
    }

    private static ILayer producerThroughShuffles(INetworkDefinition network, Map<String, Integer> producers,
                                                 ITensor tensor) {
        for (int hops = 0; tensor != null && !tensor.isNull() && hops < 8; hops++) {
            Integer index = producers.get(tensor.getName());
            if (index == null) {
                return null;
            }
            ILayer layer = network.getLayer(index);
            if (layer.getType().value != nvinfer.LayerType.kSHUFFLE.value) {
                return layer;
            }
            tensor = layer.getInput(0);
        }
        return null;
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

    /**
     * Which layers an fp16 engine keeps in fp32. FOURIER (the default) pins whole Fourier units; DFT pins only the
     * DFT products and their element-wise recombinations; NONE pins nothing (measurement only: no overflow guard).
     * Selected by {@code lama.tensorrt.fp16-pinning}; part of the plan key as a precision suffix (e.g.
     * {@code fp16-dft}), from which a build reads it back.
     */
    enum Fp16Pinning {
        FOURIER, DFT, NONE;

        static Fp16Pinning of(String precision) {
            int dash = precision.indexOf('-');
            return dash < 0 ? FOURIER : valueOf(precision.substring(dash + 1).toUpperCase(Locale.ROOT));
        }
    }

    /** The build failed for lack of GPU memory; a smaller profile may fit. */
    private static final class OutOfMemoryDuringBuild extends Exception {
        OutOfMemoryDuringBuild(String message) {
            super(message, null, false, false);
        }
    }
}
