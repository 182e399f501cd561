package io.lamaserve.hostile;

import io.lamaserve.engine.FakeEngine;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An engine failure costs the requests of that batch a 503 with Retry-After, and nothing more. */
@QuarkusTest
@TestProfile(ScriptedEngineProfile.class)
class FaultInjectionTest {

    @TestHTTPResource("/")
    URL base;

    private final FakeEngine engine = ScriptedEngineProfile.ENGINE;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void ready() throws Exception {
        ServiceReady.await(base.toURI(), Duration.ofMinutes(3));
    }

    @AfterEach
    void noMoreFaults() {
        engine.failNextBatches(0);
    }

    @Test
    void failedBatchGets503ThenServiceCarriesOn() throws Exception {
        int failedBefore = engine.failedTiles();
        engine.failNextBatches(1);
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            sent.add(client.sendAsync(inpaintRequest(i), HttpResponse.BodyHandlers.ofString()));
        }
        int unavailable = 0;
        for (CompletableFuture<HttpResponse<String>> future : sent) {
            HttpResponse<String> response = future.get();
            if (response.statusCode() == 503) {
                unavailable++;
                assertTrue(response.headers().firstValue("Retry-After").isPresent(), "503 without Retry-After");
                assertTrue(response.body().contains("inference failed"), response.body());
            } else {
                assertEquals(200, response.statusCode(), response.body());
            }
        }
        int failedTiles = engine.failedTiles() - failedBefore;
        assertTrue(failedTiles >= 1, "the fault was injected");
        assertEquals(failedTiles, unavailable, "exactly the requests of the failed batch (one tile each) get 503");

        HttpResponse<String> health = client.send(HttpRequest.newBuilder(base.toURI().resolve("/q/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode(), "still ready after the fault: " + health.body());
        for (int i = 0; i < 3; i++) {
            assertEquals(200, client.send(inpaintRequest(10 + i), HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }

    @Test
    void repeatedFaultsNeverLeaveARequestUnanswered() throws Exception {
        engine.failNextBatches(5);
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            sent.add(client.sendAsync(inpaintRequest(20 + i), HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> future : sent) {
            int status = future.get(Duration.ofSeconds(20).toSeconds(), java.util.concurrent.TimeUnit.SECONDS).statusCode();
            assertTrue(status == 200 || status == 503 || status == 429, "status " + status);
        }
        engine.failNextBatches(0);
        assertEquals(200, client.send(inpaintRequest(40), HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    private HttpRequest inpaintRequest(long seed) throws Exception {
        byte[] body = HostileCases.multipartBody(Map.of(
                "image", HostileFiles.encode(HostileFiles.photo(64, 48, seed), "png"),
                "mask", HostileFiles.encode(HostileFiles.mask(64, 48, 10, 10, 20, 12), "png")));
        URI uri = base.toURI().resolve("/v1/inpaint");
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "multipart/form-data; boundary=" + HostileCases.BOUNDARY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }
}
