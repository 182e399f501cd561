package io.lamaserve.api;

import java.time.Duration;
import java.time.Instant;

import static io.restassured.RestAssured.given;

/** The service answers 503 until its warm-up sweep is done; tests that need inference wait for readiness first. */
final class Readiness {

    private Readiness() {
    }

    static void await() {
        Instant giveUp = Instant.now().plus(Duration.ofMinutes(3));
        while (given().when().get("/q/health/ready").statusCode() != 200) {
            if (Instant.now().isAfter(giveUp)) {
                throw new AssertionError("the service did not become ready within 3 minutes");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
