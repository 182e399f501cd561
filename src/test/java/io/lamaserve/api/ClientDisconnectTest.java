package io.lamaserve.api;

import io.lamaserve.batching.BatchScheduler;
import io.lamaserve.engine.FakeEngine;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A client that hangs up while its tiles wait in the queue takes them out: they are never computed. */
@QuarkusTest
@TestProfile(GatedEngineProfile.class)
class ClientDisconnectTest {

    @TestHTTPResource("/v1/inpaint")
    URL endpoint;

    @Inject
    BatchScheduler scheduler;

    @Inject
    MeterRegistry registry;

    private final FakeEngine engine = GatedEngineProfile.ENGINE;

    @BeforeEach
    void warm() {
        Readiness.await();
    }

    @AfterEach
    void openGate() {
        engine.open();
    }

    @Test
    void queuedTilesOfAClientThatLeftAreNeverComputed() throws Exception {
        byte[] image = TestImages.encode(TestImages.photo(200, 150, BufferedImage.TYPE_INT_RGB, 21), "png");
        byte[] mask = TestImages.encode(TestImages.strokeMask(200, 150, new int[][]{{20, 20, 180, 130}}, 12), "png");
        String boundary = "lama-test-boundary";
        byte[] body = multipart(boundary, image, mask);

        engine.hold();
        int computedBefore = engine.computedTiles();
        double cancelledBefore = cancelledTiles();

        // request A occupies the only executor, blocked at the gate
        HttpClient client = HttpClient.newHttpClient();
        CompletableFuture<HttpResponse<byte[]>> first = client.sendAsync(HttpRequest.newBuilder(endpoint.toURI())
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        waitFor("request A running", () -> engine.runningBatches() == 1);

        // request B queues behind it, then its client hangs up
        try (Socket socket = new Socket(endpoint.getHost(), endpoint.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + endpoint.getPath() + " HTTP/1.1\r\nHost: " + endpoint.getHost() + "\r\n"
                    + "Content-Type: multipart/form-data; boundary=" + boundary + "\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            waitFor("request B queued", () -> scheduler.queuedTiles() == 1);
        }
        waitFor("request B withdrawn", () -> scheduler.queuedTiles() == 0);

        engine.open();
        assertEquals(200, first.get().statusCode());
        assertEquals(1, engine.computedTiles() - computedBefore, "only request A's tile may be computed");
        assertEquals(1.0, cancelledTiles() - cancelledBefore, "lama_cancelled_tiles_total");
    }

    private double cancelledTiles() {
        return registry.find("lama.cancelled.tiles").counter() == null ? 0
                : registry.find("lama.cancelled.tiles").counter().count();
    }

    private static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
        Instant giveUp = Instant.now().plus(Duration.ofSeconds(20));
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(giveUp)) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    private static byte[] multipart(String boundary, byte[] image, byte[] mask) {
        StringBuilder head = new StringBuilder();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (String part : new String[]{"image", "mask"}) {
            head.setLength(0);
            head.append("--").append(boundary).append("\r\n")
                    .append("Content-Disposition: form-data; name=\"").append(part).append("\"; filename=\"")
                    .append(part).append(".png\"\r\nContent-Type: image/png\r\n\r\n");
            out.writeBytes(head.toString().getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(part.equals("image") ? image : mask);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}
