package io.lamaserve.api;

import jakarta.ws.rs.core.Response;

import java.util.Locale;

/** The 200 answer of both inpaint endpoints: the image's bytes and media type, and where the time went. */
final class ImageAnswer {

    private ImageAnswer() {
    }

    /**
     * @param receivedNanos time from the request's arrival until its body was read and parsed; negative when
     *                      unknown, and then left out of {@code Server-Timing}
     */
    static Response.ResponseBuilder of(InpaintService.Result result, long receivedNanos) {
        return Response.ok(result.image().bytes(), result.image().mediaType())
                .header("Server-Timing", serverTiming(result, receivedNanos));
    }

    /** The W3C {@code Server-Timing} header value, durations in milliseconds. */
    static String serverTiming(InpaintService.Result result, long receivedNanos) {
        String phases = String.format(Locale.ROOT, "prepare;dur=%.1f, inference;dur=%.1f, finish;dur=%.1f",
                result.prepareNanos() / 1e6, result.inferenceNanos() / 1e6, result.finishNanos() / 1e6);
        return receivedNanos < 0 ? phases
                : String.format(Locale.ROOT, "receive;dur=%.1f, ", receivedNanos / 1e6) + phases;
    }
}
