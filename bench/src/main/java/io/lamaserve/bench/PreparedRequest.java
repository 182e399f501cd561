package io.lamaserve.bench;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;

/**
 * A request body built once before the run and replayed for every send.
 *
 * @param inputName   which input pair it carries
 * @param path        request path relative to the base URL, e.g. {@code v1/inpaint}, so a base URL with a
 *                    path prefix ({@code http://gateway/lama/}) keeps it
 * @param contentType full Content-Type header value (with boundary for multipart)
 * @param body        the encoded body
 */
public record PreparedRequest(String inputName, String path, String contentType, byte[] body) {

    /**
     * A fresh {@link HttpRequest} against {@code baseUrl} (which ends in '/'); the body array is shared,
     * not copied.
     */
    public HttpRequest toHttpRequest(URI baseUrl, Duration timeout) {
        return HttpRequest.newBuilder(baseUrl.resolve(path))
                .timeout(timeout)
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
    }
}
