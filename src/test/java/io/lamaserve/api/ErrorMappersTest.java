package io.lamaserve.api;

import io.lamaserve.batching.RejectedException;
import io.lamaserve.batching.RejectedException.Reason;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** What the batcher says about a refused request, as HTTP: the status per reason and when Retry-After is sent. */
class ErrorMappersTest {

    private final ErrorMappers mappers = new ErrorMappers();

    @Test
    void everyReasonHasItsStatus() {
        Map<Reason, Integer> expected = new EnumMap<>(Reason.class);
        expected.put(Reason.QUEUE_FULL, 429);
        expected.put(Reason.TOO_MANY_TILES, 413);
        expected.put(Reason.DEADLINE_UNREACHABLE, 503);
        expected.put(Reason.DEADLINE_EXPIRED, 503);
        expected.put(Reason.DRAINING, 503);
        expected.put(Reason.NOT_READY, 503);
        expected.put(Reason.ENGINE_FAILED, 503);
        expected.put(Reason.MEMORY_BUSY, 503);
        assertEquals(Reason.values().length, expected.size(), "a reason without an expected status");
        for (Reason reason : Reason.values()) {
            try (Response response = mappers.rejected(new RejectedException(reason, 3, "why"))) {
                assertEquals(expected.get(reason), response.getStatus(), reason.name());
                assertEquals("3", response.getHeaderString("Retry-After"), reason.name());
                assertEquals("why", ((ApiError) response.getEntity()).detail());
            }
        }
    }

    @Test
    void aRefusalNoRetryCanHelpCarriesNoRetryAfter() {
        try (Response response = mappers.rejected(new RejectedException(Reason.TOO_MANY_TILES, 0, "too many"))) {
            assertEquals(413, response.getStatus());
            assertNull(response.getHeaderString("Retry-After"));
        }
    }
}
