package io.lamaserve.api;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The service as a user of IOPaint's web app runs it: a directory of static files at {@code /}, and CORS open to
 * one other origin (the app's development server).
 */
public class WebAppProfile implements QuarkusTestProfile {

    static final String APP_ORIGIN = "http://localhost:5173";
    static final String INDEX = "<!doctype html><html><head><title>IOPaint</title></head><body><div id=\"root\"></div>"
            + "<script type=\"module\" src=\"/assets/index-5f3c.js\"></script></body></html>";
    static final String SCRIPT = "import{io}from\"socket.io-client\";";
    static final String SECRET = "not for the web";

    /** The directory above the app's: holds {@link #SECRET}, which no request may reach. */
    static final Path PARENT = layOut();
    static final Path APP = PARENT.resolve("web_app");

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("lama.web.dir", APP.toString(),
                "quarkus.http.cors.enabled", "true",
                "quarkus.http.cors.origins", APP_ORIGIN);
    }

    private static Path layOut() {
        try {
            Path parent = Files.createTempDirectory("lama-web-app");
            Path app = Files.createDirectories(parent.resolve("web_app/assets"));
            Files.writeString(parent.resolve("web_app/index.html"), INDEX);
            Files.writeString(app.resolve("index-5f3c.js"), SCRIPT);
            Files.writeString(parent.resolve("secret.txt"), SECRET);
            Files.createSymbolicLink(parent.resolve("web_app/secret-link.txt"), parent.resolve("secret.txt"));
            return parent;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
