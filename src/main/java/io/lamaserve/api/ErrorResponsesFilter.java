package io.lamaserve.api;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Schema;

import java.util.List;
import java.util.Map;

/**
 * Documents the error answers the two inpaint endpoints share (see {@link ErrorMappers}) in one place instead of
 * repeating the same annotations on each resource method.
 */
public class ErrorResponsesFilter implements OASFilter {

    static final List<String> INPAINT_PATHS = List.of("/api/v1/inpaint", "/v1/inpaint");

    private static final Map<String, String> ERRORS = Map.of(
            "400", "Bad image, mask or parameter, or malformed JSON (the detail names it)",
            "408", "The body paused too long, or was still arriving at the request's deadline",
            "413", "Body or image over the limits (lama.limits.*)",
            "415", "Wrong Content-Type for this endpoint",
            "422", "A JSON field of the wrong type (no conversion between strings, numbers and booleans)",
            "429", "Queue full; retry after the Retry-After seconds",
            "503", "Warming up, draining, deadline unreachable or passed, decoded-pixel budget full, or inference "
                    + "failed; retry after Retry-After");

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        Components components = openAPI.getComponents() != null ? openAPI.getComponents() : OASFactory.createComponents();
        openAPI.setComponents(components.addSchema("ApiError", apiErrorSchema()));
        for (String path : INPAINT_PATHS) {
            PathItem item = openAPI.getPaths() == null ? null : openAPI.getPaths().getPathItem(path);
            Operation post = item == null ? null : item.getPOST();
            if (post == null) {
                continue;
            }
            ERRORS.forEach((status, description) -> post.getResponses().addAPIResponse(status,
                    OASFactory.createAPIResponse().description(description).content(OASFactory.createContent()
                            .addMediaType("application/json", OASFactory.createMediaType()
                                    .schema(OASFactory.createSchema().ref("ApiError"))))));
            for (String overload : List.of("429", "503")) {
                post.getResponses().getAPIResponse(overload).addHeader("Retry-After", OASFactory.createHeader()
                        .description("Seconds to wait before retrying")
                        .schema(OASFactory.createSchema().type(List.of(Schema.SchemaType.INTEGER))));
            }
        }
    }

    private static Schema apiErrorSchema() {
        Schema text = OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING));
        return OASFactory.createSchema().type(List.of(Schema.SchemaType.OBJECT))
                .description("Error body in IOPaint's shape")
                .addProperty("error", text.description("Kind of failure, e.g. ImageInputError"))
                .addProperty("detail", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING))
                        .description("What was wrong, in words a client can act on"))
                .addProperty("errors", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING))
                        .description("The same text (IOPaint clients read either)"));
    }
}
