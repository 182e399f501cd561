package io.lamaserve.model;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HTTP server on 127.0.0.1 that serves one model file in the ways a download can go right or wrong.
 * Every request is recorded as {@code "<path> <Range header or ->"}.
 *
 * <ul>
 *   <li>{@code /model.onnx}: 200, or 206 for {@code Range: bytes=N-}, or 416 when N is past the end</li>
 *   <li>{@code /no-range/model.onnx}: always 200 with the whole file</li>
 *   <li>{@code /redirect/model.onnx}: 302 to {@code /model.onnx}</li>
 *   <li>{@code /missing.onnx}: 404</li>
 *   <li>{@code /cut/model.onnx}: the first request announces the full length, sends {@code cutAt} bytes and drops the
 *       connection; later requests behave like {@code /model.onnx}</li>
 *   <li>{@code /stall/model.onnx}: sends {@code cutAt} bytes, then nothing for 10 s</li>
 *   <li>{@code /slow/model.onnx}: the whole file in 64 KiB pieces, 2 ms apart</li>
 * </ul>
 */
final class LocalModelServer implements AutoCloseable {

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    private final byte[] model;
    private final int cutAt;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final AtomicBoolean cutDone = new AtomicBoolean();

    LocalModelServer(byte[] model, int cutAt) throws IOException {
        this.model = model;
        this.cutAt = cutAt;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(executor);
        server.createContext("/model.onnx", this::serveWithRanges);
        server.createContext("/no-range/model.onnx", exchange -> send(exchange, 200, 0));
        server.createContext("/redirect/model.onnx", exchange -> {
            record(exchange);
            exchange.getResponseHeaders().set("Location", "/model.onnx");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        server.createContext("/missing.onnx", exchange -> {
            record(exchange);
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        server.createContext("/cut/model.onnx", exchange -> {
            if (cutDone.compareAndSet(false, true)) {
                record(exchange);
                sendPartThen(exchange, () -> {
                });
            } else {
                serveWithRanges(exchange);
            }
        });
        server.createContext("/stall/model.onnx", exchange -> {
            record(exchange);
            sendPartThen(exchange, () -> sleep(10_000));
        });
        server.createContext("/slow/model.onnx", exchange -> {
            record(exchange);
            exchange.sendResponseHeaders(200, model.length);
            try (OutputStream out = exchange.getResponseBody()) {
                for (int at = 0; at < model.length; at += 65536) {
                    out.write(model, at, Math.min(65536, model.length - at));
                    out.flush();
                    sleep(2);
                }
            }
        });
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    List<String> requests() {
        return List.copyOf(requests);
    }

    private void serveWithRanges(HttpExchange exchange) throws IOException {
        String range = exchange.getRequestHeaders().getFirst("Range");
        if (range == null) {
            send(exchange, 200, 0);
            return;
        }
        Matcher matcher = RANGE.matcher(range);
        if (!matcher.matches()) {
            send(exchange, 200, 0);
            return;
        }
        int from = Integer.parseInt(matcher.group(1));
        if (from >= model.length) {
            record(exchange);
            exchange.getResponseHeaders().set("Content-Range", "bytes */" + model.length);
            exchange.sendResponseHeaders(416, -1);
            exchange.close();
            return;
        }
        exchange.getResponseHeaders().set("Content-Range",
                "bytes " + from + "-" + (model.length - 1) + "/" + model.length);
        send(exchange, 206, from);
    }

    private void send(HttpExchange exchange, int status, int from) throws IOException {
        record(exchange);
        exchange.sendResponseHeaders(status, model.length - from);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(model, from, model.length - from);
        }
    }

    /** Announces the whole file, sends the first {@code cutAt} bytes, runs {@code after}, then drops the connection. */
    private void sendPartThen(HttpExchange exchange, Runnable after) throws IOException {
        exchange.sendResponseHeaders(200, model.length);
        OutputStream out = exchange.getResponseBody();
        out.write(model, 0, cutAt);
        out.flush();
        after.run();
        // a handler that fails makes the JDK server close the connection mid-body
        throw new IOException("dropping the connection after " + cutAt + " bytes on purpose");
    }

    private void record(HttpExchange exchange) {
        String range = exchange.getRequestHeaders().getFirst("Range");
        requests.add(exchange.getRequestURI().getPath() + " " + (range == null ? "-" : range));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
