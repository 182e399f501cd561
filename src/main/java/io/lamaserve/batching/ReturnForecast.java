package io.lamaserve.batching;

/**
 * Predicts how many new requests will arrive shortly after a batch completes. Clients that send their next request
 * when the previous one is answered (closed loops: edge services, batch jobs) come back within their turnaround; a
 * scheduler that ignores this lets them drift into separate half-size batches for good.
 *
 * <p>After each completion that finished {@code m} requests, a window of length {@code w = a(1)} (the curve's fixed
 * cost per batch) counts new arrivals. When the window closes, the share {@code min(1, arrivals / m)} enters a moving
 * average {@code r}. Arrivals that would have come anyway are discounted: with λ the request rate of the last second,
 * the window is driven by returns only when {@code r·m − λ·w ≥ 1}. Open-loop (e.g. Poisson) traffic has
 * {@code r·m ≈ λ·w} and gets no forecast. During a return-driven window the forecast is
 * {@code round(r·m) − arrivals so far}. Not thread-safe.
 */
final class ReturnForecast {

    private static final double SMOOTHING = 0.2;
    private static final long RATE_WINDOW_NANOS = 1_000_000_000L;

    /** Arrival times of the last second, for the background rate λ. */
    private final java.util.ArrayDeque<Long> recentArrivals = new java.util.ArrayDeque<>();
    private double returnShare;
    private long lastCompletion = Long.MIN_VALUE;
    private long windowEnd = Long.MIN_VALUE;
    private int completedRequests;
    private int arrivals;

    void completed(int requests, long now, long window) {
        closeWindow();
        lastCompletion = now;
        if (requests > 0 && window > 0) {
            windowEnd = now + window;
            completedRequests = requests;
            arrivals = 0;
        }
    }

    void arrived(long now) {
        recentArrivals.addLast(now);
        evictOlderThanWindow(now);
        if (completedRequests > 0 && now <= windowEnd) {
            arrivals++;
        }
    }

    /** Requests still expected in the current window; 0 outside one. */
    double expectedMore(long now) {
        if (completedRequests == 0) {
            return 0;
        }
        if (now > windowEnd) {
            closeWindow();
            return 0;
        }
        double returning = returnShare * completedRequests;
        evictOlderThanWindow(now);
        double background = recentArrivals.size() * 1e9 / RATE_WINDOW_NANOS * (windowEnd - lastCompletion) / 1e9;
        if (returning - background < 1) {
            return 0;
        }
        return Math.round(returning) - arrivals;
    }

    private void evictOlderThanWindow(long now) {
        while (!recentArrivals.isEmpty() && recentArrivals.peekFirst() <= now - RATE_WINDOW_NANOS) {
            recentArrivals.removeFirst();
        }
    }

    /** Time since the last batch completed; {@link Long#MAX_VALUE} before the first. */
    long sinceCompletion(long now) {
        return lastCompletion == Long.MIN_VALUE ? Long.MAX_VALUE : now - lastCompletion;
    }

    double returnShare() {
        return returnShare;
    }

    private void closeWindow() {
        if (completedRequests > 0) {
            returnShare += SMOOTHING * (Math.min(1.0, (double) arrivals / completedRequests) - returnShare);
            completedRequests = 0;
        }
    }
}
