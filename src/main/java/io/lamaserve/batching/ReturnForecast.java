package io.lamaserve.batching;

import java.util.ArrayDeque;

/**
 * Predicts how many new requests will arrive shortly after a batch completes. Clients that send their next request
 * when the previous one is answered (closed loops: edge services, batch jobs) come back within their turnaround; a
 * scheduler that ignores this lets them drift into separate smaller batches for good.
 *
 * <p>After each completion that finished {@code m} requests, a window of length {@code w = a(1)} (the curve's fixed
 * cost per batch) counts new arrivals. When the window closes, the share {@code min(1, arrivals / m)} enters a moving
 * average {@code r}. Arrivals that would have come anyway are discounted: with λ the rate of arrivals outside such
 * windows over the last second, the window is driven by returns only when {@code r·m − λ·w ≥ 0.9} (about one request). Open-loop (e.g.
 * Poisson) traffic arrives at the same rate inside and outside windows and gets no forecast. During a return-driven
 * window the forecast is {@code round(r·m) − arrivals so far}. Not thread-safe.
 */
final class ReturnForecast {

    private static final double SMOOTHING = 0.2;
    /**
     * Excess arrivals that count as "one more request expected": just under one, because the moving average of a
     * share that is always 1 approaches 1 without reaching it.
     */
    private static final double ONE_REQUEST = 0.9;
    private static final long RATE_WINDOW_NANOS = 1_000_000_000L;
    /** Below this much time outside windows, λ falls back to the rate of all arrivals. */
    private static final long MIN_UNCOVERED_NANOS = 100_000_000L;

    private double returnShare;
    private long lastCompletion = Long.MIN_VALUE;
    private long windowStart = Long.MIN_VALUE;
    private long windowEnd = Long.MIN_VALUE;
    private int completedRequests;
    private int arrivals;
    /** Arrivals of the last second: time and whether it fell outside every window. */
    private final ArrayDeque<long[]> recentArrivals = new ArrayDeque<>();
    /** Windows (start, end) that overlap the last second. */
    private final ArrayDeque<long[]> recentWindows = new ArrayDeque<>();

    void completed(int requests, long now, long window) {
        closeWindow();
        lastCompletion = now;
        if (requests > 0 && window > 0) {
            windowStart = now;
            windowEnd = now + window;
            completedRequests = requests;
            arrivals = 0;
            recentWindows.addLast(new long[] {windowStart, windowEnd});
        }
    }

    void arrived(long now) {
        boolean inWindow = now >= windowStart && now <= windowEnd;
        if (inWindow && completedRequests > 0) {
            arrivals++;
        }
        recentArrivals.addLast(new long[] {now, inWindow ? 0 : 1});
        evict(now);
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
        if (returning - backgroundPerSecond(now) * (windowEnd - windowStart) / 1e9 < ONE_REQUEST) {
            return 0;
        }
        return Math.round(returning) - arrivals;
    }

    /** Time since the last batch completed; {@link Long#MAX_VALUE} before the first. */
    long sinceCompletion(long now) {
        return lastCompletion == Long.MIN_VALUE ? Long.MAX_VALUE : now - lastCompletion;
    }

    private double backgroundPerSecond(long now) {
        evict(now);
        long from = now - RATE_WINDOW_NANOS;
        long covered = 0;
        long coveredUntil = from;
        for (long[] window : recentWindows) {
            long start = Math.max(window[0], coveredUntil);
            long end = Math.min(window[1], now);
            if (end > start) {
                covered += end - start;
                coveredUntil = end;
            }
        }
        long uncovered = RATE_WINDOW_NANOS - covered;
        if (uncovered < MIN_UNCOVERED_NANOS) {
            return recentArrivals.size() * 1e9 / RATE_WINDOW_NANOS;
        }
        long outside = recentArrivals.stream().filter(arrival -> arrival[1] == 1).count();
        return outside * 1e9 / uncovered;
    }

    private void evict(long now) {
        long from = now - RATE_WINDOW_NANOS;
        while (!recentArrivals.isEmpty() && recentArrivals.peekFirst()[0] <= from) {
            recentArrivals.removeFirst();
        }
        while (!recentWindows.isEmpty() && recentWindows.peekFirst()[1] <= from) {
            recentWindows.removeFirst();
        }
    }

    private void closeWindow() {
        if (completedRequests > 0) {
            returnShare += SMOOTHING * (Math.min(1.0, (double) arrivals / completedRequests) - returnShare);
            completedRequests = 0;
        }
    }
}
