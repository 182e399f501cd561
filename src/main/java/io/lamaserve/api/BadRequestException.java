package io.lamaserve.api;

/** A request parameter (not the image data itself) is malformed; answered with 400 and this message. */
public class BadRequestException extends RuntimeException {
    public BadRequestException(String message) {
        super(message);
    }
}
