package io.lamaserve.tile;

/**
 * One model input of T×T pixels and the place its result goes.
 *
 * @param image  planar RGB, 3·T·T values in 0..1
 * @param mask   T·T values, 1 = fill, 0 = keep
 * @param output planar RGB, 3·T·T values, written by the engine in 0..255
 */
public record Tile(float[] image, float[] mask, float[] output) {

    public Tile {
        if (image.length != 3 * mask.length || output.length != image.length) {
            throw new IllegalArgumentException("tile arrays disagree: image " + image.length
                    + ", mask " + mask.length + ", output " + output.length);
        }
    }

    /** A tile of side {@code size} with fresh arrays. */
    public static Tile allocate(int size) {
        int plane = size * size;
        return new Tile(new float[3 * plane], new float[plane], new float[3 * plane]);
    }

    /**
     * Brings an output written in another range to 0..255 ({@link io.lamaserve.model.ModelContract#outputScale()}):
     * every engine applies it after writing the output.
     */
    public void scaleOutput(float factor) {
        if (factor != 1f) {
            for (int i = 0; i < output.length; i++) {
                output[i] *= factor;
            }
        }
    }

    public int side() {
        return (int) Math.round(Math.sqrt(mask.length));
    }
}
