package io.lamaserve.engine.tensorrt;

import java.util.Locale;

/**
 * Everything a serialized TensorRT engine depends on. Two processes that compute the same key may share the plan
 * file; any difference (another model, TensorRT version, GPU, precision or batch profile) means another file.
 *
 * @param onnxSha256        SHA-256 of the ONNX file, hex
 * @param tensorRtVersion   e.g. {@code 8.6.1}
 * @param gpuName           the device name as CUDA reports it
 * @param computeCapability e.g. {@code 9.0}
 * @param precision         fp32, tf32 or fp16
 * @param minBatch          profile minimum
 * @param optBatch          profile optimum
 * @param maxBatch          profile maximum
 * @param profiles          optimization profiles in the engine (one per execution context)
 * @param optimizationLevel builder optimization level
 */
public record PlanKey(String onnxSha256, String tensorRtVersion, String gpuName, String computeCapability,
                      String precision, int minBatch, int optBatch, int maxBatch, int profiles, int optimizationLevel) {

    public PlanKey {
        if (onnxSha256.length() < 12) {
            throw new IllegalArgumentException("not a SHA-256: " + onnxSha256);
        }
        if (minBatch < 1 || optBatch < minBatch || maxBatch < optBatch) {
            throw new IllegalArgumentException("batch profile must satisfy 1 <= min <= opt <= max, got "
                    + minBatch + "/" + optBatch + "/" + maxBatch);
        }
        if (profiles < 1) {
            throw new IllegalArgumentException("at least one optimization profile, got " + profiles);
        }
    }

    /** The same engine at another optimization level (the quick and the final engine differ only there). */
    public PlanKey withOptimizationLevel(int level) {
        return new PlanKey(onnxSha256, tensorRtVersion, gpuName, computeCapability, precision, minBatch, optBatch,
                maxBatch, profiles, level);
    }

    /** The same engine with a smaller batch profile (after running out of memory while building). */
    public PlanKey withMaxBatch(int max) {
        return new PlanKey(onnxSha256, tensorRtVersion, gpuName, computeCapability, precision, minBatch,
                Math.min(optBatch, max), max, profiles, optimizationLevel);
    }

    /** One line that identifies the key completely; stored in the plan file's header and compared on load. */
    public String canonical() {
        return String.join("|", "onnx=" + onnxSha256, "trt=" + tensorRtVersion, "gpu=" + gpuName,
                "sm=" + computeCapability, "precision=" + precision,
                "batch=" + minBatch + "/" + optBatch + "/" + maxBatch, "profiles=" + profiles,
                "level=" + optimizationLevel);
    }

    /** A readable file name that is unique per key: the parts people look for, then a digest of the whole key. */
    public String fileName() {
        String gpu = gpuName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
        return "lama-" + onnxSha256.substring(0, 12) + "-trt" + tensorRtVersion + "-" + gpu + "-sm"
                + computeCapability.replace(".", "") + "-" + precision + "-b" + minBatch + "-" + optBatch + "-"
                + maxBatch + "x" + profiles + "-o" + optimizationLevel + "-" + Digests.sha256Hex(canonical()).substring(0, 8)
                + ".plan";
    }

    /** File name of the timing cache, which is valid across models and precisions but not across GPUs or versions. */
    public String timingCacheFileName() {
        String gpu = gpuName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
        return "timing-trt" + tensorRtVersion + "-" + gpu + "-sm" + computeCapability.replace(".", "") + ".cache";
    }
}
