package io.lamaserve.imaging;

/** An image whose header declares more pixels than the configured limit. */
public final class ImageTooLargeException extends ImageInputException {

    public ImageTooLargeException(String message) {
        super(message);
    }
}
