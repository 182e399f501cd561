package io.lamaserve.imaging;

/**
 * An image or mask the service cannot work with; the message says what was wrong and {@link #status()} is the
 * HTTP status the API answers with.
 */
public abstract sealed class ImageInputException extends RuntimeException
        permits BadImageException, ImageTooLargeException {

    protected ImageInputException(String message) {
        super(message);
    }

    protected ImageInputException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The HTTP status code that fits this problem. */
    public abstract int status();
}
