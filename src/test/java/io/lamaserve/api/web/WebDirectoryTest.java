package io.lamaserve.api.web;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WebDirectoryTest {

    @TempDir
    Path temp;

    private Path app;
    private WebDirectory directory;

    @BeforeEach
    void layOutAnApp() throws IOException {
        app = Files.createDirectories(temp.resolve("app"));
        Files.writeString(app.resolve("index.html"), "<html></html>");
        Files.createDirectories(app.resolve("assets"));
        Files.writeString(app.resolve("assets/index-3f2a.js"), "console.log(1)");
        Files.writeString(app.resolve("a b+c.txt"), "spaces");
        Files.writeString(app.resolve(".env"), "SECRET=1");
        Files.writeString(temp.resolve("secret.txt"), "outside");
        Files.createSymbolicLink(app.resolve("escape.txt"), temp.resolve("secret.txt"));
        Files.createSymbolicLink(app.resolve("inside-link.js"), app.resolve("assets/index-3f2a.js"));
        directory = WebDirectory.of(app);
    }

    private Optional<Path> resolve(String path) throws WebDirectory.RefusedPathException {
        return directory.resolve(path);
    }

    @Test
    void mapsPathsOntoTheFilesOfTheDirectory() throws Exception {
        Path root = app.toRealPath();
        assertEquals(Optional.of(root.resolve("index.html")), resolve("/"));
        assertEquals(Optional.of(root.resolve("index.html")), resolve("/index.html"));
        assertEquals(Optional.of(root.resolve("assets/index-3f2a.js")), resolve("/assets/index-3f2a.js"));
        assertEquals(Optional.of(root.resolve("assets/index-3f2a.js")), resolve("//assets//index-3f2a.js"));
        assertEquals(Optional.of(root.resolve("a b+c.txt")), resolve("/a%20b+c.txt"));
    }

    @Test
    void aDirectoryWithoutIndexAndMissingFilesAreNotFound() throws Exception {
        assertEquals(Optional.empty(), resolve("/assets/"));
        assertEquals(Optional.empty(), resolve("/nothing.js"));
        assertEquals(Optional.empty(), resolve("/api/v1/medias"));
    }

    @Test
    void dotSegmentsAreRefusedInEveryEncoding() {
        for (String path : List.of("/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt",
                "/%2E%2E/secret.txt", "/.%2e/secret.txt", "/..%2fsecret.txt", "/assets%2f..%2f..%2fsecret.txt",
                "/./index.html", "/assets/..", "/%2e%2e%5csecret.txt", "/..\\secret.txt", "/index.html%00.js",
                "/%zz", "/%2", "/%c0%ae%c0%ae/secret.txt")) {
            assertThrows(WebDirectory.RefusedPathException.class, () -> resolve(path), path);
        }
    }

    @Test
    void doubleEncodingNamesALiteralFileInsideNotAParent() throws Exception {
        assertEquals(Optional.empty(), resolve("/%252e%252e/secret.txt"));
    }

    @Test
    void linksLeadingOutsideAndHiddenFilesAreNotServed() throws Exception {
        assertEquals(Optional.empty(), resolve("/escape.txt"));
        assertEquals(Optional.empty(), resolve("/.env"));
        assertEquals(Optional.of(app.toRealPath().resolve("assets/index-3f2a.js")), resolve("/inside-link.js"));
    }

    @Test
    void aMissingDirectoryIsAnOperatorErrorNamingTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WebDirectory.of(temp.resolve("missing")));
        assertTrue(e.getMessage().startsWith("lama.web.dir: "), e.getMessage());
    }
}
