package io.lamaserve.hostile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With {@code lama.auth.enabled}, every endpoint but health and metrics wants one of the configured keys. */
@QuarkusTest
@TestProfile(ApiKeyAuthTest.WithKeys.class)
class ApiKeyAuthTest {

    static final String KEY_ONE = "k1-3f9d2c7a51e04b8e";
    static final String KEY_TWO = "k2-a07c9e13d4b25f66";

    public static class WithKeys implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lama.auth.enabled", "true", "lama.auth.api-keys", KEY_ONE + "," + KEY_TWO);
        }
    }

    @TestHTTPResource("/")
    URL base;

    private final HttpClient client = HttpClient.newHttpClient();
    private final byte[] body = HostileCases.multipartBody(Map.of(
            "image", HostileFiles.encode(HostileFiles.photo(64, 48, 1), "png"),
            "mask", HostileFiles.encode(HostileFiles.mask(64, 48, 10, 10, 20, 12), "png")));

    @BeforeEach
    void ready() throws Exception {
        ServiceReady.await(base.toURI(), Duration.ofMinutes(3));
    }

    @Test
    void noKeyIs401WithAChallengeAndAJsonError() throws Exception {
        HttpResponse<String> response = inpaint(Map.of());
        assertEquals(401, response.statusCode());
        assertEquals("Bearer realm=\"lama-serve\"", response.headers().firstValue("WWW-Authenticate").orElse(null));
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode error = new ObjectMapper().readTree(response.body());
        assertEquals("Unauthorized", error.path("error").asText());
        assertTrue(error.path("detail").asText().contains("API key"), response.body());
    }

    @Test
    void wrongKeysAre401() throws Exception {
        assertEquals(401, inpaint(Map.of("Authorization", "Bearer " + KEY_ONE + "x")).statusCode());
        assertEquals(401, inpaint(Map.of("X-API-Key", KEY_TWO.substring(1))).statusCode());
        assertEquals(401, inpaint(Map.of("Authorization", "Basic " + KEY_ONE)).statusCode(), "only the Bearer scheme");
        assertEquals(401, inpaint(Map.of("Authorization", "Bearer ")).statusCode());
    }

    @Test
    void eitherHeaderWithEitherKeyIsServed() throws Exception {
        assertEquals(200, inpaint(Map.of("Authorization", "Bearer " + KEY_ONE)).statusCode());
        assertEquals(200, inpaint(Map.of("Authorization", "bearer " + KEY_TWO)).statusCode(), "scheme is case-insensitive");
        assertEquals(200, inpaint(Map.of("X-API-Key", KEY_TWO)).statusCode());
        assertEquals(200, inpaint(Map.of("Authorization", "Bearer wrong", "X-API-Key", KEY_ONE)).statusCode());
    }

    @Test
    void everyApiPathIsProtected() throws Exception {
        for (String path : new String[]{"/api/v1/server-config", "/api/v1/model", "/q/openapi", "/nothing-here"}) {
            assertEquals(401, get(path, Map.of()).statusCode(), path);
        }
        assertEquals(200, get("/api/v1/server-config", Map.of("X-API-Key", KEY_ONE)).statusCode());
    }

    @Test
    void healthAndMetricsStayOpen() throws Exception {
        for (String path : new String[]{"/q/health", "/q/health/ready", "/q/health/live", "/q/health/started", "/q/metrics"}) {
            HttpResponse<String> response = get(path, Map.of());
            assertNotEquals(401, response.statusCode(), path);
            assertEquals(200, response.statusCode(), path);
        }
    }

    private HttpResponse<String> inpaint(Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/v1/inpaint"))
                .header("Content-Type", "multipart/form-data; boundary=" + HostileCases.BOUNDARY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
        headers.forEach(request::header);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) throws Exception {
        return base.toURI().resolve(path);
    }
}
