package io.lamaserve.api;

import org.junit.jupiter.api.Test;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.lang.reflect.Proxy;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ClientConnectionTest {

    @Test
    void anActionWaitingWhenTheClientLeavesRunsOnce() {
        ClientConnection connection = new ClientConnection();
        AtomicInteger runs = new AtomicInteger();
        connection.accept(runs::incrementAndGet);
        assertEquals(0, runs.get(), "the client is still there");

        connection.closed();
        connection.closed();
        assertEquals(1, runs.get());
    }

    @Test
    void anActionHandedOverAfterTheClientLeftRunsAtOnce() {
        // the hang-up came while the request was still being prepared, before it had tiles to withdraw
        ClientConnection connection = new ClientConnection();
        connection.closed();
        AtomicInteger runs = new AtomicInteger();
        connection.accept(runs::incrementAndGet);
        assertEquals(1, runs.get());
    }

    @Test
    void theAnswerCancelledByTheFrameworkMeansTheClientLeft() {
        ClientConnection connection = new ClientConnection();
        CompletableFuture<String> answer = connection.follow(new CompletableFuture<>(), request(false));
        AtomicInteger runs = new AtomicInteger();
        connection.accept(runs::incrementAndGet);

        answer.cancel(true);
        assertEquals(1, runs.get());
    }

    @Test
    void anAnswerThatCompletesOrFailsLeavesTheActionAlone() {
        AtomicInteger runs = new AtomicInteger();
        ClientConnection answered = new ClientConnection();
        answered.follow(new CompletableFuture<String>(), request(false)).complete("image");
        answered.accept(runs::incrementAndGet);
        ClientConnection failed = new ClientConnection();
        failed.follow(new CompletableFuture<String>(), request(false)).completeExceptionally(new IllegalStateException());
        failed.accept(runs::incrementAndGet);
        assertEquals(0, runs.get());
    }

    @Test
    void aConnectionClosedBeforeTheAnswerExistedCounts() {
        ClientConnection connection = new ClientConnection();
        connection.follow(new CompletableFuture<String>(), request(true));
        AtomicInteger runs = new AtomicInteger();
        connection.accept(runs::incrementAndGet);
        assertEquals(1, runs.get());
    }

    @Test
    void aSecondActionIsAMistake() {
        ClientConnection connection = new ClientConnection();
        connection.accept(() -> { });
        assertThrows(IllegalStateException.class, () -> connection.accept(() -> { }));
    }

    /** A request whose response answers only {@code closed()}. */
    private static HttpServerRequest request(boolean closed) {
        HttpServerResponse response = (HttpServerResponse) Proxy.newProxyInstance(ClientConnectionTest.class.getClassLoader(),
                new Class<?>[]{HttpServerResponse.class}, (proxy, method, args) -> {
                    if (method.getName().equals("closed")) {
                        return closed;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        return (HttpServerRequest) Proxy.newProxyInstance(ClientConnectionTest.class.getClassLoader(),
                new Class<?>[]{HttpServerRequest.class}, (proxy, method, args) -> {
                    if (method.getName().equals("response")) {
                        return response;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
