package io.lamaserve.engine.tensorrt;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Opens several native resources of the same kind at once, one platform thread each (the first on the caller's),
 * and hands back all of them or none. Used for the engine's execution slots: most of a slot's start is pinning its
 * host staging buffers and allocating its device buffers, work the kernel and the driver can do for two slots in
 * parallel.
 */
final class SideBySide {

    private SideBySide() {
    }

    /**
     * @param count  how many to open, at least one
     * @param thread name of the helper threads (the index is appended)
     * @param open   opens the resource of an index; it runs on the index's own thread
     * @return the resources in index order
     * @throws RuntimeException the first failure by index, after every resource that did open is closed again
     */
    static <T extends AutoCloseable> List<T> open(int count, String thread, IntFunction<T> open) {
        List<Opening<T>> openings = new ArrayList<>(count);
        for (int index = 1; index < count; index++) {
            Opening<T> opening = new Opening<>(index, open);
            opening.thread = Thread.ofPlatform().name(thread + "-" + index).daemon().start(opening);
            openings.add(opening);
        }
        Opening<T> first = new Opening<>(0, open);
        first.run();
        openings.addFirst(first);
        boolean interrupted = false;
        for (Opening<T> opening : openings) {
            while (opening.thread != null) {
                try {
                    opening.thread.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // the native call cannot be abandoned half-way: wait for it, then re-flag
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        RuntimeException failure = null;
        for (Opening<T> opening : openings) {
            if (opening.failure != null && failure == null) {
                failure = opening.failure instanceof RuntimeException runtime ? runtime
                        : new IllegalStateException(opening.failure.getMessage(), opening.failure);
            }
        }
        if (failure == null) {
            return openings.stream().map(opening -> opening.opened).toList();
        }
        for (Opening<T> opening : openings) {
            if (opening.opened != null) {
                try {
                    opening.opened.close();
                } catch (Exception e) {
                    failure.addSuppressed(e);
                }
            }
        }
        throw failure;
    }

    private static final class Opening<T> implements Runnable {
        private final int index;
        private final IntFunction<T> open;
        private Thread thread;
        private T opened;
        private Throwable failure;

        Opening(int index, IntFunction<T> open) {
            this.index = index;
            this.open = open;
        }

        @Override
        public void run() {
            try {
                opened = open.apply(index);
            } catch (Throwable e) {
                failure = e;
            }
        }
    }
}
