package io.lamaserve.batching;

/**
 * Source of monotonic time in nanoseconds. The scheduler reads time only through this interface, so tests and the
 * simulator run the real policy on virtual time.
 */
@FunctionalInterface
public interface Ticker {

    /** Current time in nanoseconds; only differences are meaningful. */
    long read();

    /** The JVM's monotonic clock. */
    static Ticker system() {
        return System::nanoTime;
    }
}
