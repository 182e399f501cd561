package io.lamaserve.engine;

/** A batch could not be computed. The engine remains usable; the batch's requests are answered with 503. */
public class EngineException extends Exception {
    public EngineException(String message) {
        super(message);
    }

    public EngineException(String message, Throwable cause) {
        super(message, cause);
    }
}
