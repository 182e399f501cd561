package io.lamaserve.model;

/**
 * The model file could not be provided: bad settings, an unusable local file, a failed or corrupt download.
 * Thrown at startup; the message says what was wrong and which property to change.
 */
public class ModelProvisioningException extends RuntimeException {
    public ModelProvisioningException(String message) {
        // a configuration or environment problem: where in the code it was found does not help, so no stack trace
        super(message, null, false, false);
    }

    public ModelProvisioningException(String message, Throwable cause) {
        super(message, cause);
    }
}
