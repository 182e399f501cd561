package io.lamaserve.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * A width x height pair as written on the command line ({@code 1024x768}).
 *
 * @param width  pixels
 * @param height pixels
 */
public record ImageSize(int width, int height) {

    public ImageSize {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
        }
    }

    /** Parses {@code WxH}. */
    public static ImageSize parse(String text) {
        String[] parts = text.trim().toLowerCase().split("x");
        if (parts.length != 2) {
            throw new IllegalArgumentException("expected WIDTHxHEIGHT, got '" + text + "'");
        }
        try {
            return new ImageSize(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected WIDTHxHEIGHT, got '" + text + "'", e);
        }
    }

    /** Parses a comma-separated list such as {@code 512x512,1920x1080}. */
    public static List<ImageSize> parseList(String text) {
        List<ImageSize> sizes = new ArrayList<>();
        for (String item : text.split(",")) {
            if (!item.isBlank()) {
                sizes.add(parse(item));
            }
        }
        if (sizes.isEmpty()) {
            throw new IllegalArgumentException("no image sizes in '" + text + "'");
        }
        return sizes;
    }

    @Override
    public String toString() {
        return width + "x" + height;
    }
}
