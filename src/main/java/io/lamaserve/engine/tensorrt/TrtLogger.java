package io.lamaserve.engine.tensorrt;

import org.bytedeco.tensorrt.nvinfer.ILogger;
import org.jboss.logging.Logger;

/**
 * Routes TensorRT's messages into the application log (errors and warnings as such, info as debug, verbose as
 * trace) and remembers the latest error, so a failed build or enqueue can say why.
 */
final class TrtLogger extends ILogger {

    private static final Logger LOG = Logger.getLogger("io.lamaserve.engine.tensorrt.TensorRT");

    private volatile String lastError = "";

    @Override
    public void log(Severity severity, String message) {
        // JavaCPP hands callbacks a fresh enum instance whose ordinal is not TensorRT's severity: compare values
        int level = severity.value;
        if (level <= Severity.kERROR.value) {
            lastError = message;
            LOG.error(message);
        } else if (level == Severity.kWARNING.value) {
            LOG.warn(message);
        } else if (level == Severity.kINFO.value) {
            LOG.debug(message);
        } else if (LOG.isTraceEnabled()) {
            LOG.trace(message);
        }
    }

    /** The latest error TensorRT reported, or an empty string. */
    String lastError() {
        return lastError;
    }

    void clearLastError() {
        lastError = "";
    }
}
