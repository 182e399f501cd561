package io.lamaserve.model;

import io.quarkus.runtime.configuration.ConfigurationException;
import org.jboss.logging.Logger;

/**
 * The model file could not be provided: bad settings, an unusable local file, a failed or corrupt download.
 * Thrown at startup; the message says what was wrong and which property to change. As a configuration problem it
 * stops the start with that message alone: where in the code it was found does not help the reader, so the
 * stack trace (and that of the cause) goes to the debug log only.
 */
public class ModelProvisioningException extends ConfigurationException {

    private static final Logger LOG = Logger.getLogger(ModelProvisioningException.class);

    public ModelProvisioningException(String message) {
        super(message);
        LOG.debug(message, this);
    }

    /** The cause is logged at debug level and not chained, so that the start fails with the message alone. */
    public ModelProvisioningException(String message, Throwable cause) {
        super(message);
        LOG.debug(message, cause);
    }
}
