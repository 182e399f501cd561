package io.lamaserve.imaging;

/**
 * Bounds checked from an image's header before it is decoded.
 *
 * @param maxPixels largest accepted width × height ({@code lama.limits.max-pixels})
 */
public record ImageLimits(long maxPixels) {

    public ImageLimits {
        if (maxPixels < 1) {
            throw new IllegalArgumentException("maxPixels must be positive, found " + maxPixels);
        }
    }
}
