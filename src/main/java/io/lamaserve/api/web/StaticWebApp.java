package io.lamaserve.api.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lamaserve.api.ApiError;
import io.lamaserve.config.LamaConfig;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Serves the directory {@code lama.web.dir} at {@code /}, so IOPaint's built web app runs from this server with
 * nothing in front of it. The route comes after every other one: API paths, the health and metrics endpoints keep
 * their answers whatever files the directory holds, and only a GET or HEAD no other route takes looks here.
 */
@ApplicationScoped
public class StaticWebApp {

    private static final Logger LOG = Logger.getLogger(StaticWebApp.class);

    /** After the REST endpoints and Quarkus' own routes, which all use lower orders. */
    static final int ROUTE_ORDER = 10_000;

    /** The types a built single-page app is made of; anything else goes as bytes. */
    private static final Map<String, String> CONTENT_TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=UTF-8"),
            Map.entry("js", "text/javascript; charset=UTF-8"),
            Map.entry("mjs", "text/javascript; charset=UTF-8"),
            Map.entry("css", "text/css; charset=UTF-8"),
            Map.entry("json", "application/json"),
            Map.entry("map", "application/json"),
            Map.entry("webmanifest", "application/manifest+json"),
            Map.entry("txt", "text/plain; charset=UTF-8"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"),
            Map.entry("webp", "image/webp"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("woff", "font/woff"),
            Map.entry("woff2", "font/woff2"),
            Map.entry("ttf", "font/ttf"),
            Map.entry("wasm", "application/wasm"));
    private static final String BYTES = "application/octet-stream";

    private final ObjectMapper json;

    StaticWebApp(ObjectMapper json) {
        this.json = json;
    }

    void register(@Observes Router router, LamaConfig config) {
        Optional<Path> dir = config.web().dir();
        if (dir.isEmpty()) {
            return;
        }
        WebDirectory directory = WebDirectory.of(dir.get());
        LOG.infof("Serving the files of %s at /", directory.root());
        router.route().method(HttpMethod.GET).method(HttpMethod.HEAD).order(ROUTE_ORDER)
                .handler(context -> serve(context, directory));
    }

    private void serve(RoutingContext context, WebDirectory directory) {
        Optional<Path> file;
        try {
            file = directory.resolve(context.request().path());
        } catch (WebDirectory.RefusedPathException e) {
            refuse(context, e.getMessage());
            return;
        }
        if (file.isEmpty()) {
            context.next();
            return;
        }
        Path path = file.get();
        context.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, contentType(path))
                // the app's index names its scripts by content hash: only the index must be checked on every load
                .putHeader(HttpHeaders.CACHE_CONTROL, path.getFileName().toString().equals(WebDirectory.INDEX)
                        ? "no-cache" : "public, max-age=3600")
                .sendFile(path.toString());
    }

    private void refuse(RoutingContext context, String reason) {
        String body;
        try {
            body = json.writeValueAsString(ApiError.of("BadRequest", "path: " + reason
                    + "; only files inside the web app's directory are served"));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        context.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body);
    }

    static String contentType(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? BYTES : CONTENT_TYPES.getOrDefault(name.substring(dot + 1).toLowerCase(Locale.ROOT), BYTES);
    }
}
