package io.lamaserve.imaging;

/**
 * Which pixels to fill: one byte per pixel, 1 = fill, 0 = keep.
 *
 * <p>Built like IOPaint builds it: the mask image is reduced to gray with PIL's ITU-R 601 weights and filled where
 * the gray value is above 127. Alpha is ignored by that rule, except for masks that carry their strokes only in
 * alpha (every colour sample zero while alpha varies): there the alpha channel is the mask.
 *
 * @param width  pixels per row
 * @param height rows
 * @param bits   {@code width * height} values, 0 or 1
 */
record BinaryMask(int width, int height, byte[] bits) {

    /** IOPaint's {@code cv2.threshold(mask, 127, 255, THRESH_BINARY)}: strictly above 127 is fill. */
    static final int THRESHOLD = 127;

    static BinaryMask of(PixelRaster raster) {
        byte[] p = raster.pixels();
        int n = raster.width() * raster.height();
        byte[] bits = new byte[n];
        if (raster.hasAlpha() && colourIsBlack(p) && alphaVaries(p)) {
            for (int i = 0, s = 3; i < n; i++, s += 4) {
                bits[i] = (p[s] & 0xFF) > THRESHOLD ? (byte) 1 : 0;
            }
        } else {
            int c = raster.channels();
            for (int i = 0, s = 0; i < n; i++, s += c) {
                bits[i] = luma(p[s] & 0xFF, p[s + 1] & 0xFF, p[s + 2] & 0xFF) > THRESHOLD ? (byte) 1 : 0;
            }
        }
        return new BinaryMask(raster.width(), raster.height(), bits);
    }

    /** PIL's fixed-point RGB to L conversion (weights 0.299, 0.587, 0.114, rounded). */
    static int luma(int r, int g, int b) {
        return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >>> 16;
    }

    boolean isEmpty() {
        for (byte b : bits) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean colourIsBlack(byte[] rgba) {
        for (int s = 0; s < rgba.length; s += 4) {
            if ((rgba[s] | rgba[s + 1] | rgba[s + 2]) != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean alphaVaries(byte[] rgba) {
        byte first = rgba[3];
        for (int s = 7; s < rgba.length; s += 4) {
            if (rgba[s] != first) {
                return true;
            }
        }
        return false;
    }
}
