package io.lamaserve.batching;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** Virtual time that moves only when a test or a fake engine advances it. */
public final class FakeTicker implements Ticker {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @Override
    public long read() {
        return nanos.get();
    }

    public void advance(Duration duration) {
        advanceNanos(duration.toNanos());
    }

    public void advanceNanos(long delta) {
        nanos.addAndGet(delta);
    }
}
