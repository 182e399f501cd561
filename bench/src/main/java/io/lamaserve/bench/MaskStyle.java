package io.lamaserve.bench;

/**
 * Brush-stroke mask families with the parameters of LaMa's evaluation mask generators
 * ({@code configs/data_gen/random_thick_512.yaml} and {@code random_thin_512.yaml}). Lengths and widths are
 * given for a 512-pixel short side and scale with the image, so a 1920x1080 mask covers a similar fraction.
 *
 * @param name             label used in generated input names
 * @param minStrokes       fewest stroke chains
 * @param maxStrokes       most stroke chains
 * @param maxLength        longest segment (pixels at 512), a segment is 10 + uniform[0, maxLength)
 * @param maxWidth         widest brush (pixels at 512), a brush is 5 + uniform[0, maxWidth)
 * @param boxProbability   chance that a mask is made of rectangles instead of strokes
 */
public record MaskStyle(String name, int minStrokes, int maxStrokes, int maxLength, int maxWidth,
                        double boxProbability) {

    /** Few wide strokes, or 1-4 rectangles in 0.3 of 1.3 draws (LaMa's box_proba 0.3 next to irregular_proba 1). */
    public static final MaskStyle THICK = new MaskStyle("thick", 1, 5, 450, 250, 0.3 / 1.3);

    /** Many narrow scribbles (scratch and wire removal). */
    public static final MaskStyle THIN = new MaskStyle("thin", 4, 70, 100, 20, 0.0);

    /** Largest fraction of the image a generated mask may cover; larger draws are redrawn. */
    public static final double MAX_AREA = 0.5;
}
