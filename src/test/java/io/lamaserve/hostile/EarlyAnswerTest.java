package io.lamaserve.hostile;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A request refused before its body is read (413 from Content-Length) ends its connection: the answer says
 * {@code Connection: close}, so a client that keeps connections alive, here the JDK's, opens a new one for its next
 * request instead of sending it where the server still expects the rest of the refused body. Kept alive, about
 * every other next request on such a connection failed with "header parser received no bytes".
 */
@QuarkusTest
class EarlyAnswerTest {

    static final int ROUNDS = 12;

    @TestHTTPResource("/")
    URL base;

    @Test
    void theRequestAfterARefusedBodyIsAnswered() throws Exception {
        ServiceReady.await(base.toURI(), Duration.ofMinutes(3));
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        byte[] oversized = new byte[HostileCases.OVER_LIMIT];
        for (int round = 0; round < ROUNDS; round++) {
            HttpResponse<String> refused = client.send(post("/v1/inpaint", "multipart/form-data; boundary=b",
                    oversized), HttpResponse.BodyHandlers.ofString());
            assertEquals(413, refused.statusCode(), refused.body());
            assertEquals("close", refused.headers().firstValue("Connection").orElse(""), "round " + round);

            // the next request, on whatever connection the client picks, gets its own answer
            HttpResponse<String> next = client.send(post("/api/v1/inpaint", "application/json", "{}".getBytes()),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(400, next.statusCode(), "round " + round + ": " + next.body());
        }
    }

    private HttpRequest post(String path, String contentType, byte[] body) throws Exception {
        URI uri = base.toURI().resolve(path);
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }
}
