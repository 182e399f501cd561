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
        switch (severity) {
            case kINTERNAL_ERROR, kERROR -> {
                lastError = message;
                LOG.error(message);
            }
            case kWARNING -> LOG.warn(message);
            case kINFO -> LOG.debug(message);
            default -> LOG.trace(message);
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
