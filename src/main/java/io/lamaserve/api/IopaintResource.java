package io.lamaserve.api;

import io.lamaserve.batching.RejectedException;
import io.lamaserve.engine.EngineException;
import io.lamaserve.imaging.EmbeddedText;
import io.lamaserve.imaging.HdStrategy;
import io.lamaserve.imaging.RegionOptions;
import io.smallrye.common.annotation.NonBlocking;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
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
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;

/** IOPaint's HTTP API, as far as a LaMa client uses it: IOPaint's web app and scripts work against this unchanged. */
@Path("/api/v1")
@Tag(name = "IOPaint-compatible API")
public class IopaintResource {

    /** IOPaint encodes its answers at this JPEG quality (its CLI default). */
    static final int IOPAINT_QUALITY = 100;
    static final long DEFAULT_SEED = 42;

    private final InpaintService service;
    private final ServerDescription description;
    private final RequestWorkers workers;

    IopaintResource(InpaintService service, ServerDescription description, RequestWorkers workers) {
        this.service = service;
        this.description = description;
        this.workers = workers;
    }

    @POST
    @Path("/inpaint")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({"image/png", "image/jpeg", MediaType.APPLICATION_JSON})
    // the body is read and parsed on the I/O thread, then the request moves to a virtual thread (see RequestWorkers)
    @NonBlocking
    @Operation(summary = "Inpaint the masked area (IOPaint's request and response)",
            description = "JSON in, raw image bytes out: the answer is the image itself (not JSON), in the input's format "
                    + "(PNG or JPEG; PNG for other inputs). The mask is white (255) where the image is to be filled.")
    @APIResponse(responseCode = "200", description = "The inpainted image; Server-Timing gives the time spent receiving "
            + "the body, preparing tiles (decode, plan), in the queue and inference, and finishing (composite, encode), in ms",
            headers = @Header(name = "X-Seed", description = "sd_seed of the request (-1 replaced by the seed used)",
                    schema = @Schema(type = SchemaType.INTEGER)),
            content = {@Content(mediaType = "image/png", schema = @Schema(type = SchemaType.STRING, format = "binary")),
                    @Content(mediaType = "image/jpeg", schema = @Schema(type = SchemaType.STRING, format = "binary"))})
    public CompletionStage<Response> inpaint(IopaintInpaintRequest request,
                            @Parameter(description = "Seconds the client will wait at most (shortens the server's deadline)")
                            @HeaderParam(ClientDeadline.HEADER) String timeout,
                            @Context HttpServerRequest http,
                            @Context RoutingContext routing) {
        long receivedNanos = RequestArrival.receivedNanos(routing);
        long arrivedNanos = RequestArrival.arrivedNanos(routing);
        ClientConnection connection = new ClientConnection();
        return connection.follow(workers.run(() -> answer(request, timeout, connection, arrivedNanos, receivedNanos)),
                http);
    }

    private Response answer(IopaintInpaintRequest request, String timeout, ClientConnection connection,
                            long arrivedNanos, long receivedNanos)
            throws RejectedException, EngineException {
        if (request == null) {
            throw new BadRequestException("request body: expected a JSON object with image and mask");
        }
        byte[] image = Base64Image.decode("image", request.image());
        byte[] mask = Base64Image.decode("mask", request.mask());
        RegionOptions defaults = RegionOptions.IOPAINT_DEFAULTS;
        RegionOptions regions = new RegionOptions(
                request.hdStrategy() == null ? defaults.strategy() : HdStrategy.parse(request.hdStrategy()),
                positive("hd_strategy_crop_trigger_size", request.cropTriggerSize(), defaults.cropTriggerSize()),
                nonNegative("hd_strategy_crop_margin", request.cropMargin(), defaults.cropMargin()),
                positive("hd_strategy_resize_limit", request.resizeLimit(), defaults.resizeLimit()),
                request.keepUnmaskedArea() == null ? defaults.keepUnmaskedArea() : request.keepUnmaskedArea());
        long seed = request.seed() == null ? DEFAULT_SEED
                : request.seed() == -1 ? ThreadLocalRandom.current().nextLong(1, 100_000_000) : request.seed();
        InpaintService.Result result = service.inpaint(
                new InpaintService.Call(image, mask, regions, null, IOPAINT_QUALITY, ClientDeadline.parse(timeout),
                        arrivedNanos),
                connection);
        return ImageAnswer.of(result, receivedNanos).header("X-Seed", Long.toString(seed)).build();
    }

    @GET
    @Path("/server-config")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "What IOPaint's web app needs to know about this server: one LaMa model, no plugins")
    public ServerDescription.ServerConfig serverConfig() {
        return description.serverConfig();
    }

    @GET
    @Path("/model")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The model being served, in IOPaint's ModelInfo shape")
    public ServerDescription.ModelInfo model() {
        return description.modelInfo();
    }

    @POST
    @Path("/model")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Switch model: only the served LaMa model can be selected")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ServerDescription.ModelInfo.class)))
    @APIResponse(responseCode = "400", description = "A model other than the served one was asked for")
    public ServerDescription.ModelInfo switchModel(SwitchModelRequest request) {
        String wanted = request == null ? null : request.name();
        if (!ServerDescription.MODEL_NAME.equals(wanted)) {
            throw new BadRequestException("model: this server serves only \"" + ServerDescription.MODEL_NAME
                    + "\", cannot switch to \"" + wanted + "\"");
        }
        return description.modelInfo();
    }

    public record SwitchModelRequest(String name) {
    }

    @POST
    @Path("/gen-info")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The prompts stored in an image (the PNG \"parameters\" text of Stable Diffusion front ends)",
            description = "IOPaint's web app posts every opened file here (multipart part \"file\"). Empty strings when the "
                    + "image carries no such text.")
    public GenerationInfo genInfo(byte[] body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        FormParts.Part file = FormParts.parse(contentType, body).part("file");
        if (file == null) {
            throw new BadRequestException("multipart part \"file\" is missing; send the image as a file part");
        }
        return EmbeddedText.find(file.bytes(), GenerationInfo.KEYWORD, "file")
                .map(GenerationInfo::fromParameters)
                .orElse(GenerationInfo.NONE);
    }

    @GET
    @Path("/inputimage")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The image IOPaint opens at start (its --input option); this server has none",
            description = "Always 200 with a JSON note, as IOPaint answers when it has no input image: its web app reads "
                    + "an image body as the file to open and ignores anything else.")
    public ApiError inputImage() {
        // IOPaint raises HTTPException(status_code=200) here, so its body has the error shape with a 200 status
        return ApiError.of("HTTPException", "No input image configured");
    }

    private static int positive(String field, Integer value, int fallback) {
        if (value == null) {
            return fallback;
        }
        if (value <= 0) {
            throw new BadRequestException(field + ": expected a positive number of pixels, got " + value);
        }
        return value;
    }

    private static int nonNegative(String field, Integer value, int fallback) {
        if (value == null) {
            return fallback;
        }
        if (value < 0) {
            throw new BadRequestException(field + ": expected zero or more pixels, got " + value);
        }
        return value;
    }

}
