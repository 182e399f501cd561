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
        // open loop: a request every 25 ms regardless of completions; a batch of 2 completes every 200 ms,
        // so each 45 ms window sees about two arrivals, but so does any other 45 ms
        long nextArrival = 10 * MS;
        for (long completion = 0; completion < 10_000 * MS; completion += 200 * MS) {
            forecast.completed(2, completion, WINDOW);
            while (nextArrival < completion + 200 * MS) {
                forecast.arrived(nextArrival);
                nextArrival += 25 * MS;
            }
        }
        long now = 10_000 * MS;
        forecast.completed(2, now, WINDOW);
        assertEquals(0.0, forecast.expectedMore(now + MS));
    }

    @Test
    void twoClientsInTurnAreExpectedBackAfterEachAnswer() {
        ReturnForecast forecast = new ReturnForecast();
        long now = 0;
        // each answer is followed by that client's next request 5 ms later
        for (int cycle = 0; cycle < 40; cycle++) {
            forecast.completed(1, now, WINDOW);
            forecast.arrived(now + 5 * MS);
            now += 65 * MS;
        }
        forecast.completed(1, now, WINDOW);
        assertEquals(1.0, forecast.expectedMore(now + MS));
        forecast.arrived(now + 5 * MS);
        assertEquals(0.0, forecast.expectedMore(now + 6 * MS), "its own request arrived: nothing more to wait for");
    }

    @Test
    void noForecastBeforeAnyCompletion() {
        ReturnForecast forecast = new ReturnForecast();
        forecast.arrived(0);
        assertEquals(0.0, forecast.expectedMore(MS));
        assertEquals(Long.MAX_VALUE, forecast.sinceCompletion(MS));
    }
}
