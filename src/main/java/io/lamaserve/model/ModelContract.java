package io.lamaserve.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The I/O contract lama-serve runs: inputs {@code image} [N,3,T,T] (RGB 0..1) and {@code mask} [N,1,T,T]
 * (1 = fill), output {@code output} [N,3,T,T], composited, in 0..255 (Carve's lama_fp32.onnx and our exporter)
 * or 0..1 when the metadata property {@code lama-serve.output-range} says {@code 0..1}.
 *
 * @param tileSize  T, fixed by the model
 * @param fixedBatch the batch extent when the model fixes it, else 0 (dynamic)
 * @param outputScale factor that brings the model's output to 0..255
 */
public record ModelContract(int tileSize, int fixedBatch, float outputScale) {

    public static final String IMAGE = "image";
    public static final String MASK = "mask";
    public static final String OUTPUT = "output";
    public static final String META_OUTPUT_RANGE = "lama-serve.output-range";
    public static final String META_TILE = "lama-serve.tile";

    public boolean dynamicBatch() {
        return fixedBatch == 0;
    }

    /**
     * Checks a loaded model against the contract.
     *
     * @throws ModelContractException naming everything that was expected and what was found
     */
    public static ModelContract of(ModelSignature signature) {
        List<String> problems = new ArrayList<>();
        long[] image = signature.inputs().get(IMAGE);
        long[] mask = signature.inputs().get(MASK);
        long[] output = signature.outputs().get(OUTPUT);
        if (image == null || mask == null || signature.inputs().size() != 2) {
            problems.add("inputs: expected exactly {image [N,3,T,T], mask [N,1,T,T]}, found "
                    + ModelSignature.describe(signature.inputs()));
        }
        if (output == null) {
            problems.add("outputs: expected output [N,3,T,T], found " + ModelSignature.describe(signature.outputs()));
        }
        if (!problems.isEmpty()) {
            throw new ModelContractException(problems);
        }
        checkRank("image", image, 3, problems);
        checkRank("mask", mask, 1, problems);
        checkRank("output", output, 3, problems);
        if (!problems.isEmpty()) {
            throw new ModelContractException(problems);
        }
        long height = image[2];
        long width = image[3];
        if (height <= 0 || width <= 0) {
            problems.add("image: expected a fixed tile size T×T, found symbolic spatial axes " + ModelSignature.shapeText(image));
        } else if (height != width) {
            problems.add("image: expected a square tile T×T, found " + height + "×" + width);
        }
        for (var entry : List.of(Map.entry("mask", mask), Map.entry("output", output))) {
            long[] shape = entry.getValue();
            if (!sameExtent(shape[2], height) || !sameExtent(shape[3], width)) {
                problems.add(entry.getKey() + ": expected the spatial size of image " + ModelSignature.shapeText(image)
                        + ", found " + ModelSignature.shapeText(shape));
            }
        }
        long batch = image[0];
        if (!sameExtent(mask[0], batch) || !sameExtent(output[0], batch)) {
            problems.add("batch axis: expected the same on image, mask and output, found "
                    + extentText(image[0]) + ", " + extentText(mask[0]) + ", " + extentText(output[0]) + " (? = dynamic)");
        }
        String declaredTile = signature.metadata().get(META_TILE);
        if (declaredTile != null && !declaredTile.equals(Long.toString(height))) {
            problems.add("metadata " + META_TILE + "=" + declaredTile + " disagrees with the image input's " + height);
        }
        float scale = 1f;
        String range = signature.metadata().getOrDefault(META_OUTPUT_RANGE, "0..255").trim();
        switch (range) {
            case "0..255" -> scale = 1f;
            case "0..1" -> scale = 255f;
            default -> problems.add("metadata " + META_OUTPUT_RANGE + ": expected 0..255 or 0..1, found " + range);
        }
        if (!problems.isEmpty()) {
            throw new ModelContractException(problems);
        }
        return new ModelContract((int) height, batch > 0 ? (int) batch : 0, scale);
    }

    /** Runtimes report a symbolic axis as -1 or 0; any two symbolic axes count as the same. */
    private static boolean sameExtent(long a, long b) {
        return a == b || (a <= 0 && b <= 0);
    }

    private static String extentText(long extent) {
        return extent > 0 ? Long.toString(extent) : "?";
    }

    private static void checkRank(String name, long[] shape, int channels, List<String> problems) {
        if (shape.length != 4) {
            problems.add(name + ": expected rank 4 [N," + channels + ",T,T], found rank " + shape.length + " "
                    + ModelSignature.shapeText(shape));
        } else if (shape[1] != channels) {
            problems.add(name + ": expected " + channels + " channel(s) [N," + channels + ",T,T], found "
                    + ModelSignature.shapeText(shape));
        }
    }
}
