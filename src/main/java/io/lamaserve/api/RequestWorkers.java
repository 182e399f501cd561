package io.lamaserve.api;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Virtual threads for endpoints that take their body on the I/O thread. An endpoint that runs on a worker
 * (blocking or virtual thread) from the start reads a large body through a blocking stream, one hand-off between
 * the I/O thread and the worker per network chunk; a non-blocking endpoint gets the whole body read asynchronously
 * first, and then hands the request over once. For a 650 KB upload that halved the {@code receive} phase.
 */
@ApplicationScoped
class RequestWorkers {

    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    /** Runs {@code work} on a new virtual thread; its exception, unwrapped, fails the stage (and is mapped as usual). */
    <T> CompletableFuture<T> run(Work<T> work) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        threads.execute(() -> {
            try {
                answer.complete(work.call());
            } catch (Throwable failure) {
                answer.completeExceptionally(failure);
            }
        });
        return answer;
    }

    @PreDestroy
    void close() {
        threads.close();
    }

    /** A request's work; may throw what the resource method could. */
    @FunctionalInterface
    interface Work<T> {
        T call() throws Exception;
    }
}
