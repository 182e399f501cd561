package io.lamaserve.bench;

/** Something a load loop can call once per request; {@link RequestSender} in production, fakes in tests. */
@FunctionalInterface
public interface LoadTarget {

    /** Performs one request and blocks until it has finished. */
    Outcome send() throws InterruptedException;
}
