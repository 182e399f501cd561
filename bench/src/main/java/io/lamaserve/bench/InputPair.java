package io.lamaserve.bench;

import java.util.Objects;

/**
 * One encoded image and its mask, ready to be sent. The bytes are encoded once before a run so that
 * encoding never shows up in measured latency.
 *
 * @param name   label used in logs (file stem or generated id)
 * @param width  image width in pixels
 * @param height image height in pixels
 * @param image  encoded image file (PNG or JPEG)
 * @param imageMediaType media type of {@code image}, e.g. {@code image/png}
 * @param mask   encoded single-channel PNG mask, 255 = area to fill
 */
public record InputPair(String name, int width, int height, byte[] image, String imageMediaType, byte[] mask) {

    public InputPair {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(imageMediaType, "imageMediaType");
        Objects.requireNonNull(mask, "mask");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
        }
    }

    /** File extension matching {@link #imageMediaType()}, used for multipart file names. */
    public String imageExtension() {
        return imageMediaType.equals("image/jpeg") ? "jpg" : "png";
    }
}
