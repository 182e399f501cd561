package io.lamaserve.bench;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpenLoopTest {

    private static RequestSender senderFor(FakeInpaintServer server) {
        PreparedRequest request = new PreparedRequest("x", "v1/inpaint", "application/octet-stream", new byte[]{7});
        return new RequestSender(server.url(), List.of(request), Duration.ofSeconds(20));
    }

    @Test
    void belowCapacityLatencyIsTheServiceTime() throws Exception {
        try (FakeInpaintServer server = new FakeInpaintServer(20, true, (n, p, t, b) -> FakeInpaintServer.Reply.image());
             RequestSender sender = senderFor(server)) {
            StepResult step = OpenLoop.run(sender, 10, new StepTiming(Duration.ofMillis(100), Duration.ofMillis(1000)),
                    100, 1);

            assertEquals(StepResult.OPEN, step.mode());
            assertEquals(10.0, step.offeredRate());
            assertTrue(step.ok() > 3, "ok " + step.ok());
            assertTrue(step.p50Ms() >= 19 && step.p50Ms() < 45, "p50 " + step.p50Ms());
        }
    }

    @Test
    void aboveCapacityLatencyIncludesQueueingFromScheduledSendTime() throws Exception {
        // One request at a time, 10 ms each: capacity 100/s. Offer 250/s for half a second.
        try (FakeInpaintServer server = new FakeInpaintServer(10, true, (n, p, t, b) -> FakeInpaintServer.Reply.image());
             RequestSender sender = senderFor(server)) {
            StepResult step = OpenLoop.run(sender, 250, new StepTiming(Duration.ZERO, Duration.ofMillis(500)),
                    1000, 7);

            assertEquals(0, step.errors());
            assertEquals(0, step.dropped());
            assertTrue(step.requests() > 80, "requests " + step.requests());
            // The backlog grows by ~150 requests per second, so the last ones wait most of a second.
            assertTrue(step.p99Ms() > 10 * 10, "p99 " + step.p99Ms());
            assertTrue(step.maxMs() > 500, "max " + step.maxMs());
        }
    }

    @Test
    void latencyCountsFromScheduleEvenWhenTheTargetIsSlowToAccept() throws Exception {
        // A target that lets one call through at a time, like a client with a single connection.
        Object gate = new Object();
        LoadTarget serialTarget = () -> {
            synchronized (gate) {
                Thread.sleep(5);
            }
            return Outcome.ok(200);
        };
        StepResult step = OpenLoop.run(serialTarget, 400, new StepTiming(Duration.ZERO, Duration.ofMillis(300)), 1000, 3);

        // ~120 arrivals served 5 ms apart at best: the median request waited far longer than its 5 ms service.
        assertTrue(step.p50Ms() > 12 * 5, "p50 " + step.p50Ms());
    }

    @Test
    void sendsBeyondTheOutstandingBoundAreDroppedAndCounted() throws Exception {
        try (FakeInpaintServer server = FakeInpaintServer.sleeping(300);
             RequestSender sender = senderFor(server)) {
            StepResult step = OpenLoop.run(sender, 100, new StepTiming(Duration.ZERO, Duration.ofMillis(500)), 2, 5);

            assertTrue(step.dropped() > 10, "dropped " + step.dropped());
            assertTrue(step.ok() <= 4, "ok " + step.ok());
            assertEquals(step.requests(), step.ok() + step.errors() + step.dropped());
        }
    }
}
