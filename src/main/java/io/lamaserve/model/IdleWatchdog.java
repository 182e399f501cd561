package io.lamaserve.model;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closes a stream that has delivered nothing for longer than a limit. The JDK's HTTP client times out waiting for
 * response headers but not for a body that stalls half-way, which would otherwise hang startup forever.
 */
final class IdleWatchdog implements AutoCloseable {

    private final AtomicLong lastActivity = new AtomicLong(System.nanoTime());
    private final AtomicBoolean fired = new AtomicBoolean();
    private final Thread thread;

    IdleWatchdog(Closeable stream, Duration limit) {
        long limitNanos = limit.toNanos();
        long checkMillis = Math.max(10, limit.toMillis() / 4);
        thread = Thread.ofVirtual().name("model-download-watchdog").start(() -> {
            try {
                while (System.nanoTime() - lastActivity.get() <= limitNanos) {
                    Thread.sleep(checkMillis);
                }
                fired.set(true);
                stream.close();
            } catch (InterruptedException | IOException e) {
                // the transfer ended first, or closing failed on a stream that is finished anyway
            }
        });
    }

    /** Call after each chunk that arrived. */
    void activity() {
        lastActivity.set(System.nanoTime());
    }

    /** Whether the stream was closed for being idle. */
    boolean fired() {
        return fired.get();
    }

    @Override
    public void close() {
        thread.interrupt();
    }
}
