package io.lamaserve.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.lamaserve.batching.RejectedException;
import io.lamaserve.engine.EngineException;
import io.lamaserve.imaging.BadImageException;
import io.lamaserve.imaging.ImageInputException;
import io.lamaserve.imaging.ImageTooLargeException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.concurrent.CancellationException;

/**
 * Turns every failure into a JSON {@link ApiError} with the right status. Clients never see a stack trace;
 * overload answers carry {@code Retry-After}.
 */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    /** How long a client should wait after an engine failure: the engine recreates its context meanwhile. */
    static final int ENGINE_RETRY_AFTER_SECONDS = 1;

    @ServerExceptionMapper
    public Response badImage(ImageInputException e) {
        int status = switch (e) {
            case ImageTooLargeException tooLarge -> 413;
            case BadImageException bad -> 400;
        };
        return json(status, "ImageInputError", e.getMessage());
    }

    @ServerExceptionMapper
    public Response tooLarge(PayloadTooLargeException e) {
        return json(413, "PayloadTooLarge", e.getMessage());
    }

    @ServerExceptionMapper
    public Response badRequest(BadRequestException e) {
        return json(400, "BadRequest", e.getMessage());
    }

    @ServerExceptionMapper
    public Response rejected(RejectedException e) {
        int status = status(e.reason());
        Response.ResponseBuilder response = Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(ApiError.of(reasonPhrase(status), e.getMessage()));
        // 429 and 503 always carry a positive Retry-After; a request too large to ever fit (413) carries none
        if (e.retryAfterSeconds() > 0) {
            response.header("Retry-After", Long.toString(e.retryAfterSeconds()));
        }
        return response.build();
    }

    /** The one place where what the batcher says about a refused request becomes an HTTP status. */
    static int status(RejectedException.Reason reason) {
        return switch (reason) {
            case QUEUE_FULL -> 429;
            case TOO_MANY_TILES -> 413;
            case DEADLINE_UNREACHABLE, DEADLINE_EXPIRED, DRAINING, NOT_READY, ENGINE_FAILED, MEMORY_BUSY -> 503;
        };
    }

    @ServerExceptionMapper
    public Response engineFailed(EngineException e) {
        LOG.warnf("inference failed: %s", e.getMessage());
        return Response.status(503)
                .header("Retry-After", Integer.toString(ENGINE_RETRY_AFTER_SECONDS))
                .type(MediaType.APPLICATION_JSON)
                .entity(ApiError.of("InferenceFailed", "inference failed, please retry: " + e.getMessage()))
                .build();
    }

    @ServerExceptionMapper
    public Response wrongJsonType(MismatchedInputException e) {
        return switch (JsonProblems.kindOf(e)) {
            case TRAILING_DATA -> json(400, "BadRequest", JsonProblems.describe(e));
            default -> json(422, "ValidationError", JsonProblems.describe(e));
        };
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e) {
        return switch (JsonProblems.kindOf(e)) {
            case TOO_LARGE -> json(413, "PayloadTooLarge", JsonProblems.describe(e));
            default -> json(400, "BadRequest", JsonProblems.describe(e));
        };
    }

    /** Quarkus' own message ("did not match the value in @Consumes") does not say what was sent or what is wanted. */
    @ServerExceptionMapper
    public Response unsupportedMediaType(NotSupportedException e, HttpHeaders headers) {
        String sent = headers.getHeaderString(HttpHeaders.CONTENT_TYPE);
        return json(415, "UnsupportedMediaType", "Content-Type " + (sent == null ? "missing" : "\"" + sent + "\"")
                + " is not accepted here: /api/v1/gen-info and /v1/inpaint take multipart/form-data, the other "
                + "/api/v1 endpoints application/json");
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            // Quarkus REST wraps a body it cannot parse; answer as if the parser's own exception reached us
            if (cause instanceof MismatchedInputException mismatch) {
                return wrongJsonType(mismatch);
            }
            if (cause instanceof JsonProcessingException malformed) {
                return malformedJson(malformed);
            }
        }
        if (status >= 500) {
            LOG.error("request failed", e);
        }
        return json(status, reasonPhrase(status), e.getMessage());
    }

    /** The client hung up and its request was withdrawn; nobody reads this answer (499 = client closed request). */
    @ServerExceptionMapper
    public Response clientGone(CancellationException e) {
        LOG.debugf("request withdrawn: %s", e.getMessage());
        return json(499, "ClientClosedRequest", "the request was withdrawn because the client disconnected");
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("unexpected failure", e);
        return json(500, "InternalError", "internal error (" + e.getClass().getSimpleName()
                + "); the server log has the details");
    }

    private static String reasonPhrase(int status) {
        Response.Status known = Response.Status.fromStatusCode(status);
        return known == null ? "Error" : known.getReasonPhrase().replace(" ", "");
    }

    private static Response json(int status, String error, String detail) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(ApiError.of(error, detail)).build();
    }
}
