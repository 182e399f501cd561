package io.lamaserve.batching;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PixelBudgetTest {

    @Test
    void whatFitsIsAdmittedAtOnceAndReturnedOnClose() {
        PixelBudget budget = new PixelBudget(100);
        try (PixelBudget.Reservation first = budget.reserve(60, Duration.ZERO);
             PixelBudget.Reservation second = budget.reserve(40, Duration.ZERO)) {
            assertEquals(100, budget.inUse());
        }
        assertEquals(0, budget.inUse());
    }

    @Test
    void whatDoesNotFitIsRefusedAfterItsPatienceWithRetryAfter() {
        PixelBudget budget = new PixelBudget(100);
        try (PixelBudget.Reservation held = budget.reserve(70, Duration.ZERO)) {
            long start = System.nanoTime();
            RejectedException refused = assertThrows(RejectedException.class,
                    () -> budget.reserve(40, Duration.ofMillis(200)));
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(RejectedException.Reason.MEMORY_BUSY, refused.reason());
            assertTrue(refused.retryAfterSeconds() >= 1);
            assertTrue(waitedMillis >= 190, "waited " + waitedMillis + " ms");
            assertTrue(refused.getMessage().contains("lama.limits.max-pixels-in-flight"), refused.getMessage());
            assertEquals(70, budget.inUse(), "a refusal reserves nothing");
        }
    }

    @Test
    void aWaitingRequestIsAdmittedWhenAnotherReturnsItsPixels() throws Exception {
        PixelBudget budget = new PixelBudget(100);
        PixelBudget.Reservation held = budget.reserve(70, Duration.ZERO);
        CompletableFuture<PixelBudget.Reservation> waiting = CompletableFuture.supplyAsync(
                () -> budget.reserve(40, Duration.ofSeconds(10)));
        Thread.sleep(100);
        assertFalse(waiting.isDone(), "40 more do not fit beside 70");
        held.close();
        try (PixelBudget.Reservation admitted = waiting.get(5, TimeUnit.SECONDS)) {
            assertEquals(40, budget.inUse());
        }
    }

    @Test
    void closingTwiceReturnsThePixelsOnce() {
        PixelBudget budget = new PixelBudget(100);
        PixelBudget.Reservation other = budget.reserve(30, Duration.ZERO);
        PixelBudget.Reservation reservation = budget.reserve(50, Duration.ZERO);
        reservation.close();
        reservation.close();
        assertEquals(30, budget.inUse());
        other.close();
    }

    @Test
    void aRequestLargerThanTheWholeBudgetIsAProgrammingError() {
        assertThrows(IllegalArgumentException.class, () -> new PixelBudget(100).reserve(101, Duration.ZERO));
    }
}
