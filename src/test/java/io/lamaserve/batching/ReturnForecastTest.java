package io.lamaserve.batching;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ReturnForecastTest {

    private static final long MS = 1_000_000L;
    private static final long WINDOW = 45 * MS;

    @Test
    void clientsThatReturnAfterEachAnswerAreExpected() {
        ReturnForecast forecast = new ReturnForecast();
        long now = 0;
        for (int cycle = 0; cycle < 30; cycle++) {
            forecast.completed(3, now, WINDOW);
            for (int i = 0; i < 3; i++) {
                forecast.arrived(now + 5 * MS);
            }
            now += 210 * MS; // two groups of three alternate, 105 ms each
        }
        forecast.completed(3, now, WINDOW);
        assertEquals(3.0, forecast.expectedMore(now + MS));
        forecast.arrived(now + 2 * MS);
        assertEquals(2.0, forecast.expectedMore(now + 3 * MS));
        assertEquals(0.0, forecast.expectedMore(now + WINDOW + 1));
    }

    @Test
    void arrivalsThatComeAnywayAreNotForecast() {
        ReturnForecast forecast = new ReturnForecast();
        long now = 0;
        // open-loop traffic at 40 requests/s: about 1.8 arrivals fall into every 45 ms window after a batch of 2
        for (int cycle = 0; cycle < 200; cycle++) {
            forecast.completed(2, now, WINDOW);
            forecast.arrived(now + 10 * MS);
            forecast.arrived(now + 35 * MS);
            now += 50 * MS;
        }
        forecast.completed(2, now, WINDOW);
        assertEquals(0.0, forecast.expectedMore(now + MS));
    }

    @Test
    void noForecastBeforeAnyCompletion() {
        ReturnForecast forecast = new ReturnForecast();
        forecast.arrived(0);
        assertEquals(0.0, forecast.expectedMore(MS));
        assertEquals(Long.MAX_VALUE, forecast.sinceCompletion(MS));
    }
}
