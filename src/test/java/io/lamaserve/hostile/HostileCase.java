package io.lamaserve.hostile;

import java.net.http.HttpResponse;
import java.util.Map;

/**
 * One row of the hostile-input table: a request and what the service must answer.
 *
 * @param name     what is wrong (or unusual) about the request
 * @param endpoint which API it is sent to
 * @param headers  request headers (Content-Type included, when any)
 * @param body     the raw request body
 * @param expected the status and message the service must answer with, and why
 */
record HostileCase(String name, Endpoint endpoint, Map<String, String> headers, byte[] body, Expected expected) {

    enum Endpoint {
        JSON("/api/v1/inpaint"), MULTIPART("/v1/inpaint");

        final String path;

        Endpoint(String path) {
            this.path = path;
        }
    }

    /** Checks a 200 answer beyond its status (e.g. that unmasked pixels are unchanged). */
    @FunctionalInterface
    interface ImageCheck {
        void verify(HttpResponse<byte[]> response);
    }

    /**
     * @param status       the HTTP status
     * @param mentions     a fragment the JSON {@code detail} must contain (4xx), or the content type (200)
     * @param why          why this is the right answer, for the report
     * @param check        further checks of a 200 answer, or null
     */
    record Expected(int status, String mentions, String why, ImageCheck check) {

        static Expected error(int status, String mentions, String why) {
            return new Expected(status, mentions, why, null);
        }

        static Expected image(String contentType, String why, ImageCheck check) {
            return new Expected(200, contentType, why, check);
        }
    }

    @Override
    public String toString() {
        return endpoint.path + " " + name;
    }
}
