package io.lamaserve.imaging;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CodecThreadsTest {

    @Test
    void partsFollowTheSizeAndTheIdleCores() {
        int band = BandedZlib.MIN_BAND_BYTES;
        assertEquals(1, CodecThreads.partsFor(band - 1, band, 16, 0));          // too small to split
        assertEquals(6, CodecThreads.partsFor(6L * band + 5, band, 16, 0));     // one band per MIN_BAND_BYTES
        assertEquals(16, CodecThreads.partsFor(1L << 40, band, 16, 0));         // a lone encoding: every core
        assertEquals(8, CodecThreads.partsFor(1L << 40, band, 16, 1));          // two encodings share them
        assertEquals(3, CodecThreads.partsFor(1L << 40, band, 16, 4));
        assertEquals(1, CodecThreads.partsFor(1L << 40, band, 16, 40));         // under load: one band each
        assertEquals(1, CodecThreads.partsFor(1L << 40, band, 1, 0));
    }

    @Test
    void anEncodingCountsAsInProgressUntilItIsDone() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        int before = CodecThreads.inProgress();
        Thread other = Thread.ofPlatform().start(() -> CodecThreads.run(List.<Callable<Integer>>of(() -> {
            started.countDown();
            release.await();
            return 0;
        })));
        try {
            assertTrue(started.await(10, TimeUnit.SECONDS));
            assertTrue(CodecThreads.inProgress() >= 1, "the blocked encoding is in progress");
        } finally {
            release.countDown();
            other.join();
        }
        assertEquals(before, CodecThreads.inProgress());
    }

    @Test
    void partsComeBackInOrderAndAFailureReachesTheCaller() {
        List<Callable<Integer>> parts = new java.util.ArrayList<>();
        for (int i = 0; i < 9; i++) {
            int index = i;
            parts.add(() -> index * index);
        }
        assertEquals(List.of(0, 1, 4, 9, 16, 25, 36, 49, 64), CodecThreads.run(parts));
        IllegalStateException failure = assertThrows(IllegalStateException.class, () -> CodecThreads.run(
                List.<Callable<Integer>>of(() -> 1, () -> { throw new IllegalStateException("part 2"); })));
        assertEquals("part 2", failure.getMessage());
    }
}
