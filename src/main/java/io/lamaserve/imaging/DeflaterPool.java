package io.lamaserve.imaging;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.Deflater;

/**
 * Idle raw-deflate compressors of one level, for reuse. A zlib compressor holds about 256 KB of native memory (window,
 * hash chains, pending output); a PNG answer needs one per band plus two to choose the strategy, too many to set up
 * and tear down per answer. The pool owns its idle compressors: whoever takes one owns it until it is given back.
 * At most {@code maxIdle} are kept; one given back beyond that is freed at once.
 */
final class DeflaterPool {

    private static final DeflaterPool[] BY_LEVEL = new DeflaterPool[10];

    private final int level;
    private final int maxIdle;
    private final ConcurrentLinkedQueue<Deflater> idle = new ConcurrentLinkedQueue<>();
    private final AtomicInteger idleCount = new AtomicInteger();

    DeflaterPool(int level, int maxIdle) {
        if (level < 0 || level > 9) {
            throw new IllegalArgumentException("zlib level " + level + " outside 0..9");
        }
        this.level = level;
        this.maxIdle = maxIdle;
    }

    /** The shared pool of a level: enough idle compressors for every core plus the strategy trials. */
    static DeflaterPool forLevel(int level) {
        if (level < 0 || level > 9) {
            throw new IllegalArgumentException("zlib level " + level + " outside 0..9");
        }
        synchronized (BY_LEVEL) {
            if (BY_LEVEL[level] == null) {
                BY_LEVEL[level] = new DeflaterPool(level, 2 * Runtime.getRuntime().availableProcessors() + 2);
            }
            return BY_LEVEL[level];
        }
    }

    /** A compressor in its initial state (raw deflate, no zlib header), set to {@code strategy}. */
    Deflater take(int strategy) {
        Deflater deflater = idle.poll();
        if (deflater == null) {
            deflater = new Deflater(level, true);
        } else {
            idleCount.decrementAndGet();
        }
        deflater.setStrategy(strategy);
        return deflater;
    }

    /** Takes back a compressor taken from this pool; the caller must not use it any more. */
    void give(Deflater deflater) {
        deflater.reset();
        if (idleCount.incrementAndGet() <= maxIdle) {
            idle.add(deflater);
        } else {
            idleCount.decrementAndGet();
            deflater.end();
        }
    }

    /** Compressors waiting to be reused. */
    int idle() {
        return idleCount.get();
    }
}
