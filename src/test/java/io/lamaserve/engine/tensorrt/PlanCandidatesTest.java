package io.lamaserve.engine.tensorrt;

import io.lamaserve.config.LamaConfig.TensorRtConfig.Fp16Pinning;
import io.lamaserve.config.LamaConfig.TensorRtConfig.Precision;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlanCandidatesTest {

    private static final String SHA = "fb3c8075dbd3".repeat(5) + "abcd";
    private static final GpuInfo H200 = new GpuInfo(0, "NVIDIA H200", 9, 0, 132, 143_771L << 20);
    private static final GpuInfo H100 = new GpuInfo(0, "NVIDIA H100 80GB HBM3", 9, 0, 132, 81_559L << 20);
    private static final GpuInfo T4 = new GpuInfo(0, "Tesla T4", 7, 5, 40, 15_360L << 20);

    private static TensorRtSettings settings(Precision precision, Fp16Pinning pinning, List<Integer> sizes, int contexts,
                                             int level) {
        return new TensorRtSettings(Path.of("engines"), BatchShapes.of(sizes, sizes.getLast()), contexts, precision,
                pinning, level, 0, 4096, true, 0);
    }

    private static final TensorRtSettings SERVICE = settings(Precision.FP16, Fp16Pinning.FOURIER,
            List.of(1, 2, 4, 8, 16, 32), 2, 3);

    private static String file(TensorRtSettings settings, String trt, GpuInfo gpu) {
        return settings.planKey(SHA, trt, gpu).fileName();
    }

    @Test
    void theNamePatternMatchesThePlansOfTheseSettingsOnAnyGpuAndVersionOnly() {
        Pattern names = PlanKey.fileNamesFor(SHA, SERVICE.precisionName(), SERVICE.shapes(), 2, 3);
        for (GpuInfo gpu : List.of(H200, H100, T4)) {
            for (String trt : List.of("10.6.0", "8.6.1")) {
                assertTrue(names.matcher(file(SERVICE, trt, gpu)).matches(), file(SERVICE, trt, gpu));
            }
        }
        List<String> others = List.of(
                file(settings(Precision.FP16, Fp16Pinning.FOURIER, List.of(1, 2, 4, 8, 16, 32), 2, 0), "10.6.0", H200),
                file(settings(Precision.FP16, Fp16Pinning.DFT, List.of(1, 2, 4, 8, 16, 32), 2, 3), "10.6.0", H200),
                file(settings(Precision.FP32, Fp16Pinning.FOURIER, List.of(1, 2, 4, 8, 16, 32), 2, 3), "10.6.0", H200),
                file(settings(Precision.FP16, Fp16Pinning.FOURIER, List.of(1, 2, 4, 8, 16), 2, 3), "10.6.0", H200),
                file(settings(Precision.FP16, Fp16Pinning.FOURIER, List.of(1, 2, 4, 8, 16, 32), 1, 3), "10.6.0", H200),
                SERVICE.planKey("0".repeat(64), "10.6.0", H200).fileName(),
                file(SERVICE, "10.6.0", H200) + ".tmp-123-abc",
                "timing-trt10.6.0-nvidia-h200-sm90.cache");
        for (String other : others) {
            assertFalse(names.matcher(other).matches(), other);
        }
    }

    @Test
    void theOneMatchingPlanIsTheCandidate() {
        List<String> directory = List.of(
                file(SERVICE, "10.6.0", H200),
                SERVICE.planKey(SHA, "10.6.0", H200).withOptimizationLevel(0).fileName(),
                "timing-trt10.6.0-nvidia-h200-sm90.cache",
                file(SERVICE, "10.6.0", H200) + ".tmp-77-1f");
        PlanCandidates.Choice choice = PlanCandidates.select(directory, SHA, SERVICE, Optional.empty());
        assertEquals(Optional.of(file(SERVICE, "10.6.0", H200)), choice.fileName());
        assertEquals("", choice.reason());
    }

    @Test
    void noMatchingPlanIsNoCandidate() {
        PlanCandidates.Choice choice = PlanCandidates.select(List.of("timing-trt10.6.0-nvidia-h200-sm90.cache"), SHA,
                SERVICE, Optional.of("NVIDIA H200"));
        assertTrue(choice.fileName().isEmpty());
        assertEquals("no plan for this model and these settings", choice.reason());
    }

    @Test
    void severalGpuTypesOnOneVolumeAreToldApartByTheDriversModelName() {
        List<String> directory = new ArrayList<>(List.of(file(SERVICE, "10.6.0", T4), file(SERVICE, "10.6.0", H200),
                file(SERVICE, "10.6.0", H100)));
        assertTrue(PlanCandidates.select(directory, SHA, SERVICE, Optional.empty()).fileName().isEmpty(),
                "without a hint, three plans are three guesses");
        assertEquals(Optional.of(file(SERVICE, "10.6.0", H200)),
                PlanCandidates.select(directory, SHA, SERVICE, Optional.of("NVIDIA H200")).fileName());
        assertEquals(Optional.of(file(SERVICE, "10.6.0", T4)),
                PlanCandidates.select(directory, SHA, SERVICE, Optional.of("Tesla T4")).fileName());
        PlanCandidates.Choice unknown = PlanCandidates.select(directory, SHA, SERVICE, Optional.of("NVIDIA L4"));
        assertTrue(unknown.fileName().isEmpty());
        assertEquals("3 plans for this model and these settings, 0 of them for NVIDIA L4", unknown.reason());

        // two TensorRT versions for the same GPU: the probe has to say which
        directory.add(file(SERVICE, "10.7.0", H200));
        assertTrue(PlanCandidates.select(directory, SHA, SERVICE, Optional.of("NVIDIA H200")).fileName().isEmpty());
    }
}
