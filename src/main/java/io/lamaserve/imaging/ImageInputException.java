package io.lamaserve.imaging;

/**
 * An image or mask the service cannot work with; the message says what was wrong, the subclass which kind of
 * problem it is (malformed input, or more than the limits allow).
 */
public abstract sealed class ImageInputException extends RuntimeException
        permits BadImageException, ImageTooLargeException {

    protected ImageInputException(String message) {
        super(message);
    }

    protected ImageInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
