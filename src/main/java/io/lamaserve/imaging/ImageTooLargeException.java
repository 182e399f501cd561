package io.lamaserve.imaging;

/** An image whose header declares more pixels than the configured limit (HTTP 413). */
public final class ImageTooLargeException extends ImageInputException {

    public ImageTooLargeException(String message) {
        super(message);
    }

    @Override
    public int status() {
        return 413;
    }
}
