package io.lamaserve.model;

import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Decides when a download is worth a log line and writes it: percent, megabytes, rate and time left.
 * A line is due every 2 seconds or every 5 percent, whichever comes first. Megabytes are 10^6 bytes.
 * The rate counts only the bytes of this run, so a resumed download does not look faster than it is.
 */
final class DownloadProgress {

    private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final double STEP_PERCENT = 5.0;

    private final String name;
    private final long resumedFrom;
    private final long total;
    private final long startNanos;
    private long lastLineNanos;
    private double lastLinePercent;

    /**
     * @param name        what is downloaded, as it should appear in the log
     * @param resumedFrom bytes already on disk before this run
     * @param total       full size in bytes, or a negative value when the server did not say
     * @param startNanos  {@link System#nanoTime()} when this run started
     */
    DownloadProgress(String name, long resumedFrom, long total, long startNanos) {
        this.name = name;
        this.resumedFrom = resumedFrom;
        this.total = total;
        this.startNanos = startNanos;
        this.lastLineNanos = startNanos;
        this.lastLinePercent = percent(resumedFrom);
    }

    /** A log line when one is due after reaching {@code bytes} at {@code nowNanos}; empty otherwise. */
    Optional<String> update(long bytes, long nowNanos) {
        double percent = percent(bytes);
        boolean due = nowNanos - lastLineNanos >= INTERVAL_NANOS
                || (total > 0 && percent - lastLinePercent >= STEP_PERCENT);
        if (!due) {
            return Optional.empty();
        }
        lastLineNanos = nowNanos;
        lastLinePercent = percent;
        return Optional.of(describe(bytes, nowNanos));
    }

    /** The progress line for {@code bytes} on disk at {@code nowNanos}. */
    String describe(long bytes, long nowNanos) {
        double seconds = Math.max(nowNanos - startNanos, 1) / 1e9;
        double bytesPerSecond = (bytes - resumedFrom) / seconds;
        String rate = String.format(Locale.ROOT, "%.1f MB/s", bytesPerSecond / 1e6);
        if (total <= 0) {
            return String.format(Locale.ROOT, "%s: %.1f MB, %s", name, bytes / 1e6, rate);
        }
        String eta = bytesPerSecond > 0 ? duration(Math.round((total - bytes) / bytesPerSecond)) : "unknown";
        return String.format(Locale.ROOT, "%s: %.0f%% (%.1f of %.1f MB), %s, ETA %s",
                name, Math.floor(percent(bytes)), bytes / 1e6, total / 1e6, rate, eta);
    }

    private double percent(long bytes) {
        return total > 0 ? 100.0 * bytes / total : 0;
    }

    static String duration(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60);
    }
}
