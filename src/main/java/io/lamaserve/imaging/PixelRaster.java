package io.lamaserve.imaging;

/**
 * An 8-bit image held as one interleaved array: RGB, or RGBA when {@code channels == 4}.
 * Row-major, {@code channels} bytes per pixel, no row padding.
 *
 * @param width    pixels per row
 * @param height   rows
 * @param channels 3 (RGB) or 4 (RGBA, alpha not premultiplied)
 * @param pixels   {@code width * height * channels} bytes
 */
record PixelRaster(int width, int height, int channels, byte[] pixels) {

    public PixelRaster {
        if (channels != 3 && channels != 4) {
            throw new IllegalArgumentException("channels must be 3 or 4, found " + channels);
        }
        if ((long) width * height * channels != pixels.length) {
            throw new IllegalArgumentException("pixel array of " + pixels.length + " bytes does not hold "
                    + width + "×" + height + "×" + channels);
        }
    }

    static PixelRaster allocate(int width, int height, int channels) {
        return new PixelRaster(width, height, channels, new byte[Math.multiplyExact(Math.multiplyExact(width, height), channels)]);
    }

    boolean hasAlpha() {
        return channels == 4;
    }
}
