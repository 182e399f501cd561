package io.lamaserve.imaging;

/**
 * An image as the pipeline works with it: upright (EXIF orientation applied), 8-bit RGB(A).
 *
 * @param raster      the pixels, upright
 * @param format      the container format it came in
 * @param orientation the EXIF orientation that was applied (1 = none)
 */
record DecodedImage(PixelRaster raster, ImageFormat format, int orientation) {

    int width() {
        return raster.width();
    }

    int height() {
        return raster.height();
    }
}
