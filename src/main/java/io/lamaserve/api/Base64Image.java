package io.lamaserve.api;

import io.lamaserve.imaging.BadImageException;

import java.util.Base64;
import java.util.Locale;
import java.util.regex.Pattern;

/** Decodes the {@code image} / {@code mask} strings of IOPaint's JSON: plain base64 or a base64 data URL. */
final class Base64Image {

    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private Base64Image() {
    }

    static byte[] decode(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new BadImageException(field + ": missing; send the " + field + " as base64 or a data URL");
        }
        String payload = value.strip();
        if (payload.regionMatches(true, 0, "data:", 0, 5)) {
            int comma = payload.indexOf(',');
            if (comma < 0) {
                throw new BadImageException(field + ": malformed data URL (no comma before the data)");
            }
            String header = payload.substring(5, comma).toLowerCase(Locale.ROOT);
            if (!header.endsWith(";base64")) {
                throw new BadImageException(field + ": data URL must be base64-encoded (\";base64,\"), got \"" + header + "\"");
            }
            String mime = header.substring(0, header.length() - ";base64".length());
            if (!mime.startsWith("image/") && !mime.equals("application/octet-stream") && !mime.isEmpty()) {
                throw new BadImageException(field + ": data URL has MIME type " + mime + ", expected image/*");
            }
            payload = payload.substring(comma + 1);
        }
        try {
            // line breaks are tolerated (some encoders wrap at 76 columns); any other stray character is an error
            return Base64.getDecoder().decode(WHITESPACE.matcher(payload).replaceAll(""));
        } catch (IllegalArgumentException e) {
            throw new BadImageException(field + ": invalid base64 (" + e.getMessage() + ")");
        }
    }
}
