package io.lamaserve.engine.tensorrt;

import io.lamaserve.config.LamaConfig.TensorRtConfig.Fp16Pinning;
import io.lamaserve.config.LamaConfig.TensorRtConfig.Precision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TensorRtSettingsTest {

    static final String SHA = "cd".repeat(32);
    static final GpuInfo T4 = new GpuInfo(0, "Tesla T4", 7, 5, 40, 15_360L << 20);
    static final String SCALED = "fold-batch-norms,align-channels-8,scale-spectrum-0.015625";

    @TempDir
    Path dir;

    static TensorRtSettings settings(Precision precision, Fp16Pinning pinning) {
        return new TensorRtSettings(Path.of("engines"), BatchShapes.of(List.of(1, 2, 4, 8), 8), 2, precision, pinning,
                3, 0, 4096, true, 0);
    }

    @Test
    void autoDropsThePinOnlyForAModelExportedWithItsSpectrumScaled() {
        TensorRtSettings auto = settings(Precision.FP16, Fp16Pinning.AUTO);
        assertEquals(Fp16Pinning.NONE, auto.forModel(Map.of(TensorRtSettings.REWRITES, SCALED)).fp16Pinning());
        assertEquals(Fp16Pinning.NONE,
                auto.forModel(Map.of(TensorRtSettings.REWRITES, "scale-spectrum-0.25")).fp16Pinning());
        // other rewrites do not bound the spectrum; a model without the entry is any other export
        assertEquals(Fp16Pinning.FOURIER,
                auto.forModel(Map.of(TensorRtSettings.REWRITES, "fold-batch-norms,align-channels-8")).fp16Pinning());
        assertEquals(Fp16Pinning.FOURIER, auto.forModel(Map.of("lama-serve.tile", "512")).fp16Pinning());
        // the rest of the settings is kept
        TensorRtSettings resolved = auto.forModel(Map.of());
        assertEquals(auto.shapes(), resolved.shapes());
        assertEquals(auto.optimizationLevel(), resolved.optimizationLevel());
        assertEquals(auto.contexts(), resolved.contexts());
    }

    @Test
    void anExplicitPinningIsKeptWhateverTheModelSays() {
        TensorRtSettings fourier = settings(Precision.FP16, Fp16Pinning.FOURIER);
        assertSame(fourier, fourier.forModel(Map.of(TensorRtSettings.REWRITES, SCALED)));
        TensorRtSettings none = settings(Precision.FP16, Fp16Pinning.NONE);
        assertSame(none, none.forModel(Map.of()));
    }

    @Test
    void aKeyNamesTheResolvedPinningAndAutoMustBeResolvedFirst() {
        TensorRtSettings auto = settings(Precision.FP16, Fp16Pinning.AUTO);
        assertThrows(IllegalStateException.class, () -> auto.planKey(SHA, "10.6.0", T4));
        PlanKey unpinned = auto.forModel(Map.of(TensorRtSettings.REWRITES, SCALED)).planKey(SHA, "10.6.0", T4);
        PlanKey pinned = auto.forModel(Map.of()).planKey(SHA, "10.6.0", T4);
        // the same keys as the explicit settings: plans built with either are shared
        assertEquals(settings(Precision.FP16, Fp16Pinning.NONE).planKey(SHA, "10.6.0", T4), unpinned);
        assertEquals(settings(Precision.FP16, Fp16Pinning.FOURIER).planKey(SHA, "10.6.0", T4), pinned);
        assertNotEquals(unpinned.fileName(), pinned.fileName());
        // without fp16 there is nothing to pin: fp32 keys are named as before
        assertEquals("fp32", settings(Precision.FP32, Fp16Pinning.AUTO).precisionName());
    }

    @Test
    void theMetadataIsReadFromTheModelFile() throws IOException {
        Path onnx = dir.resolve("scaled.onnx");
        Files.write(onnx, modelWithMetadata(TensorRtSettings.REWRITES, SCALED));
        assertEquals(Fp16Pinning.NONE, settings(Precision.FP16, Fp16Pinning.AUTO).forModel(onnx).fp16Pinning());
        // an explicit pinning does not read the file at all
        TensorRtSettings fourier = settings(Precision.FP16, Fp16Pinning.FOURIER);
        assertSame(fourier, fourier.forModel(dir.resolve("absent.onnx")));
    }

    /** A ModelProto holding only one metadata_props entry (field 14), all that forModel reads. */
    static byte[] modelWithMetadata(String key, String value) {
        return new OnnxMetadataTest.Wire().bytes(14, OnnxMetadataTest.entry(key, value)).done();
    }
}
