package io.lamaserve.engine.tensorrt;

import org.bytedeco.cuda.global.cudart;

/** Turns CUDA runtime status codes into exceptions with CUDA's own wording. */
final class Cuda {

    private Cuda() {
    }

    static String errorText(int status) {
        return cudart.cudaGetErrorString(status).getString() + " (cudaError " + status + ")";
    }

    /** @throws CudaException when {@code status} is not cudaSuccess */
    static void check(int status, String what) {
        if (status != cudart.cudaSuccess) {
            throw new CudaException(what + " failed: " + errorText(status), status);
        }
    }

    /** A CUDA call failed; {@link #status()} is the cudaError_t value. */
    static final class CudaException extends RuntimeException {
        private final int status;

        CudaException(String message, int status) {
            super(message);
            this.status = status;
        }

        int status() {
            return status;
        }

        boolean outOfMemory() {
            return status == cudart.cudaErrorMemoryAllocation;
        }
    }
}
