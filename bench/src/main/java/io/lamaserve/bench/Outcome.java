package io.lamaserve.bench;

/**
 * What came back for one request.
 *
 * @param success   true for a 2xx answer with a non-empty body
 * @param statusKey the HTTP status as text ({@code "200"}, {@code "429"}), or a transport failure:
 *                  {@code "timeout"}, {@code "connect"}, {@code "io"}
 * @param detail    start of the error body or the exception message; empty on success
 * @param serverTiming the phases of the answer's {@code Server-Timing} header, name to milliseconds, in order
 */
public record Outcome(boolean success, String statusKey, String detail, java.util.Map<String, Double> serverTiming) {

    /** A successful answer. */
    public static Outcome ok(int status) {
        return ok(status, java.util.Map.of());
    }

    /** A successful answer with the server's own timing of it. */
    public static Outcome ok(int status, java.util.Map<String, Double> serverTiming) {
        return new Outcome(true, Integer.toString(status), "", serverTiming);
    }

    /** A failed answer or transport error. */
    public static Outcome error(String statusKey, String detail) {
        return new Outcome(false, statusKey, detail == null ? "" : detail, java.util.Map.of());
    }
}
