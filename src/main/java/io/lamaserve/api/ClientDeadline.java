package io.lamaserve.api;

import java.time.Duration;

/**
 * Reads the optional {@value #HEADER} request header: the most time, in seconds (decimals allowed), the client
 * will wait. It can only shorten the server's own deadline ({@code lama.batching.timeout}).
 */
public final class ClientDeadline {

    public static final String HEADER = "X-Request-Timeout";

    private ClientDeadline() {
    }

    /** @return the requested timeout, or null when the header is absent */
    public static Duration parse(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        double seconds;
        try {
            seconds = Double.parseDouble(header.strip());
        } catch (NumberFormatException e) {
            throw new BadRequestException(HEADER + ": expected seconds as a number, got \"" + header + "\"");
        }
        if (!(seconds > 0) || seconds > 86_400) {
            throw new BadRequestException(HEADER + ": expected a number of seconds in (0, 86400], got " + header);
        }
        return Duration.ofNanos((long) (seconds * 1e9));
    }
}
