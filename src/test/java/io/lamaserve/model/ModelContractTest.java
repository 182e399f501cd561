package io.lamaserve.model;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelContractTest {

    private static final long DYN = -1;

    private static ModelSignature lama(long batch, long height, long width, Map<String, String> metadata) {
        return new ModelSignature(
                Map.of("image", new long[]{batch, 3, height, width}, "mask", new long[]{batch, 1, height, width}),
                Map.of("output", new long[]{batch, 3, height, width}),
                metadata);
    }

    private static String problemsOf(ModelSignature signature) {
        return assertThrows(ModelContractException.class, () -> ModelContract.of(signature)).getMessage();
    }

    @Test
    void carveLikeModelWithDynamicBatch() {
        ModelContract contract = ModelContract.of(lama(DYN, 512, 512, Map.of()));

        assertEquals(512, contract.tileSize());
        assertTrue(contract.dynamicBatch());
        assertEquals(0, contract.fixedBatch());
        assertEquals(1f, contract.outputScale(), "no metadata means 0..255, as Carve's file produces");
    }

    @Test
    void fixedBatchOfOne() {
        ModelContract contract = ModelContract.of(lama(1, 256, 256, Map.of()));

        assertEquals(256, contract.tileSize());
        assertFalse(contract.dynamicBatch());
        assertEquals(1, contract.fixedBatch());
    }

    @Test
    void outputInZeroToOneIsScaledTo255() {
        assertEquals(255f, ModelContract.of(lama(DYN, 512, 512, Map.of("lama-serve.output-range", "0..1")))
                .outputScale());
        assertEquals(1f, ModelContract.of(lama(DYN, 512, 512, Map.of("lama-serve.output-range", " 0..255 ")))
                .outputScale());
    }

    @Test
    void runtimesThatWriteSymbolicAxesAsZeroOrMinusOneStillAgree() {
        ModelSignature signature = new ModelSignature(
                Map.of("image", new long[]{-1, 3, 512, 512}, "mask", new long[]{0, 1, 512, 512}),
                Map.of("output", new long[]{-1, 3, 512, 512}), Map.of());

        assertTrue(ModelContract.of(signature).dynamicBatch());
    }

    @Test
    void wrongInputNamesAreListedAgainstTheExpectedOnes() {
        ModelSignature signature = new ModelSignature(
                Map.of("img", new long[]{DYN, 3, 512, 512}, "mask", new long[]{DYN, 1, 512, 512}),
                Map.of("output", new long[]{DYN, 3, 512, 512}), Map.of());

        assertEquals("The model does not fit lama-serve's contract: inputs: expected exactly"
                + " {image [N,3,T,T], mask [N,1,T,T]}, found {img [?,3,512,512], mask [?,1,512,512]}",
                problemsOf(signature));
    }

    @Test
    void extraInputIsRejected() {
        ModelSignature signature = new ModelSignature(
                Map.of("image", new long[]{DYN, 3, 512, 512}, "mask", new long[]{DYN, 1, 512, 512},
                        "strength", new long[]{1}),
                Map.of("output", new long[]{DYN, 3, 512, 512}), Map.of());

        assertTrue(problemsOf(signature).contains("found {image [?,3,512,512], mask [?,1,512,512], strength [1]}"));
    }

    @Test
    void missingOutputIsNamed() {
        ModelSignature signature = new ModelSignature(
                Map.of("image", new long[]{DYN, 3, 512, 512}, "mask", new long[]{DYN, 1, 512, 512}),
                Map.of("inpainted", new long[]{DYN, 3, 512, 512}), Map.of());

        assertTrue(problemsOf(signature).contains("outputs: expected output [N,3,T,T], found {inpainted [?,3,512,512]}"));
    }

    @Test
    void rankThreeImageIsRejected() {
        ModelSignature signature = new ModelSignature(
                Map.of("image", new long[]{3, 512, 512}, "mask", new long[]{DYN, 1, 512, 512}),
                Map.of("output", new long[]{DYN, 3, 512, 512}), Map.of());

        assertTrue(problemsOf(signature).contains("image: expected rank 4 [N,3,T,T], found rank 3 [3,512,512]"));
    }

    @Test
    void wrongChannelCountIsRejected() {
        ModelSignature signature = new ModelSignature(
                Map.of("image", new long[]{DYN, 3, 512, 512}, "mask", new long[]{DYN, 3, 512, 512}),
                Map.of("output", new long[]{DYN, 3, 512, 512}), Map.of());

        assertTrue(problemsOf(signature).contains("mask: expected 1 channel(s) [N,1,T,T], found [?,3,512,512]"));
    }

    @Test
    void nonSquareTileIsRejected() {
        assertTrue(problemsOf(lama(DYN, 512, 256, Map.of()))
                .contains("image: expected a square tile T×T, found 512×256"));
    }

    @Test
    void symbolicSpatialAxesAreRejected() {
        assertTrue(problemsOf(lama(DYN, DYN, DYN, Map.of()))
                .contains("image: expected a fixed tile size T×T, found symbolic spatial axes [?,3,?,?]"));
    }

    @Test
    void maskOfAnotherSizeIsRejected() {
        ModelSignature signature = new ModelSignature(
                Map.of("image", new long[]{DYN, 3, 512, 512}, "mask", new long[]{DYN, 1, 256, 256}),
                Map.of("output", new long[]{DYN, 3, 512, 512}), Map.of());

        assertTrue(problemsOf(signature)
                .contains("mask: expected the spatial size of image [?,3,512,512], found [?,1,256,256]"));
    }

    @Test
    void batchAxesThatDisagreeAreRejected() {
        ModelSignature signature = new ModelSignature(
                Map.of("image", new long[]{1, 3, 512, 512}, "mask", new long[]{DYN, 1, 512, 512}),
                Map.of("output", new long[]{1, 3, 512, 512}), Map.of());

        assertTrue(problemsOf(signature).contains(
                "batch axis: expected the same on image, mask and output, found 1, ?, 1 (? = dynamic)"));
    }

    @Test
    void unknownOutputRangeIsRejected() {
        assertTrue(problemsOf(lama(DYN, 512, 512, Map.of("lama-serve.output-range", "-1..1")))
                .contains("metadata lama-serve.output-range: expected 0..255 or 0..1, found -1..1"));
    }

    @Test
    void declaredTileThatDisagreesIsRejected() {
        assertTrue(problemsOf(lama(DYN, 512, 512, Map.of("lama-serve.tile", "256")))
                .contains("metadata lama-serve.tile=256 disagrees with the image input's 512"));
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        String problems = problemsOf(lama(DYN, 512, 256, Map.of("lama-serve.output-range", "0..100")));

        assertTrue(problems.contains("found 512×256"), problems);
        assertTrue(problems.contains("found 0..100"), problems);
    }
}
