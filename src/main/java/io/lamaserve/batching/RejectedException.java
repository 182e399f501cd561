package io.lamaserve.batching;

/**
 * The scheduler refused a request, dropped it, or could not compute it. Thrown synchronously by
 * {@link BatchScheduler#submit} when a request is refused on arrival, or used to complete an
 * {@link InferenceTicket#completion()} exceptionally when the request fails later. {@link #reason()} says what
 * happened (the API layer decides how to answer it); {@link #retryAfterSeconds()} is how long a retry should wait
 * (0 = a retry cannot help).
 */
public class RejectedException extends RuntimeException {

    /** Why a request was not served. */
    public enum Reason {
        /** The tile queue is full (admission control). */
        QUEUE_FULL,
        /** On arrival, the cost model predicts the request cannot finish before its deadline. */
        DEADLINE_UNREACHABLE,
        /** The deadline passed while tiles of the request were still queued; they were never computed. */
        DEADLINE_EXPIRED,
        /** The service is shutting down and admits nothing new. */
        DRAINING,
        /** The startup warm-up and cost-model sweep have not finished (or failed). */
        NOT_READY,
        /** The engine failed on a batch that carried tiles of the request. */
        ENGINE_FAILED,
        /** The request has more tiles than the whole queue may hold, so it can never be admitted. */
        TOO_MANY_TILES,
        /** The decoded pixels of the requests in flight fill the memory budget and none left it in time. */
        MEMORY_BUSY;

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

    /** Seconds a client should wait before retrying; 0 when a retry cannot help. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
