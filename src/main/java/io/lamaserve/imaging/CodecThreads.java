package io.lamaserve.imaging;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Cores for encoding one answer in parallel parts (PNG bands, JPEG strips), shared among the answers being encoded
 * at the same time. A lone request gets every core; concurrent ones share them, down to one part each under load, so
 * parallel encoding never takes more cores than are idle. Parts run on a pool of their own, one thread per core, so
 * that they never queue ahead of other parallel work (the GPU executors copy tiles on the common pool).
 */
final class CodecThreads {

    private static final AtomicInteger ENCODINGS_IN_PROGRESS = new AtomicInteger();
    // made on first use, so that a native image's build never holds a pool
    private static volatile ForkJoinPool pool;

    private CodecThreads() {
    }

    /**
     * How many parts to cut {@code totalUnits} of work into now: at most one per {@code minUnitsPerPart}, and the
     * processors shared among the encodings in progress.
     */
    static int partsFor(long totalUnits, long minUnitsPerPart) {
        return partsFor(totalUnits, minUnitsPerPart, Runtime.getRuntime().availableProcessors(),
                ENCODINGS_IN_PROGRESS.get());
    }

    /** {@link #partsFor(long, long)} for {@code cores} processors while {@code inProgress} other encodings run. */
    static int partsFor(long totalUnits, long minUnitsPerPart, int cores, int inProgress) {
        long bySize = Math.max(1, totalUnits / Math.max(1, minUnitsPerPart));
        // this encoding is about to join the ones in progress
        int share = Math.max(1, cores / (inProgress + 1));
        return (int) Math.min(bySize, share);
    }

    /** Encodings in progress now. */
    static int inProgress() {
        return ENCODINGS_IN_PROGRESS.get();
    }

    /**
     * Runs the parts of one encoding and returns their results in order: a single part on the calling thread, more on
     * the pool. The encoding counts as in progress until all parts are done.
     */
    static <T> List<T> run(List<Callable<T>> parts) {
        ENCODINGS_IN_PROGRESS.incrementAndGet();
        try {
            if (parts.size() == 1) {
                try {
                    return List.of(parts.getFirst().call());
                } catch (RuntimeException | Error e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            List<Future<T>> done;
            try {
                done = pool().invokeAll(parts);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted while encoding");
            }
            List<T> results = new ArrayList<>(parts.size());
            for (Future<T> part : done) {
                results.add(result(part));
            }
            return results;
        } finally {
            ENCODINGS_IN_PROGRESS.decrementAndGet();
        }
    }

    private static <T> T result(Future<T> part) {
        switch (part.state()) {
            case SUCCESS:
                return part.resultNow();
            case FAILED:
                Throwable failure = part.exceptionNow();
                // the pool rethrows a copy made on the waiting thread, with the part's own exception as its cause
                if (failure.getCause() != null && failure.getCause().getClass() == failure.getClass()) {
                    failure = failure.getCause();
                }
                if (failure instanceof RuntimeException e) {
                    throw e;
                }
                if (failure instanceof Error e) {
                    throw e;
                }
                throw new IllegalStateException(failure);
            default:
                throw new CancellationException("a part was not encoded");
        }
    }

    private static ForkJoinPool pool() {
        ForkJoinPool current = pool;
        if (current == null) {
            synchronized (CodecThreads.class) {
                current = pool;
                if (current == null) {
                    current = new ForkJoinPool(Runtime.getRuntime().availableProcessors(), p -> {
                        ForkJoinWorkerThread thread = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
                        thread.setName("image-encode-" + thread.getPoolIndex());
                        return thread;
                    }, null, false);
                    pool = current;
                }
            }
        }
        return current;
    }
}
