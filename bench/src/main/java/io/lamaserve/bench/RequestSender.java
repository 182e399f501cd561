package io.lamaserve.bench;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
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
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
    }

    /** Sends the next request and waits for the full answer. */
    @Override
    public Outcome send() throws InterruptedException {
        PreparedRequest request = requests.get((int) (sequence.getAndIncrement() % requests.size()));
        try {
            HttpResponse<byte[]> response = client.send(request.toHttpRequest(baseUrl, timeout),
                    HttpResponse.BodyHandlers.ofByteArray());
            int status = response.statusCode();
            byte[] body = response.body();
            if (status / 100 == 2 && body != null && body.length > 0) {
                return Outcome.ok(status);
            }
            String key = status / 100 == 2 ? status + "-empty" : Integer.toString(status);
            return Outcome.error(key, snippet(body));
        } catch (HttpConnectTimeoutException | ConnectException e) {
            return Outcome.error("connect", e.toString());
        } catch (HttpTimeoutException e) {
            return Outcome.error("timeout", e.toString());
        } catch (IOException e) {
            return Outcome.error("io", e.toString());
        }
    }

    private static String snippet(byte[] body) {
        if (body == null) {
            return "";
        }
        String text = new String(body, 0, Math.min(body.length, DETAIL_CHARS), StandardCharsets.UTF_8);
        return text.replaceAll("\\s+", " ");
    }

    @Override
    public void close() {
        client.close();
    }
}
