package io.lamaserve.imaging;

import java.util.Locale;

/** The encodings the service answers with. */
public enum OutputFormat {
    PNG("image/png"),
    JPEG("image/jpeg");

    private final String mediaType;

    OutputFormat(String mediaType) {
        this.mediaType = mediaType;
    }

    public String mediaType() {
        return mediaType;
    }

    /**
     * Parses "png", "jpeg", "jpg" or a media type such as "image/png", ignoring case.
     *
     * @throws BadImageException for anything else
     */
    public static OutputFormat parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "png", "image/png" -> PNG;
            case "jpeg", "jpg", "image/jpeg", "image/jpg" -> JPEG;
            default -> throw new BadImageException("output format: expected png or jpeg, found " + value);
        };
    }
}
