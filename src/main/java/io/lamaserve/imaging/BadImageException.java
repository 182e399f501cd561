package io.lamaserve.imaging;

/** Malformed, unsupported or inconsistent input (HTTP 400). */
public final class BadImageException extends ImageInputException {

    public BadImageException(String message) {
        super(message);
    }

    public BadImageException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public int status() {
        return 400;
    }
}
