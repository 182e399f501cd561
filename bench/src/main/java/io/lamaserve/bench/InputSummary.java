package io.lamaserve.bench;

/**
 * What one input pair looked like on the wire, recorded with the results.
 *
 * @param name         input name
 * @param width        image width
 * @param height       image height
 * @param imageBytes   encoded image size
 * @param maskBytes    encoded mask size
 * @param requestBytes full request body size
 */
public record InputSummary(String name, int width, int height, long imageBytes, long maskBytes, long requestBytes) {

    /** Summary of {@code input} as sent in {@code request}. */
    public static InputSummary of(InputPair input, PreparedRequest request) {
        return new InputSummary(input.name(), input.width(), input.height(), input.image().length,
                input.mask().length, request.body().length);
    }
}
