package io.lamaserve.bench;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClosedLoopTest {

    private static final StepTiming SHORT = new StepTiming(Duration.ofMillis(300), Duration.ofMillis(2000));

    private static RequestSender senderFor(FakeInpaintServer server) {
        PreparedRequest request = new PreparedRequest("x", "v1/inpaint", "application/octet-stream",
                "payload".getBytes(StandardCharsets.US_ASCII));
        return new RequestSender(server.url(), List.of(request), Duration.ofSeconds(10));
    }

    @Test
    void fourClientsAgainstFiftyMillisecondServerGiveEightyRequestsPerSecond() throws Exception {
        try (FakeInpaintServer server = FakeInpaintServer.sleeping(50);
             RequestSender sender = senderFor(server)) {
            StepResult step = ClosedLoop.run(sender, 4, SHORT);

            assertEquals(StepResult.CLOSED, step.mode());
            assertEquals(4, step.concurrency());
            assertEquals(0, step.errors());
            assertEquals(step.requests(), step.ok());
            // 4 clients / 0.050 s = 80 req/s at best; allow for a busy test machine below that.
            assertTrue(step.throughput() > 60 && step.throughput() <= 84, "throughput " + step.throughput());
            assertTrue(step.p50Ms() >= 49 && step.p50Ms() < 75, "p50 " + step.p50Ms());
            assertTrue(step.maxMs() >= step.p99Ms() && step.p99Ms() >= step.p90Ms() && step.p90Ms() >= step.p50Ms());
        }
    }

    @Test
    void overloadAnswersAreCountedByStatusAndKeptOutOfLatencies() throws Exception {
        // Every third request is refused with 429, every fifth-but-not-third with 503.
        FakeInpaintServer.Responder responder = (n, path, type, body) -> n % 3 == 0
                ? new FakeInpaintServer.Reply(429, "{\"error\":\"busy\"}".getBytes(StandardCharsets.UTF_8))
                : n % 5 == 0 ? new FakeInpaintServer.Reply(503, new byte[0]) : FakeInpaintServer.Reply.image();
        try (FakeInpaintServer server = new FakeInpaintServer(10, false, responder);
             RequestSender sender = senderFor(server)) {
            StepResult step = ClosedLoop.run(sender, 2, new StepTiming(Duration.ZERO, Duration.ofMillis(800)));

            long refused = step.errorsByStatus().getOrDefault("429", 0L);
            long unavailable = step.errorsByStatus().getOrDefault("503", 0L);
            assertTrue(refused > 0 && unavailable > 0, "errors " + step.errorsByStatus());
            assertEquals(refused + unavailable, step.errors());
            assertEquals(step.requests(), step.ok() + step.errors());
            // Server sequence: 1/3 get 429, 2/15 get 503.
            assertEquals(step.requests() / 3.0, refused, step.requests() * 0.1 + 2);
            assertEquals(step.ok() / step.durationSeconds(), step.throughput(), 1e-9);
        }
    }

    @Test
    void stepWithoutSuccessesHasNoLatencies() throws Exception {
        FakeInpaintServer.Responder refuseAll = (n, path, type, body) -> new FakeInpaintServer.Reply(429, new byte[0]);
        try (FakeInpaintServer server = new FakeInpaintServer(5, false, refuseAll);
             RequestSender sender = senderFor(server)) {
            StepResult step = ClosedLoop.run(sender, 1, new StepTiming(Duration.ZERO, Duration.ofMillis(200)));

            assertEquals(0, step.ok());
            assertEquals(step.requests(), step.errorsByStatus().get("429"));
            assertEquals(0.0, step.throughput());
            assertNull(step.p50Ms());
            assertNull(step.p99Ms());
        }
    }

    @Test
    void emptySuccessfulAnswerIsAnError() throws Exception {
        FakeInpaintServer.Responder empty = (n, path, type, body) -> new FakeInpaintServer.Reply(200, new byte[0]);
        try (FakeInpaintServer server = new FakeInpaintServer(5, false, empty);
             RequestSender sender = senderFor(server)) {
            StepResult step = ClosedLoop.run(sender, 1, new StepTiming(Duration.ZERO, Duration.ofMillis(100)));

            assertEquals(0, step.ok());
            assertEquals(step.requests(), step.errorsByStatus().get("200-empty"));
        }
    }

    @Test
    void requestsStartedDuringWarmupAreNotRecorded() throws Exception {
        // One client, 20 ms per request: about 10 requests in warm-up and 20 in the window.
        LoadTarget target = () -> {
            Thread.sleep(20);
            return Outcome.ok(200);
        };
        StepResult step = ClosedLoop.run(target, 1, new StepTiming(Duration.ofMillis(200), Duration.ofMillis(400)));

        assertTrue(step.requests() >= 12 && step.requests() <= 21, "recorded " + step.requests());
    }

    @Test
    void transportFailuresAreCountedAsConnectErrors() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        PreparedRequest request = new PreparedRequest("x", "v1/inpaint", "text/plain", new byte[]{1});
        try (RequestSender sender = new RequestSender(java.net.URI.create("http://127.0.0.1:" + closedPort + "/"),
                List.of(request), Duration.ofSeconds(2))) {
            StepResult step = ClosedLoop.run(sender, 1, new StepTiming(Duration.ZERO, Duration.ofMillis(100)));

            assertTrue(step.requests() > 0);
            assertEquals(step.requests(), step.errorsByStatus().get("connect"));
        }
    }
}
