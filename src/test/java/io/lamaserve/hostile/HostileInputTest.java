package io.lamaserve.hostile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sends every request of {@link HostileCases} to the running service and checks the answer: the expected status,
 * a JSON error whose {@code detail} names the problem (or an image with the unmasked pixels intact), and an answer
 * within {@value #ANSWER_BOUND_SECONDS} s. Writes the table of outcomes to {@code target/hostile/input-cases.md}.
 */
@QuarkusTest
class HostileInputTest {

    static final int ANSWER_BOUND_SECONDS = 10;
    /** Heap (after GC) may grow by at most this much over repeated runs of the whole table. */
    static final long HEAP_GROWTH_BOUND = 48L << 20;

    /** An error message names the problem in a sentence; anything longer is quoting the request. */
    static final int MAX_DETAIL = 400;
    /** Java packages and classes, parser token names and switches: what a client cannot act on. */
    static final Pattern INTERNALS = Pattern.compile("io\\.lamaserve|java\\.|jakarta\\.|com\\.fasterxml|JsonToken|Feature|`|Exception");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> OUTCOMES = new ConcurrentSkipListMap<>();

    @TestHTTPResource("/")
    URL base;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static List<HostileCase> cases() {
        return HostileCases.all(true);
    }

    @BeforeEach
    void ready() throws Exception {
        ServiceReady.await(base.toURI(), Duration.ofMinutes(3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void answersAsDocumented(HostileCase hostile) throws Exception {
        long started = System.nanoTime();
        HttpResponse<byte[]> response = send(hostile);
        double seconds = (System.nanoTime() - started) / 1e9;
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        String detail = response.statusCode() == 200 ? contentType : detail(response);
        OUTCOMES.put(String.format("%s|%02d", hostile.endpoint().path, OUTCOMES.size()), "| " + hostile.endpoint().path
                + " | " + hostile.name() + " | " + response.statusCode() + " | " + detail.replace("|", "\\|")
                + " | " + hostile.expected().why() + " |");

        HostileCase.Expected expected = hostile.expected();
        assertEquals(expected.status(), response.statusCode(), () -> "status; answer: " + detail);
        assertTrue(seconds < ANSWER_BOUND_SECONDS, "answered in " + seconds + " s");
        if (expected.status() == 200) {
            assertTrue(contentType.startsWith(expected.mentions()), "Content-Type " + contentType);
            expected.check().verify(response);
        } else {
            assertTrue(contentType.startsWith("application/json"), "Content-Type " + contentType);
            assertTrue(detail.contains(expected.mentions()),
                    () -> "detail should mention \"" + expected.mentions() + "\" but is: " + detail);
            assertTrue(detail.length() <= MAX_DETAIL, "a detail of " + detail.length() + " characters quotes the input");
            assertFalse(INTERNALS.matcher(detail).find(), () -> "detail names the server's internals: " + detail);
        }
    }

    /**
     * Runs the table (without the oversized bodies) five times after a warm-up round; the heap in use after a
     * full GC must not grow by more than {@link #HEAP_GROWTH_BOUND}: no buffer, decoder or ticket is retained.
     */
    @Test
    void repeatedHostileRequestsDoNotGrowTheHeap() throws Exception {
        List<HostileCase> cases = HostileCases.all(false);
        runAll(cases);
        long before = heapAfterGc();
        for (int round = 0; round < 5; round++) {
            runAll(cases);
        }
        long after = heapAfterGc();
        String figure = String.format("heap after GC: %.1f MiB before, %.1f MiB after 5 more rounds of %d requests",
                before / 1048576.0, after / 1048576.0, cases.size());
        Files.createDirectories(Path.of("target/hostile"));
        Files.writeString(Path.of("target/hostile/input-heap.txt"), figure + "\n");
        assertTrue(after - before < HEAP_GROWTH_BOUND, figure);
    }

    /** Nothing the service logs while answering the table quotes the image or mask data of a request. */
    @Test
    void noImageDataReachesTheLog() throws Exception {
        List<HostileCase> cases = HostileCases.all(false);
        List<String> logged = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                StringBuilder text = new StringBuilder(String.valueOf(record.getMessage()));
                if (record.getParameters() != null) {
                    for (Object parameter : record.getParameters()) {
                        text.append(' ').append(parameter);
                    }
                }
                for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
                    text.append(' ').append(t);
                }
                logged.add(text.toString());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        capture.setLevel(Level.ALL);
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        try {
            runAll(cases);
            org.jboss.logging.Logger.getLogger(HostileInputTest.class).info("log capture works");
        } finally {
            root.removeHandler(capture);
        }
        assertTrue(logged.contains("log capture works"), "the handler saw the service's log: " + logged);
        List<String> fragments = HostileCases.payloadFragments();
        for (String line : logged) {
            for (String fragment : fragments) {
                assertFalse(line.contains(fragment), "the log quotes request data: " + line);
            }
        }
    }

    @AfterAll
    static void writeTable() throws IOException {
        if (OUTCOMES.isEmpty()) {
            return;
        }
        StringBuilder table = new StringBuilder("| endpoint | case | status | detail (or Content-Type) | why |\n"
                + "| --- | --- | --- | --- | --- |\n");
        OUTCOMES.values().forEach(row -> table.append(row).append('\n'));
        Files.createDirectories(Path.of("target/hostile"));
        Files.writeString(Path.of("target/hostile/input-cases.md"), table);
    }

    private void runAll(List<HostileCase> cases) throws Exception {
        for (HostileCase hostile : cases) {
            int status = send(hostile).statusCode();
            assertEquals(hostile.expected().status(), status, hostile.toString());
        }
    }

    private HttpResponse<byte[]> send(HostileCase hostile) throws Exception {
        URI uri = base.toURI().resolve(hostile.endpoint().path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(ANSWER_BOUND_SECONDS))
                .POST(hostile.headers().containsKey(HostileCases.CHUNKED)
                        ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(hostile.body()))
                        : HttpRequest.BodyPublishers.ofByteArray(hostile.body()));
        hostile.headers().forEach((name, value) -> {
            if (!name.equals(HostileCases.CHUNKED)) {
                request.header(name, value);
            }
        });
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String detail(HttpResponse<byte[]> response) {
        String body = new String(response.body(), StandardCharsets.UTF_8);
        try {
            JsonNode node = JSON.readTree(body);
            return node.path("detail").asText(body);
        } catch (IOException e) {
            return "(not JSON) " + body;
        }
    }

    private static long heapAfterGc() throws InterruptedException {
        var memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
