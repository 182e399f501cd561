package io.lamaserve.batching;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Bounds the decoded pixels of all requests in flight together. A request's memory grows with its pixels (decoded
 * image and mask, the composite, the encoder's buffers), not with its upload, which a well-compressed PNG keeps
 * small: 16 uploads of a few hundred KB can decode to gigabytes. Each request reserves its pixels before decoding
 * and returns them once its answer is encoded; what does not fit waits a little for others to finish, and is
 * refused if they do not.
 */
public final class PixelBudget {

    private final long capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    private long inUse;

    /** @param capacity most pixels decoded at once; at least the largest single image admitted */
    public PixelBudget(long capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, found " + capacity);
        }
        this.capacity = capacity;
    }

    /** A reservation; closing it returns the pixels. */
    public final class Reservation implements AutoCloseable {
        private final long pixels;
        private boolean open = true;

        private Reservation(long pixels) {
            this.pixels = pixels;
        }

        @Override
        public void close() {
            lock.lock();
            try {
                if (open) {
                    open = false;
                    inUse -= pixels;
                    released.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Reserves {@code pixels}, waiting up to {@code patience} for others to return theirs.
     *
     * @throws RejectedException       {@link RejectedException.Reason#MEMORY_BUSY} when they do not fit in time
     * @throws IllegalArgumentException when {@code pixels} is more than the whole budget
     */
    public Reservation reserve(long pixels, Duration patience) {
        if (pixels > capacity) {
            throw new IllegalArgumentException(pixels + " pixels exceed the whole budget of " + capacity);
        }
        long remaining = Math.max(0, patience.toNanos());
        lock.lock();
        try {
            while (inUse + pixels > capacity) {
                if (remaining <= 0) {
                    throw new RejectedException(RejectedException.Reason.MEMORY_BUSY,
                            Math.max(1, TimeUnit.NANOSECONDS.toSeconds(patience.toNanos() + 999_999_999L)),
                            String.format(java.util.Locale.ROOT, "busy: requests in flight hold %.1f of %.1f million "
                                    + "decoded pixels (lama.limits.max-pixels-in-flight), this one needs %.1f million",
                                    inUse / 1e6, capacity / 1e6, pixels / 1e6));
                }
                remaining = released.awaitNanos(remaining);
            }
            inUse += pixels;
            return new Reservation(pixels);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.util.concurrent.CancellationException("interrupted while waiting for memory");
        } finally {
            lock.unlock();
        }
    }

    /** Pixels reserved now. */
    public long inUse() {
        lock.lock();
        try {
            return inUse;
        } finally {
            lock.unlock();
        }
    }

    public long capacity() {
        return capacity;
    }
}
