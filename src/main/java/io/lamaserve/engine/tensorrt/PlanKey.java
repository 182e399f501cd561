package io.lamaserve.engine.tensorrt;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Everything a serialized TensorRT engine depends on. Two processes that compute the same key may share the plan
 * file; any difference (another model, TensorRT version, GPU, precision, batch sizes or context count) means
 * another file, and a plan whose stored key differs from the one asked for is rebuilt, never used.
 * <p>
 * The SM count is part of the key because a plan built on the whole GPU can fail on a share of it with the same
 * name (CUDA MPS with an active-thread percentage reports fewer SMs): some kernels TensorRT picks are launched for
 * the SM count they were built with ("Cask convolution execution ... invalid argument" on an H200 limited to 30 %).
 *
 * @param onnxSha256        SHA-256 of the ONNX file, hex
 * @param tensorRtVersion   e.g. {@code 10.6.0}
 * @param gpuName           the device name as CUDA reports it
 * @param computeCapability e.g. {@code 9.0}
 * @param multiprocessors   the SMs the process sees (all of the GPU's, or fewer under CUDA MPS)
 * @param precision         fp32, tf32 or fp16 (with a pinning suffix where not the default)
 * @param shapes            the batch sizes, one fixed-shape optimization profile each per context
 * @param contexts          execution contexts the engine has profiles for
 * @param optimizationLevel builder optimization level
 */
public record PlanKey(String onnxSha256, String tensorRtVersion, String gpuName, String computeCapability,
                      int multiprocessors, String precision, BatchShapes shapes, int contexts, int optimizationLevel) {

    public PlanKey {
        if (onnxSha256.length() < 12) {
            throw new IllegalArgumentException("not a SHA-256: " + onnxSha256);
        }
        if (multiprocessors < 1) {
            throw new IllegalArgumentException("at least one SM, got " + multiprocessors);
        }
        if (contexts < 1) {
            throw new IllegalArgumentException("at least one execution context, got " + contexts);
        }
    }

    /** The same engine at another optimization level (the quick and the final engine differ only there). */
    public PlanKey withOptimizationLevel(int level) {
        return new PlanKey(onnxSha256, tensorRtVersion, gpuName, computeCapability, multiprocessors, precision, shapes, contexts, level);
    }

    /** The same engine without the batch sizes above {@code max} (after running out of memory while building). */
    public PlanKey withMaxBatch(int max) {
        return new PlanKey(onnxSha256, tensorRtVersion, gpuName, computeCapability, multiprocessors, precision, shapes.upTo(max),
                contexts, optimizationLevel);
    }

    public int maxBatch() {
        return shapes.max();
    }

    /** Optimization profiles in the engine: every batch size once per execution context. */
    public int profiles() {
        return shapes.count() * contexts;
    }

    /** One line that identifies the key completely; stored in the plan file's header and compared on load. */
    public String canonical() {
        return String.join("|", "onnx=" + onnxSha256, "trt=" + tensorRtVersion, "gpu=" + gpuName,
                "sm=" + computeCapability, "sms=" + multiprocessors, "precision=" + precision, "batch=" + shapes.canonical(),
                "contexts=" + contexts, "level=" + optimizationLevel);
    }

    /** A readable file name that is unique per key: the parts people look for, then a digest of the whole key. */
    public String fileName() {
        return "lama-" + onnxSha256.substring(0, 12) + "-trt" + tensorRtVersion + "-" + gpuSlug() + "-sm"
                + computeCapability.replace(".", "") + "-" + precision + "-b" + shapes.canonical().replace(',', '.')
                + "x" + contexts + "-o" + optimizationLevel + "-" + Digests.sha256Hex(canonical()).substring(0, 8)
                + ".plan";
    }

    /**
     * File name of the timing cache, which is valid across models and precisions but not across GPUs, SM counts or
     * versions.
     */
    public String timingCacheFileName() {
        return "timing-trt" + tensorRtVersion + "-" + gpuSlug() + "-sm" + computeCapability.replace(".", "") + "-"
                + multiprocessors + "mp.cache";
    }

    /**
     * The names {@link #fileName()} gives to the plans of one model and one set of engine settings on any GPU and
     * TensorRT version: what can be found in the engine directory before the GPU is known. Every such file name
     * matches, and only they do (up to a GPU name that itself looks like the rest of a name).
     */
    public static Pattern fileNamesFor(String onnxSha256, String precision, BatchShapes shapes, int contexts,
                                       int optimizationLevel) {
        String sha = onnxSha256.toLowerCase(Locale.ROOT);
        if (sha.length() < 12) {
            throw new IllegalArgumentException("not a SHA-256: " + onnxSha256);
        }
        return Pattern.compile(Pattern.quote("lama-" + sha.substring(0, 12) + "-trt") + "[^-/]+-(?<gpu>[a-z0-9-]+)-sm[0-9]+"
                + Pattern.quote("-" + precision + "-b" + shapes.canonical().replace(',', '.') + "x" + contexts + "-o"
                + optimizationLevel + "-") + "[0-9a-f]{8}" + Pattern.quote(".plan"));
    }

    /** How a GPU name appears in file names: {@code NVIDIA H200} becomes {@code nvidia-h200}. */
    public static String slug(String gpuName) {
        return gpuName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }

    private String gpuSlug() {
        return slug(gpuName);
    }
}
