package io.lamaserve.api;

import io.vertx.core.http.HttpServerRequest;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Runs an action when the client closes the connection before its answer was sent.
 *
 * <p>Quarkus REST cancels a resource method's pending {@link CompletableFuture} when the client closes the
 * connection (it owns the response's close handler for that), so the answer's cancellation is the signal. The
 * action (withdrawing the request's queued tiles) only exists later, on the worker thread, and the client may leave
 * in between: an action handed over after the client left runs at once.
 */
final class ClientConnection implements Consumer<Runnable> {

    /** Stands for "the client has gone" once the close was seen. */
    private static final Runnable GONE = () -> { };

    private final AtomicReference<Runnable> onClose = new AtomicReference<>();

    ClientConnection() {
    }

    /**
     * Treats the answer's cancellation as the client's departure; call it on the request's I/O thread, before the
     * resource method returns the answer.
     */
    <T> CompletableFuture<T> follow(CompletableFuture<T> answer, HttpServerRequest request) {
        answer.whenComplete((ignored, failure) -> {
            if (answer.isCancelled()) {
                closed();
            }
        });
        if (request.response().closed()) {
            closed();
        }
        return answer;
    }

    /** Runs {@code action} when the client goes, or now if it has gone already; one action per request. */
    @Override
    public void accept(Runnable action) {
        if (!onClose.compareAndSet(null, action)) {
            if (onClose.get() == GONE) {
                action.run();
            } else {
                throw new IllegalStateException("an action is already waiting for this connection to close");
            }
        }
    }

    /** The connection closed: runs the waiting action, if any, and any action handed over from now on. */
    void closed() {
        Runnable action = onClose.getAndSet(GONE);
        if (action != null && action != GONE) {
            action.run();
        }
    }
}
