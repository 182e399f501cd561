package io.lamaserve.engine.tensorrt;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which exported layer names the fp16 build pins to fp32 (names as lama-export writes them). */
class LamaPrecisionLayerNamesTest {

    private static final String UNIT = "/generator/model/model.5/conv1/ffc/convg2g/fu/";

    @Test
    void dftConvolutionsOfTheConvFormAreRecognisedButNotTheSpectralConvolution() {
        assertTrue(LamaPrecision.DFT_CONV_NAMES.matcher(UNIT + "Conv").matches());
        assertTrue(LamaPrecision.DFT_CONV_NAMES.matcher(UNIT + "Conv_3").matches());
        assertFalse(LamaPrecision.DFT_CONV_NAMES.matcher(UNIT + "conv_layer/Conv").matches());
        assertFalse(LamaPrecision.DFT_CONV_NAMES.matcher("/generator/model/model.5/conv1/ffc/convl2l/Conv").matches());
    }

    @Test
    void theWholeFourierUnitAndTheGlobalBranchAreNamedForTheFourierPinning() {
        assertTrue(LamaPrecision.FP32_LAYER_NAMES.matcher(UNIT + "conv_layer/Conv").matches());
        assertTrue(LamaPrecision.GLOBAL_BRANCH_NAMES.matcher("/generator/model/model.5/conv1/ffc/convg2g/Add").matches());
        assertFalse(LamaPrecision.FP32_LAYER_NAMES.matcher("/generator/model/model.5/conv1/ffc/convl2g/Conv").matches());
    }
}
