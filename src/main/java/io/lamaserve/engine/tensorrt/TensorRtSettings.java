package io.lamaserve.engine.tensorrt;

import io.lamaserve.config.LamaConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * The TensorRT engine's settings as plain values, so the engine can be built from the service's configuration
 * or from the offline benchmark's command line alike.
 *
 * @param engineDir          plan files and timing cache
 * @param shapes             the batch sizes, each a fixed-shape optimization profile per context
 * @param contexts           execution contexts, each with one profile per batch size
 * @param precision          fp32, tf32 or fp16
 * @param fp16Pinning        which layers an fp16 engine keeps in fp32; {@code AUTO} until {@link #forModel} resolves it
 * @param optimizationLevel  level of the engine that is finally served
 * @param quickLevel         level of the engine built first when nothing is cached; negative = none
 * @param workspaceMib       builder workspace limit
 * @param cudaGraphs         replay each (context, batch size) as a captured CUDA graph
 * @param device             GPU ordinal
 */
public record TensorRtSettings(Path engineDir, BatchShapes shapes, int contexts,
                               LamaConfig.TensorRtConfig.Precision precision,
                               LamaConfig.TensorRtConfig.Fp16Pinning fp16Pinning, int optimizationLevel, int quickLevel,
                               long workspaceMib, boolean cudaGraphs, int device) {

    public TensorRtSettings {
        if (contexts < 1) {
            throw new IllegalArgumentException("lama.tensorrt.contexts must be at least 1, got " + contexts);
        }
        if (optimizationLevel < 0 || optimizationLevel > 5 || quickLevel > 5) {
            throw new IllegalArgumentException("lama.tensorrt optimization levels are 0..5, got "
                    + optimizationLevel + " and quick " + quickLevel);
        }
    }

    public static TensorRtSettings from(LamaConfig.TensorRtConfig config) {
        int max = config.maxBatch();
        BatchShapes shapes = config.batchSizes().map(sizes -> BatchShapes.of(sizes, max))
                .orElseGet(() -> BatchShapes.powersOfTwoUpTo(max));
        return new TensorRtSettings(config.engineDir(), shapes, config.contexts(), config.precision(), config.fp16Pinning(), config.optimizationLevel(), config.quickOptimizationLevel(),
                config.workspaceMib(), config.cudaGraphs(), config.device());
    }

    /** The ONNX metadata entry in which {@code tools/lama-export} lists the exact rewrites it applied. */
    static final String REWRITES = "lama-serve.rewrites";

    /**
     * These settings for one model: {@code auto} pinning resolved from the model's export. A model exported with
     * its spectrum scaled ({@code scale-spectrum-*} in {@value #REWRITES}) keeps every spectral value within twice
     * its Fourier unit's input, so fp16 cannot overflow there and nothing is pinned; any other model keeps its
     * Fourier units in fp32. Settings whose pinning is explicit are returned as they are.
     */
    public TensorRtSettings forModel(Map<String, String> onnxMetadata) {
        if (fp16Pinning != LamaConfig.TensorRtConfig.Fp16Pinning.AUTO) {
            return this;
        }
        boolean spectrumScaled = Arrays.stream(onnxMetadata.getOrDefault(REWRITES, "").split(","))
                .anyMatch(rewrite -> rewrite.strip().startsWith("scale-spectrum"));
        return withPinning(spectrumScaled ? LamaConfig.TensorRtConfig.Fp16Pinning.NONE
                : LamaConfig.TensorRtConfig.Fp16Pinning.FOURIER);
    }

    /** {@link #forModel(Map)} with the metadata read from {@code onnx} (only when it is needed). */
    public TensorRtSettings forModel(Path onnx) throws IOException {
        return fp16Pinning == LamaConfig.TensorRtConfig.Fp16Pinning.AUTO ? forModel(OnnxMetadata.read(onnx)) : this;
    }

    TensorRtSettings withPinning(LamaConfig.TensorRtConfig.Fp16Pinning pinning) {
        return new TensorRtSettings(engineDir, shapes, contexts, precision, pinning, optimizationLevel, quickLevel,
                workspaceMib, cudaGraphs, device);
    }

    /** Whether a quick engine is built first (and the final one in the background) when nothing is cached. */
    public boolean buildsQuickFirst() {
        return quickLevel >= 0 && quickLevel < optimizationLevel;
    }

    /**
     * The key of the engine these settings finally serve on {@code gpu}: the service and the build-engine command
     * both derive it here, so a plan built ahead of time is exactly the one a pod looks for.
     */
    public PlanKey planKey(String onnxSha256, String tensorRtVersion, GpuInfo gpu) {
        return new PlanKey(onnxSha256.toLowerCase(java.util.Locale.ROOT), tensorRtVersion, gpu.name(),
                gpu.computeCapability(), gpu.multiprocessors(), precisionName(), shapes, contexts, optimizationLevel);
    }

    /** The precision as the plan key names it: fp32, tf32, fp16, or fp16 with a non-default pinning suffix. */
    public String precisionName() {
        String name = precision.name().toLowerCase(java.util.Locale.ROOT);
        if (precision != LamaConfig.TensorRtConfig.Precision.FP16) {
            return name;
        }
        return switch (fp16Pinning) {
            case FOURIER -> name;
            case DFT, NONE -> name + "-" + fp16Pinning.name().toLowerCase(java.util.Locale.ROOT);
            // a key names what the engine is: auto is resolved per model first
            case AUTO -> throw new IllegalStateException("fp16 pinning 'auto' is not resolved for a model (forModel)");
        };
    }
}
