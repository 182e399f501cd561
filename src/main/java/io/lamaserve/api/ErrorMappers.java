package io.lamaserve.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.lamaserve.batching.RejectedException;
import io.lamaserve.engine.EngineException;
import io.lamaserve.imaging.ImageInputException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.concurrent.CancellationException;
import java.util.stream.Collectors;

/**
 * Turns every failure into a JSON {@link ApiError} with the right status. Clients never see a stack trace;
 * overload answers carry {@code Retry-After}.
 */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    /** How long a client should wait after an engine failure: the engine recreates its context meanwhile. */
    static final int ENGINE_RETRY_AFTER_SECONDS = 1;
    /** Longest parser message quoted in an answer. */
    static final int MAX_PARSER_MESSAGE = 160;

    @ServerExceptionMapper
    public Response badImage(ImageInputException e) {
        return json(e.status(), "ImageInputError", e.getMessage());
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
        Response.ResponseBuilder response = Response.status(e.status()).type(MediaType.APPLICATION_JSON)
                .entity(ApiError.of(reasonPhrase(e.status()), e.getMessage()));
        // 429 and 503 always carry a positive Retry-After; a request too large to ever fit (413) carries none
        if (e.retryAfterSeconds() > 0) {
            response.header("Retry-After", Long.toString(e.retryAfterSeconds()));
        }
        return response.build();
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
        String field = e.getPath().stream().map(reference -> reference.getFieldName() != null
                ? reference.getFieldName() : "[" + reference.getIndex() + "]").collect(Collectors.joining("."));
        String target = e.getTargetType() == null ? "another type" : e.getTargetType().getSimpleName();
        return json(422, "ValidationError", (field.isEmpty() ? "request body" : field)
                + ": expected " + describe(target) + " (" + brief(e.getOriginalMessage()) + ")");
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e) {
        return json(400, "BadRequest", "request body is not valid JSON: " + brief(e.getOriginalMessage()));
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

    private static String describe(String javaType) {
        return switch (javaType) {
            case "Integer", "int", "Long", "long" -> "an integer";
            case "Boolean", "boolean" -> "true or false";
            case "String" -> "a string";
            default -> "a " + javaType;
        };
    }

    /**
     * Jackson quotes the offending value (up to 500 characters), which may be a slice of a base64 image sent in the
     * wrong field; the answer names the field and keeps only the start of the parser's message.
     */
    static String brief(String parserMessage) {
        if (parserMessage == null || parserMessage.length() <= MAX_PARSER_MESSAGE) {
            return parserMessage;
        }
        return parserMessage.substring(0, MAX_PARSER_MESSAGE) + "…";
    }

    private static Response json(int status, String error, String detail) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(ApiError.of(error, detail)).build();
    }
}
