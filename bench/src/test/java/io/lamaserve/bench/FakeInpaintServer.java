package io.lamaserve.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A stand-in inpainting server on 127.0.0.1 (ephemeral port): every request sleeps a fixed service time and
 * is answered by a pluggable responder. With {@code serialized} it works on one request at a time, like a
 * single-worker model server.
 */
final class FakeInpaintServer implements AutoCloseable {

    /** Decides the answer to one request. */
    @FunctionalInterface
    interface Responder {
        Reply reply(int requestNumber, String path, String contentType, byte[] body);
    }

    /** Status and body to send back. */
    record Reply(int status, byte[] body) {
        static Reply image() {
            return new Reply(200, new byte[]{(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final ReentrantLock serviceLock = new ReentrantLock();
    private final AtomicInteger received = new AtomicInteger();

    FakeInpaintServer(long serviceMillis, boolean serialized, Responder responder) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        server.setExecutor(executor);
        server.createContext("/", exchange -> handle(exchange, serviceMillis, serialized, responder));
        server.start();
    }

    /** A server that answers every request with a small image after {@code serviceMillis}. */
    static FakeInpaintServer sleeping(long serviceMillis) throws IOException {
        return new FakeInpaintServer(serviceMillis, false, (n, path, type, body) -> Reply.image());
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    int received() {
        return received.get();
    }

    private void handle(HttpExchange exchange, long serviceMillis, boolean serialized, Responder responder)
            throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readAllBytes();
            int number = received.incrementAndGet();
            if (serialized) {
                serviceLock.lock();
            }
            try {
                Thread.sleep(serviceMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                if (serialized) {
                    serviceLock.unlock();
                }
            }
            Reply reply = responder.reply(number, exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders().getFirst("Content-Type"), body);
            if (reply.status() == 429 || reply.status() == 503) {
                exchange.getResponseHeaders().add("Retry-After", "1");
            }
            exchange.sendResponseHeaders(reply.status(), reply.body().length == 0 ? -1 : reply.body().length);
            exchange.getResponseBody().write(reply.body());
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.close();
    }
}
