package io.lamaserve.imaging;

/**
 * A finished response body.
 *
 * @param bytes     the encoded image
 * @param mediaType its media type, e.g. {@code image/png}
 */
public record EncodedImage(byte[] bytes, String mediaType) {
}
