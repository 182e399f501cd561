package io.lamaserve.api;

import io.lamaserve.batching.RejectedException;
import io.lamaserve.engine.EngineException;
import io.lamaserve.imaging.HdStrategy;
import io.lamaserve.imaging.OutputFormat;
import io.lamaserve.imaging.RegionOptions;
import io.smallrye.common.annotation.NonBlocking;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.eclipse.microprofile.openapi.annotations.media.SchemaProperty;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;

import java.util.Locale;
import java.util.concurrent.CompletionStage;

/** The lean endpoint for edge services: multipart in (image and mask files), image bytes out; no base64, no JSON. */
@Path("/v1/inpaint")
@Tag(name = "Binary API")
public class BinaryInpaintResource {

    static final int DEFAULT_QUALITY = 95;

    private final InpaintService service;
    private final RequestWorkers workers;

    BinaryInpaintResource(InpaintService service, RequestWorkers workers) {
        this.service = service;
        this.workers = workers;
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces({"image/png", "image/jpeg", MediaType.APPLICATION_JSON})
    // the body is read on the I/O thread, then the request moves to a virtual thread (see RequestWorkers)
    @NonBlocking
    @Operation(summary = "Inpaint the masked area: multipart/form-data in, the image's bytes out",
            description = "Parts: image (PNG/JPEG/...), mask (white = fill, same size as the image), optional hd_strategy "
                    + "(Original|Resize|Crop, default Crop), format (png|jpeg, default: the input's), quality (1-100 for JPEG, default 95).")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.MULTIPART_FORM_DATA, schema = @Schema(
            type = SchemaType.OBJECT, requiredProperties = {"image", "mask"}, properties = {
            @SchemaProperty(name = "image", type = SchemaType.STRING, format = "binary"),
            @SchemaProperty(name = "mask", type = SchemaType.STRING, format = "binary"),
            @SchemaProperty(name = "hd_strategy", type = SchemaType.STRING, enumeration = {"Original", "Resize", "Crop"}),
            @SchemaProperty(name = "format", type = SchemaType.STRING, enumeration = {"png", "jpeg"}),
            @SchemaProperty(name = "quality", type = SchemaType.INTEGER, minimum = "1", maximum = "100")})))
    @APIResponse(responseCode = "200", description = "The inpainted image; Server-Timing gives the time spent receiving "
            + "the body, preparing tiles (decode, plan), in the queue and inference, and finishing (composite, encode), in ms",
            content = {@Content(mediaType = "image/png", schema = @Schema(type = SchemaType.STRING, format = "binary")),
                    @Content(mediaType = "image/jpeg", schema = @Schema(type = SchemaType.STRING, format = "binary"))})
    public CompletionStage<Response> inpaint(byte[] body,
                            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                            @Parameter(description = "Seconds the client will wait at most (shortens the server's deadline)")
                            @HeaderParam(ClientDeadline.HEADER) String timeout,
                            @Context HttpServerRequest http,
                            @Context RoutingContext routing) {
        ClientConnection connection = new ClientConnection();
        return connection.follow(workers.run(() -> answer(body, contentType, timeout, connection, routing)), http);
    }

    private Response answer(byte[] body, String contentType, String timeout, ClientConnection connection,
                            RoutingContext routing) throws RejectedException, EngineException {
        FormParts form = FormParts.parse(contentType, body);
        long receivedNanos = RequestArrival.receivedNanos(routing);
        String hdStrategy = text(form, "hd_strategy");
        RegionOptions defaults = RegionOptions.IOPAINT_DEFAULTS;
        RegionOptions regions = new RegionOptions(
                hdStrategy == null || hdStrategy.isBlank() ? defaults.strategy() : HdStrategy.parse(hdStrategy),
                defaults.cropTriggerSize(), defaults.cropMargin(), defaults.resizeLimit(), defaults.keepUnmaskedArea());
        InpaintService.Result result = service.inpaint(new InpaintService.Call(file(form, "image"), file(form, "mask"),
                        regions, outputFormat(text(form, "format")), quality(text(form, "quality")), ClientDeadline.parse(timeout),
                        RequestArrival.arrivedNanos(routing)),
                connection);
        return ImageAnswer.of(result, receivedNanos).build();
    }

    private static byte[] file(FormParts form, String name) {
        FormParts.Part part = form.part(name);
        if (part == null) {
            throw new BadRequestException("multipart part \"" + name + "\" is missing; send the " + name + " as a file part");
        }
        return part.bytes();
    }

    private static String text(FormParts form, String name) {
        FormParts.Part part = form.part(name);
        return part == null ? null : part.text();
    }

    private static OutputFormat outputFormat(String format) {
        if (format == null || format.isBlank()) {
            return null;
        }
        return switch (format.strip().toLowerCase(Locale.ROOT)) {
            case "png" -> OutputFormat.PNG;
            case "jpeg", "jpg" -> OutputFormat.JPEG;
            default -> throw new BadRequestException("format: expected png or jpeg, got \"" + format + "\"");
        };
    }

    private static int quality(String quality) {
        if (quality == null || quality.isBlank()) {
            return DEFAULT_QUALITY;
        }
        try {
            int value = Integer.parseInt(quality.strip());
            if (value >= 1 && value <= 100) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new BadRequestException("quality: expected a whole number from 1 to 100, got \"" + quality + "\"");
    }
}
