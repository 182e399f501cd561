package io.lamaserve.hostile;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM while the queue is full. Every request sent before SIGTERM (queued or running then) must be answered,
 * 200 or 503, none dropped. Requests sent after it must get 503 with Retry-After while the service drains; once
 * the listener closes they find no server (refused, or closed by the stopping server before an answer): that is
 * a request never accepted, which the client retries elsewhere. The clients behave like real ones: each request on
 * its own connection, and a pause of Retry-After seconds after a 503.
 */
class GracefulShutdownIT {

    static final int CLIENTS = 16;
    /** The JVM starts its shutdown hooks a moment after the signal; readiness must be DOWN well within a second. */
    static final long READINESS_DOWN_BOUND_MS = 1_000;

    record Result(boolean beforeSigterm, int status, long retryAfterSeconds, Throwable failure) {
        boolean retryAfter() {
            return retryAfterSeconds > 0;
        }

        boolean refusedAtConnect() {
            return failure instanceof ConnectException;
        }

        /** The connection ended without an answer: the server was closing its listener. */
        boolean closedWithoutAnswer() {
            return failure instanceof IOException && !refusedAtConnect();
        }

        boolean noServer() {
            return refusedAtConnect() || closedWithoutAnswer();
        }
    }

    @Test
    void everyAcceptedRequestIsAnsweredOnSigterm() throws Exception {
        byte[] body = HostileCases.multipartBody(Map.of(
                "image", HostileFiles.encode(HostileFiles.photo(160, 120, 9), "png"),
                "mask", HostileFiles.encode(HostileFiles.mask(160, 120, 40, 30, 50, 40), "png")));
        try (PackagedService service = PackagedService.start("sigterm-under-load", Map.of())) {
            ServiceReady.await(service.base, Duration.ofMinutes(3));
            ConcurrentLinkedQueue<Result> results = new ConcurrentLinkedQueue<>();
            AtomicBoolean sigtermSent = new AtomicBoolean();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger sent = new AtomicInteger();
            CountDownLatch loaded = new CountDownLatch(CLIENTS * 2);
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            for (int c = 0; c < CLIENTS; c++) {
                clients.submit(() -> {
                    while (!stop.get()) {
                        boolean before = !sigtermSent.get();
                        sent.incrementAndGet();
                        loaded.countDown();
                        Result result = send(service, body, before);
                        results.add(result);
                        if (result.noServer() && !before) {
                            return;
                        }
                        if (result.status() == 503) {
                            pause(result.retryAfterSeconds());
                        }
                    }
                });
            }
            // two requests per client sent: the queue holds work from all of them
            assertTrue(loaded.await(60, TimeUnit.SECONDS));
            Thread.sleep(1500);
            sigtermSent.set(true);
            long signalled = System.nanoTime();
            service.process.destroy();
            int readiness;
            while ((readiness = readiness(service)) == 200 && System.nanoTime() - signalled < 5_000_000_000L) {
                Thread.sleep(10);
            }
            long readinessDownMillis = (System.nanoTime() - signalled) / 1_000_000;
            Integer exit = service.awaitExit(90);
            stop.set(true);
            clients.shutdown();
            assertTrue(clients.awaitTermination(60, TimeUnit.SECONDS), "a client is still waiting for an answer");

            List<Result> all = List.copyOf(results);
            long ok = all.stream().filter(r -> r.status() == 200).count();
            long unavailable = all.stream().filter(r -> r.status() == 503).count();
            long refused = all.stream().filter(Result::refusedAtConnect).count();
            long closed = all.stream().filter(Result::closedWithoutAnswer).count();
            List<Result> beforeSigterm = all.stream().filter(Result::beforeSigterm).toList();
            List<Result> dropped = beforeSigterm.stream().filter(r -> r.status() == -1).toList();
            String report = String.format("sent %d (%d before SIGTERM, all of them answered: %d x 200, %d x 503);"
                            + " in total 200 %d, 503 %d (with Retry-After %d), after SIGTERM refused at connect %d or"
                            + " closed unanswered by the stopping server %d; dropped %d; readiness %s %d ms after SIGTERM; exit code %s%n",
                    sent.get(), beforeSigterm.size(), beforeSigterm.stream().filter(r -> r.status() == 200).count(),
                    beforeSigterm.stream().filter(r -> r.status() == 503).count(), ok, unavailable,
                    all.stream().filter(r -> r.status() == 503 && r.retryAfter()).count(), refused, closed,
                    dropped.size(), readiness == -1 ? "refused" : Integer.toString(readiness), readinessDownMillis, exit);
            Files.createDirectories(Path.of("target/hostile"));
            Files.writeString(Path.of("target/hostile/sigterm.txt"), report);
            System.out.println(report);

            assertNotNull(exit, "the service did not stop within 90 s of SIGTERM");
            assertEquals(sent.get(), all.size(), "every request sent has an outcome");
            assertTrue(dropped.isEmpty(), "accepted requests lost: " + dropped);
            assertTrue(beforeSigterm.stream().allMatch(r -> r.status() == 200 || r.status() == 503),
                    "every request sent before SIGTERM is answered");
            assertTrue(all.stream().allMatch(r -> r.status() == 200 || r.status() == 503 || r.noServer()),
                    "only 200, 503 or no server: " + all);
            assertTrue(all.stream().filter(r -> r.status() == 503).allMatch(Result::retryAfter), "503 without Retry-After");
            assertTrue(ok >= CLIENTS, "the queued work was finished, not thrown away: " + ok + " answered 200");
            assertNotEquals(200, readiness, "readiness still UP 5 s after SIGTERM");
            assertTrue(readinessDownMillis < READINESS_DOWN_BOUND_MS, "readiness DOWN only after " + readinessDownMillis + " ms");
        }
    }

    private static Result send(PackagedService service, byte[] body, boolean beforeSigterm) {
        // a fresh client is a fresh connection: no request rides on a connection the server is closing
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(service.base.resolve("/v1/inpaint"))
                            .timeout(Duration.ofSeconds(60))
                            .header("Content-Type", "multipart/form-data; boundary=" + HostileCases.BOUNDARY)
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Result(beforeSigterm, response.statusCode(),
                    response.headers().firstValue("Retry-After").map(Long::parseLong).orElse(0L), null);
        } catch (IOException e) {
            return new Result(beforeSigterm, -1, 0, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(beforeSigterm, -1, 0, e);
        }
    }

    private static void pause(long seconds) {
        try {
            Thread.sleep(Duration.ofSeconds(seconds));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The readiness probe's status just after SIGTERM, or -1 when the connection is refused. */
    private static int readiness(PackagedService service) {
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(HttpRequest.newBuilder(service.base.resolve("/q/health/ready"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
