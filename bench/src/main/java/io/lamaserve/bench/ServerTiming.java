package io.lamaserve.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a W3C {@code Server-Timing} header ({@code prepare;dur=12.5, inference;dur=40.1, finish;dur=8.0}) into
 * phase → milliseconds. Entries without a numeric {@code dur} are skipped; a malformed header gives what parsed.
 */
public final class ServerTiming {

    private ServerTiming() {
    }

    public static Map<String, Double> parse(String header) {
        Map<String, Double> phases = new LinkedHashMap<>();
        for (String entry : header.split(",")) {
            String[] parts = entry.strip().split(";");
            if (parts[0].isBlank()) {
                continue;
            }
            for (int i = 1; i < parts.length; i++) {
                String parameter = parts[i].strip();
                if (parameter.toLowerCase(Locale.ROOT).startsWith("dur=")) {
                    try {
                        phases.put(parts[0].strip(), Double.parseDouble(parameter.substring(4).replace("\"", "")));
                    } catch (NumberFormatException ignored) {
                        // not a duration: leave this phase out
                    }
                }
            }
        }
        return phases;
    }
}
