package io.lamaserve.api;

import io.lamaserve.config.LamaConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses a body over {@code lama.limits.max-body-bytes} from its Content-Length, before a byte of it is read,
 * with a 413 that says so. A body sent without a length is counted as it arrives, with the same answer
 * ({@link io.lamaserve.api.connection.SlowClientGuard}).
 */
public class BodyLimitFilter {

    private final long maxBodyBytes;

    BodyLimitFilter(LamaConfig config) {
        this.maxBodyBytes = config.limits().maxBodyBytes();
    }

    @ServerRequestFilter(preMatching = true)
    public Response checkContentLength(ContainerRequestContext request) {
        String header = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (header == null) {
            return null;
        }
        long length;
        try {
            length = Long.parseLong(header.strip());
        } catch (NumberFormatException e) {
            return Response.status(400).type(MediaType.APPLICATION_JSON)
                    .entity(ApiError.of("BadRequest", "Content-Length is not a number: " + header)).build();
        }
        if (length <= maxBodyBytes) {
            return null;
        }
        return Response.status(413).type(MediaType.APPLICATION_JSON)
                .entity(ApiError.of("PayloadTooLarge", "request body is " + length + " bytes, the limit is "
                        + maxBodyBytes + " (lama.limits.max-body-bytes)"))
                .build();
    }
}
