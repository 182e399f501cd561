package io.lamaserve.bench;

/**
 * Per-request options that go into every request body.
 *
 * @param hdStrategy   IOPaint high-resolution strategy: {@code Crop}, {@code Resize} or {@code Original}
 * @param outputFormat lama-serve output format ({@code png} or {@code jpeg}); null = server default.
 *                     IOPaint has no such field (it answers in the input's format), so it is not sent there.
 */
public record RequestSettings(String hdStrategy, String outputFormat) {

    /** IOPaint's defaults, as its web UI sends them. */
    public static final RequestSettings DEFAULTS = new RequestSettings("Crop", null);
}
