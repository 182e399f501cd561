package io.lamaserve.bench;

import java.time.Duration;
import java.util.Locale;

/** Parses durations written as {@code 500ms}, {@code 20s}, {@code 1.5s}, {@code 2m}; a bare number is seconds. */
public final class DurationParser {

    private DurationParser() {
    }

    /** The duration {@code text} denotes. */
    public static Duration parse(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        double nanosPerUnit;
        String number;
        if (value.endsWith("ms")) {
            nanosPerUnit = 1e6;
            number = value.substring(0, value.length() - 2);
        } else if (value.endsWith("s")) {
            nanosPerUnit = 1e9;
            number = value.substring(0, value.length() - 1);
        } else if (value.endsWith("m")) {
            nanosPerUnit = 60e9;
            number = value.substring(0, value.length() - 1);
        } else {
            nanosPerUnit = 1e9;
            number = value;
        }
        try {
            double amount = Double.parseDouble(number);
            if (amount < 0 || Double.isNaN(amount) || Double.isInfinite(amount)) {
                throw new IllegalArgumentException("duration must be a non-negative number: '" + text + "'");
            }
            return Duration.ofNanos(Math.round(amount * nanosPerUnit));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a duration (try 500ms, 20s, 2m): '" + text + "'", e);
        }
    }
}
