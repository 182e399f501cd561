package io.lamaserve.engine.tensorrt;

import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.tensorrt.global.nvinfer;
import org.bytedeco.tensorrt.global.nvonnxparser;

import java.util.Optional;

/**
 * Finds out once per process whether TensorRT can run here: the JNI glue and the CUDA runtime, TensorRT and ONNX
 * parser libraries load, CUDA sees the configured GPU and can create its context (which the probe creates, so that
 * the engine finds it ready). A missing driver or library becomes one sentence
 * (the innermost cause) instead of a stack of {@link UnsatisfiedLinkError}s, and nothing touches the native classes
 * again after a failed probe (a second touch would only throw {@link NoClassDefFoundError}).
 */
public final class TensorRtProbe {

    /**
     * Outcome of the probe.
     *
     * @param gpu             the device, when available
     * @param tensorRtVersion e.g. 8.6.1, when available
     * @param reason          why TensorRT cannot run, when unavailable
     */
    public record Result(Optional<GpuInfo> gpu, String tensorRtVersion, String reason) {
        public boolean available() {
            return gpu.isPresent();
        }

        static Result unavailable(String reason) {
            return new Result(Optional.empty(), "", reason);
        }
    }

    private static volatile Result cached;
    private static volatile int cachedDevice = -1;

    private TensorRtProbe() {
    }

    /** The probe's result for {@code device}, computed on the first call and then reused. */
    public static synchronized Result probe(int device) {
        if (cached == null || cachedDevice != device) {
            cached = run(device);
            cachedDevice = device;
        }
        return cached;
    }

    private static Result run(int device) {
        try {
            Loader.load(cudart.class);
            Loader.load(nvinfer.class);
            Loader.load(nvonnxparser.class);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
            return Result.unavailable("TensorRT/CUDA libraries did not load: " + innermostMessage(e));
        }
        int[] count = new int[1];
        int status = cudart.cudaGetDeviceCount(count);
        if (status != cudart.cudaSuccess) {
            return Result.unavailable("CUDA found no usable GPU: " + Cuda.errorText(status));
        }
        if (device < 0 || device >= count[0]) {
            return Result.unavailable("lama.tensorrt.device=" + device + " but CUDA sees " + count[0] + " GPU(s)");
        }
        try (cudaDeviceProp properties = new cudaDeviceProp()) {
            status = cudart.cudaGetDeviceProperties(properties, device);
            if (status != cudart.cudaSuccess) {
                return Result.unavailable("cannot query GPU " + device + ": " + Cuda.errorText(status));
            }
            GpuInfo gpu = new GpuInfo(device, properties.name().getString().trim(), properties.major(),
                    properties.minor(), properties.multiProcessorCount(), properties.totalGlobalMem());
            // creates the device's primary CUDA context now (a few hundred ms on a large GPU) rather than in the
            // engine's first CUDA call: the probe runs in the background while the service boots
            status = cudart.cudaSetDevice(device);
            if (status == cudart.cudaSuccess) {
                // before the context exists: a thread waiting for its stream sleeps instead of spinning. By
                // default CUDA spins while it has fewer contexts than cores, and the service's executors spend most
                // of their time waiting: on the H100 proof run of 2026-12-06 two executors that did little else used
                // 1.5 cores, CPU the PNG codecs need at full load. Waking costs microseconds, batches take
                // milliseconds. Refused once a context is active (another library made it first): then it spins.
                cudart.cudaSetDeviceFlags(cudart.cudaDeviceScheduleBlockingSync);
                status = cudart.cudaFree(null);
            }
            if (status != cudart.cudaSuccess) {
                return Result.unavailable("cannot create a CUDA context on GPU " + device + ": " + Cuda.errorText(status));
            }
            String trt = nvinfer.getInferLibMajorVersion() + "." + nvinfer.getInferLibMinorVersion() + "."
                    + nvinfer.getInferLibPatchVersion();
            return new Result(Optional.of(gpu), trt, "");
        }
    }

    /** The deepest cause's message; for a missing driver that is e.g. "libcuda.so.1: cannot open shared object file". */
    static String innermostMessage(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        int colon = message.lastIndexOf(".so: ");
        // JavaCPP prefixes the path of its extracted JNI library; the part after it names the missing system library
        return colon >= 0 ? message.substring(colon + 5) : message;
    }
}
