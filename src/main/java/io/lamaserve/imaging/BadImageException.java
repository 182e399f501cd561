package io.lamaserve.imaging;

/** Malformed, unsupported or inconsistent input. */
public final class BadImageException extends ImageInputException {

    public BadImageException(String message) {
        super(message);
    }

    public BadImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
