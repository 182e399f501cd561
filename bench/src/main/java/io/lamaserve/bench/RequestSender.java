package io.lamaserve.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends the prepared requests round-robin over one shared HTTP/1.1 client. The call blocks, which is cheap
 * on a virtual thread. The JDK client opens a new connection whenever no idle one is free, so concurrent
 * callers are never queued behind each other on the client side. Overload answers (429, 503) are reported as
 * errors and never retried: retrying would hide the server's behaviour from the measurement.
 */
public final class RequestSender implements LoadTarget, AutoCloseable {

    private static final int DETAIL_CHARS = 200;

    private final ExecutorService clientExecutor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient client;
    private final URI baseUrl;
    private final Duration timeout;
    private final List<PreparedRequest> requests;
    private final AtomicLong sequence = new AtomicLong();

    /** A sender for {@code requests} (at least one) against {@code baseUrl}. */
    public RequestSender(URI baseUrl, List<PreparedRequest> requests, Duration timeout) {
        if (requests.isEmpty()) {
            throw new IllegalArgumentException("no requests to send");
        }
        this.baseUrl = baseUrl;
        this.requests = List.copyOf(requests);
        this.timeout = timeout;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .executor(clientExecutor)
                .build();
    }

    /** Sends the next request and waits for the full answer. */
    @Override
    public Outcome send() throws InterruptedException {
        PreparedRequest request = requests.get((int) (sequence.getAndIncrement() % requests.size()));
        try {
            HttpResponse<InputStream> response = client.send(request.toHttpRequest(baseUrl, timeout),
                    HttpResponse.BodyHandlers.ofInputStream());
            int status = response.statusCode();
            // Result images are streamed to nowhere: keeping megabytes per request would only feed the GC.
            try (InputStream body = response.body()) {
                if (status / 100 == 2) {
                    long length = body.transferTo(OutputStream.nullOutputStream());
                    return length > 0
                            ? Outcome.ok(status, ServerTiming.parse(response.headers().firstValue("Server-Timing").orElse("")))
                            : Outcome.error(status + "-empty", "");
                }
                byte[] start = body.readNBytes(DETAIL_CHARS);
                body.transferTo(OutputStream.nullOutputStream());
                return Outcome.error(Integer.toString(status), snippet(start));
            }
        } catch (HttpConnectTimeoutException | ConnectException e) {
            return Outcome.error("connect", describe(e));
        } catch (HttpTimeoutException e) {
            return Outcome.error("timeout", describe(e));
        } catch (IOException e) {
            return Outcome.error("io", describe(e));
        }
    }

    /** The exception type plus the first message found along its causes (the client often nests them). */
    private static String describe(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return error.getClass().getSimpleName() + ": " + t.getMessage();
            }
        }
        return error.getClass().getSimpleName();
    }

    private static String snippet(byte[] body) {
        return new String(body, StandardCharsets.UTF_8).replaceAll("\\s+", " ");
    }

    @Override
    public void close() {
        client.close();
        clientExecutor.close();
    }
}
