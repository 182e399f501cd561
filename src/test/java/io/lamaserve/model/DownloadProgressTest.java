package io.lamaserve.model;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DownloadProgressTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void reportsEveryFivePercentOrTwoSeconds() {
        DownloadProgress progress = new DownloadProgress("lama.onnx", 0, 200_000_000, 0);

        assertEquals(Optional.empty(), progress.update(1_000_000, SECOND));
        // 5 % reached: 10 MB in 2 s = 5 MB/s, 190 MB left = 38 s
        assertEquals(Optional.of("lama.onnx: 5% (10.0 of 200.0 MB), 5.0 MB/s, ETA 38s"),
                progress.update(10_000_000, 2 * SECOND));
        assertEquals(Optional.empty(), progress.update(11_000_000, 3 * SECOND));
        // 2 s since the last line: 12 MB in 4 s = 3 MB/s, 188 MB left = 62.7 s
        assertEquals(Optional.of("lama.onnx: 6% (12.0 of 200.0 MB), 3.0 MB/s, ETA 1m03s"),
                progress.update(12_000_000, 4 * SECOND));
    }

    @Test
    void resumedBytesDoNotInflateTheRate() {
        DownloadProgress progress = new DownloadProgress("lama.onnx", 100_000_000, 200_000_000, 0);

        // 50 MB in this run over 10 s = 5 MB/s; 50 MB left = 10 s
        assertEquals("lama.onnx: 75% (150.0 of 200.0 MB), 5.0 MB/s, ETA 10s",
                progress.describe(150_000_000, 10 * SECOND));
    }

    @Test
    void unknownSizeShowsBytesAndRateOnly() {
        DownloadProgress progress = new DownloadProgress("lama.onnx", 0, -1, 0);

        assertEquals(Optional.empty(), progress.update(1_000_000, SECOND));
        assertEquals(Optional.of("lama.onnx: 3.0 MB, 1.5 MB/s"), progress.update(3_000_000, 2 * SECOND));
    }

    @Test
    void longDurationsReadAsHoursAndMinutes() {
        assertEquals("59s", DownloadProgress.duration(59));
        assertEquals("1m00s", DownloadProgress.duration(60));
        assertEquals("1h02m", DownloadProgress.duration(3725));
    }
}
