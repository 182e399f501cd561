package io.lamaserve.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * The OpenAPI document at {@code /q/openapi}: YAML, or JSON with {@code ?format=json} or {@code Accept:
 * application/json}. It is generated from the resources' annotations when the application is built
 * (smallrye-open-api-maven-plugin in pom.xml, with {@link ErrorResponsesFilter}) and served as that file: assembling
 * it at start, as Quarkus' OpenAPI extension does, took about 0.3 s of a 2.9 s start on a plain JVM with two cores
 * (docs/deployment.md).
 */
@Path("/q/openapi")
public class OpenApiDocumentResource {

    static final String YAML = "application/yaml;charset=UTF-8";
    static final String JSON = "application/json;charset=UTF-8";

    @GET
    @Operation(hidden = true)
    public Response document(@QueryParam("format") String format, @HeaderParam(HttpHeaders.ACCEPT) String accept) {
        boolean json = switch (format == null || format.isBlank() ? "" : format.toLowerCase(Locale.ROOT)) {
            case "" -> accept != null && accept.contains("application/json");
            case "json" -> true;
            case "yaml" -> false;
            default -> throw new BadRequestException("format: expected json or yaml, got \"" + format + "\"");
        };
        return json ? Response.ok(Documents.JSON_BYTES, JSON).build() : Response.ok(Documents.YAML_BYTES, YAML).build();
    }

    /** Read on the first request for the document, not at start. */
    private static final class Documents {
        static final byte[] YAML_BYTES = read("openapi.yaml");
        static final byte[] JSON_BYTES = read("openapi.json");

        private static byte[] read(String name) {
            String resource = "META-INF/openapi/" + name;
            try (InputStream in = OpenApiDocumentResource.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException(resource + " is missing from the application: the build writes it "
                            + "(smallrye-open-api-maven-plugin)");
                }
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + resource, e);
            }
        }
    }
}
