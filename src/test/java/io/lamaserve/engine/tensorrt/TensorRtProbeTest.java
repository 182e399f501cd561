package io.lamaserve.engine.tensorrt;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

class TensorRtProbeTest {

    @Test
    void missingDriverBecomesOneLineNamingTheLibrary() {
        UnsatisfiedLinkError inner = new UnsatisfiedLinkError("/home/u/.javacpp/cache/cuda-12.3-8.9-1.5.10-linux-x86_64.jar/"
                + "org/bytedeco/cuda/linux-x86_64/libjnicudart.so: libcuda.so.1: cannot open shared object file: "
                + "No such file or directory");
        NoClassDefFoundError outer = new NoClassDefFoundError("Could not initialize class org.bytedeco.tensorrt.global.nvinfer");
        outer.initCause(new ExceptionInInitializerError(inner));

        assertEquals("libcuda.so.1: cannot open shared object file: No such file or directory",
                TensorRtProbe.innermostMessage(outer));
    }

    @Test
    void messageWithoutALibraryPathIsKept() {
        assertEquals("no jnicudart in java.library.path: /usr/lib",
                TensorRtProbe.innermostMessage(new UnsatisfiedLinkError("no jnicudart in java.library.path: /usr/lib")));
    }

    /** On a machine without an NVIDIA driver (CI, this build machine) the probe reports, once, why. */
    @Test
    void withoutAGpuTheProbeSaysWhyInOneLineAndCachesTheAnswer() {
        TensorRtProbe.Result first = TensorRtProbe.probe(0);
        assumeFalse(first.available(), "this machine has a usable GPU");

        assertFalse(first.reason().isBlank());
        assertFalse(first.reason().contains("\n"), first.reason());
        assertSame(first, TensorRtProbe.probe(0), "probed twice");
    }
}
