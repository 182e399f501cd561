package io.lamaserve.hostile;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Slow and stalled clients against the packaged service, over raw sockets: headers that never finish, a body that
 * stops, a body trickled past the request's deadline, and SIGTERM with such clients connected. The timeouts are set
 * short (2 s) so that the test is quick; the defaults are 30 s. Each cut-off time is written to
 * {@code target/hostile/slow-clients.txt}.
 */
class SlowClientIT {

    static final Duration HEADER_TIMEOUT = Duration.ofSeconds(2);
    static final Duration BODY_IDLE_TIMEOUT = Duration.ofSeconds(2);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(6);
    /** The guard checks its timers every 250 ms; allow that, and a loaded 2-core machine, on top. */
    static final long SLACK_MILLIS = 1_500;
    /** Headers that never end: 75 bytes, 22 s at a byte every 300 ms. */
    static final byte[] TRICKLED_HEADERS = ("POST /v1/inpaint HTTP/1.1\r\nHost: localhost\r\n"
            + "X-Padding: aaaaaaaaaaaaaaaaaaaa").getBytes(StandardCharsets.US_ASCII);

    static final Map<String, String> SETTINGS = Map.of(
            "lama.http.header-timeout", HEADER_TIMEOUT.toSeconds() + "s",
            "lama.http.body-idle-timeout", BODY_IDLE_TIMEOUT.toSeconds() + "s",
            "lama.batching.timeout", REQUEST_TIMEOUT.toSeconds() + "s");

    static PackagedService service;
    static final List<String> FIGURES = new ArrayList<>();

    /** What a raw client read back, and when the server closed the connection. */
    record Answer(String text, long closedAfterMillis) {
        int status() {
            return text.startsWith("HTTP/1.1 ") ? Integer.parseInt(text.substring(9, 12)) : -1;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        service = PackagedService.start("slow-clients", SETTINGS);
        ServiceReady.await(service.base, Duration.ofMinutes(3));
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        Files.createDirectories(Path.of("target/hostile"));
        Files.write(Path.of("target/hostile/slow-clients.txt"), FIGURES);
    }

    @Test
    void headersThatNeverFinishAreCutOffAfterTheHeaderTimeout() throws Exception {
        try (Socket socket = connect()) {
            send(socket, "POST /v1/inpaint HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=b\r\n");
            Answer answer = readUntilClosed(socket, 0);
            figure("headers never finished: connection closed after %d ms", answer);
            assertTrue(answer.closedAfterMillis() >= HEADER_TIMEOUT.toMillis() - 250, answer.toString());
            assertTrue(answer.closedAfterMillis() <= HEADER_TIMEOUT.toMillis() + SLACK_MILLIS, answer.toString());
        }
    }

    /** The first request of a connection: its header time counts from the connection's accept, not its first byte. */
    @Test
    void headersTrickledOnANewConnectionAreCutOffAfterTheHeaderTimeout() throws Exception {
        try (Socket socket = connect()) {
            long start = System.nanoTime();
            boolean closed = trickle(socket, TRICKLED_HEADERS);
            long millis = (System.nanoTime() - start) / 1_000_000;
            FIGURES.add("headers trickled a byte per 300 ms from a new connection's start: closed after " + millis + " ms");
            assertTrue(closed, "still open after " + millis + " ms of trickled headers");
            assertTrue(millis >= HEADER_TIMEOUT.toMillis() - 250, "closed after " + millis + " ms");
            assertTrue(millis <= HEADER_TIMEOUT.toMillis() + SLACK_MILLIS, "closed after " + millis + " ms");
        }
    }

    /** A first request sent at once is answered, whatever the connection's guard counts from its accept. */
    @Test
    void aFirstRequestSentAtOnceIsAnswered() throws Exception {
        try (Socket socket = connect()) {
            send(socket, "GET /q/health/live HTTP/1.1\r\nHost: localhost\r\n\r\n");
            String head = readResponseHead(socket);
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
        }
    }

    @Test
    void headersTrickledOnAKeptAliveConnectionAreCutOffAfterTheHeaderTimeout() throws Exception {
        try (Socket socket = connect()) {
            send(socket, "GET /q/health/live HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertTrue(readResponseHead(socket).startsWith("HTTP/1.1 200"));
            long start = System.nanoTime();
            boolean closed = trickle(socket, TRICKLED_HEADERS);
            long millis = (System.nanoTime() - start) / 1_000_000;
            FIGURES.add("headers trickled a byte per 300 ms after a kept-alive answer: closed after " + millis + " ms");
            assertTrue(closed, "still open after " + millis + " ms of trickled headers");
            assertTrue(millis <= HEADER_TIMEOUT.toMillis() + SLACK_MILLIS, "closed after " + millis + " ms");
        }
    }

    @Test
    void aBodyThatStopsIsAnswered408AfterTheBodyIdleTimeout() throws Exception {
        try (Socket socket = connect()) {
            send(socket, "POST /v1/inpaint HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                    + "Content-Length: 100000\r\n\r\n" + "x".repeat(1000));
            Answer answer = readUntilClosed(socket, 0);
            figure("body stopped after 1000 of 100000 bytes: 408 and closed after %d ms", answer);
            assertEquals(408, answer.status(), answer.text());
            assertTrue(answer.text().contains("\"error\":\"RequestTimeout\""), answer.text());
            assertTrue(answer.text().contains("nothing arrived"), answer.text());
            assertTrue(answer.closedAfterMillis() >= BODY_IDLE_TIMEOUT.toMillis() - 250, answer.toString());
            assertTrue(answer.closedAfterMillis() <= BODY_IDLE_TIMEOUT.toMillis() + SLACK_MILLIS, answer.toString());
        }
    }

    @Test
    void aBodyTrickledPastTheDeadlineIsAnswered408AtTheDeadline() throws Exception {
        try (Socket socket = connect()) {
            send(socket, "POST /v1/inpaint HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                    + "Content-Length: 100000\r\n\r\n");
            long start = System.nanoTime();
            CompletableFuture<Void> trickle = CompletableFuture.runAsync(() -> {
                try {
                    // 100 bytes every 500 ms: always moving, never done within the deadline
                    for (int i = 0; i < 40; i++) {
                        socket.getOutputStream().write("y".repeat(100).getBytes(StandardCharsets.US_ASCII));
                        socket.getOutputStream().flush();
                        Thread.sleep(500);
                    }
                } catch (IOException | InterruptedException closed) {
                    // the server cut the connection
                }
            });
            Answer answer = readUntilClosed(socket, start);
            trickle.cancel(true);
            figure("body trickled at 200 B/s: 408 and closed after %d ms", answer);
            assertEquals(408, answer.status(), answer.text());
            assertTrue(answer.text().contains("deadline"), answer.text());
            assertTrue(answer.closedAfterMillis() >= REQUEST_TIMEOUT.toMillis() - 250, answer.toString());
            assertTrue(answer.closedAfterMillis() <= REQUEST_TIMEOUT.toMillis() + SLACK_MILLIS, answer.toString());
        }
    }

    /**
     * However large the announced length, the answer is the JSON 413, before a byte of the body is read, and the
     * server ends the connection after it.
     */
    @Test
    void aHugeContentLengthIsRefusedWithTheJsonErrorBeforeTheBody() throws Exception {
        try (Socket socket = connect()) {
            send(socket, "POST /v1/inpaint HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                    + "Content-Length: 5000000000\r\n\r\n");
            String head = readResponseHead(socket);
            assertTrue(head.startsWith("HTTP/1.1 413"), head);
            assertTrue(head.toLowerCase(java.util.Locale.ROOT).contains("content-type: application/json"), head);
            assertTrue(head.contains("lama.limits.max-body-bytes"), head);
            // the body never comes: the connection ends with the answer, it is not kept for the next request
            assertTrue(head.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), head);
            Answer rest = readUntilClosed(socket, 0);
            assertEquals("", rest.text());
            assertTrue(rest.closedAfterMillis() < SLACK_MILLIS, rest.toString());
        }
    }

    /**
     * SIGTERM with one client stalled in its body, one idle kept-alive connection and one client whose body is still
     * arriving: the first two are closed at once, the third is read to the end and answered 200, and the service stops
     * as soon as that answer is out, without waiting for its shutdown timeout and without an ERROR in its log. A fourth
     * connection, opened before the signal, sends its first request a second after it: it is answered, not closed
     * as idle (its request may have been on the way).
     */
    @Test
    void sigtermClosesStalledAndIdleConnectionsAndAnswersBodiesStillArriving() throws Exception {
        byte[] body = HostileCases.multipartBody(Map.of(
                "image", HostileFiles.encode(HostileFiles.photo(160, 120, 9), "png"),
                "mask", HostileFiles.encode(HostileFiles.mask(160, 120, 40, 30, 50, 40), "png")));
        try (PackagedService stopping = PackagedService.start("slow-clients-sigterm", Map.of(
                "lama.http.body-idle-timeout", "60s", "lama.http.header-timeout", "60s"))) {
            ServiceReady.await(stopping.base, Duration.ofMinutes(3));
            sigtermWithSlowClients(stopping, body);
        }
    }

    private static void sigtermWithSlowClients(PackagedService stopping, byte[] body) throws Exception {
        try (Socket stalled = connect(stopping);
             Socket idle = connect(stopping);
             Socket arriving = connect(stopping);
             Socket fresh = connect(stopping)) {
            send(stalled, "POST /v1/inpaint HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary="
                    + HostileCases.BOUNDARY + "\r\nContent-Length: " + body.length + "\r\n\r\n");
            stalled.getOutputStream().write(body, 0, 100);
            send(idle, "GET /q/health/live HTTP/1.1\r\nHost: localhost\r\n\r\n");
            readResponseHead(idle);
            send(arriving, "POST /v1/inpaint HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary="
                    + HostileCases.BOUNDARY + "\r\nContent-Length: " + body.length + "\r\n\r\n");
            int half = body.length / 2;
            arriving.getOutputStream().write(body, 0, half);
            arriving.getOutputStream().flush();
            Thread.sleep(1_500);

            long signalled = System.nanoTime();
            stopping.process.destroy();
            CompletableFuture<Answer> stalledAnswer = CompletableFuture.supplyAsync(() -> readQuietly(stalled, signalled));
            CompletableFuture<Answer> idleAnswer = CompletableFuture.supplyAsync(() -> readQuietly(idle, signalled));
            CompletableFuture<String> freshAnswer = CompletableFuture.supplyAsync(() -> {
                try {
                    Thread.sleep(1_000);
                    send(fresh, "GET /q/health/live HTTP/1.1\r\nHost: localhost\r\n\r\n");
                    return readResponseHead(fresh);
                } catch (IOException | InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            // the rest of the body comes in pieces over the next 2 s
            for (int offset = half; offset < body.length; offset += 4096) {
                arriving.getOutputStream().write(body, offset, Math.min(4096, body.length - offset));
                arriving.getOutputStream().flush();
                Thread.sleep(2_000L * 4096 / (body.length - half + 1));
            }
            String head = readResponseHead(arriving);
            Answer closedStalled = stalledAnswer.get(20, TimeUnit.SECONDS);
            Answer closedIdle = idleAnswer.get(20, TimeUnit.SECONDS);
            String freshHead = freshAnswer.get(20, TimeUnit.SECONDS);
            Integer exit = stopping.awaitExit(30);
            long stoppedMillis = (System.nanoTime() - signalled) / 1_000_000;
            FIGURES.add(String.format("SIGTERM: stalled body closed after %d ms, idle connection after %d ms, "
                            + "body still arriving answered \"%s\", first request 1 s after the signal on a connection "
                            + "opened before it answered \"%s\", process exited after %d ms",
                    closedStalled.closedAfterMillis(), closedIdle.closedAfterMillis(), head.lines().findFirst().orElse(""),
                    freshHead.lines().findFirst().orElse(""), stoppedMillis));

            assertTrue(head.startsWith("HTTP/1.1 200"), "the body arriving at SIGTERM was not answered: " + head);
            assertTrue(freshHead.startsWith("HTTP/1.1 "), "a connection opened before SIGTERM was closed before its first "
                    + "request: " + freshHead);
            assertTrue(closedStalled.closedAfterMillis() <= SLACK_MILLIS + 1_000, closedStalled.toString());
            assertTrue(closedIdle.closedAfterMillis() <= SLACK_MILLIS, closedIdle.toString());
            assertNotNull(exit, "still running 30 s after SIGTERM");
            // the shutdown delay (3 s) and the answer, not the 35 s shutdown timeout
            assertTrue(stoppedMillis < 15_000, "stopped after " + stoppedMillis + " ms");
            String log = stopping.output();
            assertFalse(log.contains(" ERROR "), "an ERROR in the log:\n" + log);
        }
    }

    // --- raw HTTP ----------------------------------------------------------------------------------------------------

    /**
     * Sends the bytes one every 300 ms: never idle long, but never done quickly either.
     *
     * @return whether the server closed the connection before the bytes ran out
     */
    private static boolean trickle(Socket socket, byte[] bytes) throws InterruptedException {
        for (byte b : bytes) {
            try {
                socket.getOutputStream().write(b);
                socket.getOutputStream().flush();
                Thread.sleep(300);
                socket.setSoTimeout(1);
                if (socket.getInputStream().read() == -1) {
                    return true;
                }
            } catch (SocketTimeoutException stillOpen) {
                // nothing to read: the connection is still open
            } catch (IOException reset) {
                return true;
            }
        }
        return false;
    }

    private static Socket connect() throws IOException {
        return connect(service);
    }

    private static Socket connect(PackagedService target) throws IOException {
        Socket socket = new Socket(target.base.getHost(), target.base.getPort());
        socket.setSoTimeout(30_000);
        return socket;
    }

    private static void send(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Reads until the server closes the connection. @param since when to count from; 0 = now */
    private static Answer readUntilClosed(Socket socket, long since) throws IOException {
        long start = since == 0 ? System.nanoTime() : since;
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) != -1; ) {
                read.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server kept the connection open for 30 s; read: " + read, e);
        } catch (IOException reset) {
            // a reset is a close too
        }
        return new Answer(read.toString(StandardCharsets.ISO_8859_1), (System.nanoTime() - start) / 1_000_000);
    }

    private static Answer readQuietly(Socket socket, long since) {
        try {
            return readUntilClosed(socket, since);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Reads a response: status line, headers and the body their Content-Length announces. */
    private static String readResponseHead(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b == -1) {
                break;
            }
            head.append((char) b);
        }
        String text = head.toString();
        int length = text.lines().filter(line -> line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:"))
                .map(line -> Integer.parseInt(line.substring(15).strip())).findFirst().orElse(0);
        return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static void figure(String format, Answer answer) {
        FIGURES.add(String.format(format, answer.closedAfterMillis()));
    }
}
