package io.lamaserve.imaging;

import java.util.Locale;

/** IOPaint's high-resolution strategies: how a large image is cut into model inputs. */
public enum HdStrategy {
    /** The whole image is one region. */
    ORIGINAL,
    /** The whole image, scaled down so its long side is at most the resize limit. */
    RESIZE,
    /** One region around each connected part of the mask. */
    CROP;

    /**
     * Parses IOPaint's values "Original", "Resize", "Crop", ignoring case.
     *
     * @throws BadImageException for anything else
     */
    public static HdStrategy parse(String value) {
        if (value != null) {
            switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "original" -> { return ORIGINAL; }
                case "resize" -> { return RESIZE; }
                case "crop" -> { return CROP; }
                default -> { }
            }
        }
        throw new BadImageException("hd_strategy: expected one of Original, Resize, Crop, found " + value);
    }
}
