package io.lamaserve.engine.tensorrt;

/**
 * The GPU a TensorRT engine is built for, as CUDA reports it.
 *
 * @param ordinal        CUDA device index
 * @param name           e.g. {@code NVIDIA H100 80GB HBM3}
 * @param major          compute capability major
 * @param minor          compute capability minor
 * @param multiprocessors SM count
 * @param memoryBytes    total device memory
 */
public record GpuInfo(int ordinal, String name, int major, int minor, int multiprocessors, long memoryBytes) {

    public String computeCapability() {
        return major + "." + minor;
    }

    @Override
    public String toString() {
        return name + " (sm " + computeCapability() + ", " + multiprocessors + " SMs, " + (memoryBytes >> 20) + " MiB)";
    }
}
