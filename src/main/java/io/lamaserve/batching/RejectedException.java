package io.lamaserve.batching;

/**
 * The scheduler refused a request, dropped it, or could not compute it. Thrown synchronously by
 * {@link BatchScheduler#submit} when a request is refused on arrival, or used to complete an
 * {@link InferenceTicket#completion()} exceptionally when the request fails later. {@link #status()} is the HTTP
 * status the API answers with; {@link #retryAfterSeconds()} is the Retry-After header value (0 = send none).
 */
public class RejectedException extends RuntimeException {

    /** Why a request was not served, with the HTTP status that says so. */
    public enum Reason {
        /** The tile queue is full (admission control). */
        QUEUE_FULL(429),
        /** On arrival, the cost model predicts the request cannot finish before its deadline. */
        DEADLINE_UNREACHABLE(503),
        /** The deadline passed while tiles of the request were still queued; they were never computed. */
        DEADLINE_EXPIRED(503),
        /** The service is shutting down and admits nothing new. */
        DRAINING(503),
        /** The startup warm-up and cost-model sweep have not finished (or failed). */
        NOT_READY(503),
        /** The engine failed on a batch that carried tiles of the request. */
        ENGINE_FAILED(503),
        /** The request has more tiles than the whole queue may hold, so it can never be admitted. */
        TOO_MANY_TILES(413);

        private final int status;

        Reason(int status) {
            this.status = status;
        }

        public int status() {
            return status;
        }

        /** Label used in the {@code reason} tag of the rejection counter. */
        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Reason reason;
    private final long retryAfterSeconds;

    public RejectedException(Reason reason, long retryAfterSeconds, String message) {
        this(reason, retryAfterSeconds, message, null);
    }

    public RejectedException(Reason reason, long retryAfterSeconds, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.retryAfterSeconds = Math.max(0, retryAfterSeconds);
    }

    public Reason reason() {
        return reason;
    }

    /** HTTP status: 429 for a full queue, 413 for a request larger than the queue, otherwise 503. */
    public int status() {
        return reason.status();
    }

    /** Seconds a client should wait before retrying; 0 when a retry cannot help. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
