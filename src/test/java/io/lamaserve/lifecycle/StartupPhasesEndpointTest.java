package io.lamaserve.lifecycle;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The phases Quarkus signals (configuration loaded, HTTP listening) are marked in the running application and every
 * phase is exported on /q/metrics.
 */
@QuarkusTest
class StartupPhasesEndpointTest {

    private static final Pattern GAUGE = Pattern.compile("^lama_startup_phase_seconds\\{phase=\"([a-z_]+)\"} (\\S+)$",
            Pattern.MULTILINE);

    @Test
    void everyPhaseIsExportedAndTheQuarkusPhasesAreReachedInOrder() throws InterruptedException {
        Map<String, String> gauges = scrape();
        // HTTP listening arrives as an asynchronous event; give it a moment after the test's first request
        for (int attempt = 0; attempt < 50 && "NaN".equals(gauges.get("http_listening")); attempt++) {
            Thread.sleep(100);
            gauges = scrape();
        }

        assertEquals(StartupPhase.values().length, gauges.size(), "one gauge per phase: " + gauges);
        double config = seconds(gauges, "config_loaded");
        double http = seconds(gauges, "http_listening");
        assertTrue(config > 0 && config < 120, "config_loaded after JVM start: " + config);
        assertTrue(http >= config, "HTTP opens after configuration: " + gauges);
    }

    private static Map<String, String> scrape() {
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        return GAUGE.matcher(metrics).results().collect(Collectors.toMap(m -> m.group(1), m -> m.group(2)));
    }

    private static double seconds(Map<String, String> gauges, String phase) {
        String value = gauges.get(phase);
        assertFalse(value == null || value.equals("NaN"), phase + " not reached: " + gauges);
        return Double.parseDouble(value);
    }
}
