package io.lamaserve.engine.tensorrt;

import io.lamaserve.config.LamaConfig.TensorRtConfig.Fp16Pinning;
import io.lamaserve.config.LamaConfig.TensorRtConfig.Precision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TensorRtPrestartTest {

    static final GpuInfo H200 = new GpuInfo(0, "NVIDIA H200", 9, 0, 132, 143_771L << 20);

    @TempDir
    Path dir;

    TensorRtSettings settings() {
        return new TensorRtSettings(dir, BatchShapes.of(List.of(1, 2, 4, 8, 16, 32), 32), 2, Precision.FP16,
                Fp16Pinning.FOURIER, 3, 0, 4096, true, 0);
    }

    static TensorRtProbe.Result h200() {
        return new TensorRtProbe.Result(Optional.of(H200), "10.6.0", "");
    }

    @Test
    void theProbeRunsOnceInTheBackgroundAndTheWaitForItIsRecorded() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        TensorRtPrestart prestart = TensorRtPrestart.start(settings(), device -> {
            calls.incrementAndGet();
            try {
                assertTrue(release.await(10, TimeUnit.SECONDS));
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return h200();
        });
        Thread.sleep(20);
        release.countDown();
        StartPhases phases = new StartPhases("x");
        assertTrue(prestart.probe(phases).available());
        assertEquals(h200(), prestart.probe());
        assertEquals(1, calls.get());
        double took = phases.seconds(StartPhases.Phase.PROBE).orElseThrow();
        double waited = phases.waited(StartPhases.Phase.PROBE).orElseThrow();
        assertTrue(took >= 0.05, "probe took " + took);
        assertTrue(waited > 0 && waited <= took + 0.01, "waited " + waited + " of " + took);
    }

    @Test
    void aProbeDoneBeforeItIsNeededCostsNoWait() throws Exception {
        TensorRtPrestart prestart = TensorRtPrestart.start(settings(), device -> h200());
        Thread.sleep(200);
        StartPhases phases = new StartPhases("x");
        prestart.probe(phases);
        assertTrue(phases.waited(StartPhases.Phase.PROBE).orElseThrow() < 0.05);
    }

    @Test
    void aProbeThatThrowsIsAnUnavailableTensorRt() {
        TensorRtPrestart prestart = TensorRtPrestart.start(settings(), device -> {
            throw new UnsatisfiedLinkError("/tmp/x/libjnicudart.so: libcuda.so.1: cannot open shared object file");
        });
        TensorRtProbe.Result result = prestart.probe(new StartPhases("x"));
        assertFalse(result.available());
        assertTrue(result.reason().contains("libcuda.so.1"), result.reason());
    }
}
