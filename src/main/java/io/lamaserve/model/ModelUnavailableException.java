package io.lamaserve.model;

/**
 * The model's URL could not be reached at all (connection refused, unknown host, timeout). The message names the
 * properties that point the service at a local file or a reachable copy instead.
 */
public class ModelUnavailableException extends ModelProvisioningException {
    public ModelUnavailableException(String message) {
        super(message);
    }
}
