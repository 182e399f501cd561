package io.lamaserve.api;

/** The request carries more bytes than {@code lama.limits.max-body-bytes}; answered with 413. */
public class PayloadTooLargeException extends RuntimeException {
    public PayloadTooLargeException(String message) {
        super(message);
    }
}
