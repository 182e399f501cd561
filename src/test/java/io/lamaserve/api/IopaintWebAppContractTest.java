package io.lamaserve.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * IOPaint's web app against this server, request by request as the app makes them (its web_app/src: App.tsx,
 * Workspace.tsx, useInputImage.tsx, DiffusionProgress.tsx with socket.io-client 4, lib/api.ts), once from the page
 * this server hosts and once from the app's development server on another origin.
 */
@QuarkusTest
@TestProfile(WebAppProfile.class)
class IopaintWebAppContractTest {

    /** Every answer the app got in one replay, in order: "METHOD path -> status". */
    private final List<String> exchanges = new ArrayList<>();

    @BeforeEach
    void serviceIsWarm() {
        Readiness.await();
    }

    @Test
    void theAppsWholeSessionFromTheHostedPageGetsNoClientError() throws Exception {
        replayTheApp(null);
    }

    @Test
    void theAppsWholeSessionFromItsDevServerOnAnotherOriginIsAllowed() throws Exception {
        replayTheApp(WebAppProfile.APP_ORIGIN);
    }

    private void replayTheApp(String origin) throws Exception {
        // page load: the app itself, then what App.tsx, Workspace.tsx, useInputImage and DiffusionProgress ask for
        if (origin == null) {
            Response page = check(request(null).get("/"), "GET /");
            assertEquals(WebAppProfile.INDEX, page.asString());
            assertTrue(page.contentType().startsWith("text/html"), page.contentType());
            check(request(null).get("/assets/index-5f3c.js"), "GET /assets/index-5f3c.js");
        }
        // useInputImage sends two headers that make a cross-origin fetch preflighted
        preflight(origin, "GET", "/api/v1/inputimage", "cache-control,pragma");
        check(request(origin).header("pragma", "no-cache").header("cache-control", "no-cache")
                .get("/api/v1/inputimage"), "GET /api/v1/inputimage");
        JsonPath config = check(request(origin).get("/api/v1/server-config"), "GET /api/v1/server-config").jsonPath();
        assertEquals(List.of(), config.getList("plugins"));
        assertFalse(config.getBoolean("enableFileManager"));
        assertFalse(config.getBoolean("enableAutoSaving"));
        assertEquals("lama", check(request(origin).get("/api/v1/model"), "GET /api/v1/model").jsonPath().getString("name"));
        SocketIoClient socket = new SocketIoClient(origin);
        socket.connect();

        // upload: the file goes to gen-info first
        BufferedImage image = TestImages.photo(640, 480, BufferedImage.TYPE_INT_RGB, 21);
        byte[] png = TestImages.encode(image, "png");
        JsonPath info = check(request(origin).multiPart("file", "photo.png", png, "image/png")
                .post("/api/v1/gen-info"), "POST /api/v1/gen-info").jsonPath();
        assertEquals("", info.getString("prompt"));
        assertEquals("", info.getString("negative_prompt"));

        // a stroke: inpaint as the app posts it (fetch with a JSON body: preflighted across origins), then a second
        preflight(origin, "POST", "/api/v1/inpaint", "content-type");
        BufferedImage mask = TestImages.strokeMask(640, 480, new int[][]{{120, 90, 300, 200}}, 24);
        Response first = check(request(origin).contentType(ContentType.JSON)
                .body(IopaintApiTest.webClientBody(png, "image/png", TestImages.encode(mask, "png")))
                .post("/api/v1/inpaint"), "POST /api/v1/inpaint");
        assertEquals("image/png", first.contentType());
        IopaintApiTest.assertUnmaskedUnchanged(image, mask, TestImages.decode(first.asByteArray()));
        if (origin != null) {
            // the app reads the seed from the answer: the header must be readable by a script of another origin
            assertTrue(first.header("Access-Control-Expose-Headers").contains("X-Seed"),
                    first.header("Access-Control-Expose-Headers"));
        }
        BufferedImage second = TestImages.strokeMask(640, 480, new int[][]{{400, 300, 500, 420}}, 16);
        check(request(origin).contentType(ContentType.JSON)
                .body(IopaintApiTest.webClientBody(first.asByteArray(), "image/png", TestImages.encode(second, "png")))
                .post("/api/v1/inpaint"), "POST /api/v1/inpaint");

        socket.close();
        for (String exchange : exchanges) {
            int status = Integer.parseInt(exchange.substring(exchange.lastIndexOf(' ') + 1));
            assertTrue(status < 400, "the app would show an error for " + exchange + "; all: " + exchanges);
        }
    }

    @Test
    void routesForFeaturesServerConfigReportsOffStayAbsent() {
        // plugins: [], enableFileManager and enableAutoSaving false: the app never calls these, and they must not exist
        given().contentType(ContentType.JSON).body("{\"name\":\"RemoveBG\"}").post("/api/v1/run_plugin_gen_mask")
                .then().statusCode(404).contentType(ContentType.JSON);
        given().multiPart("file", "out.png", new byte[]{1}).post("/api/v1/save_image").then().statusCode(404);
        given().get("/api/v1/medias?tab=image").then().statusCode(404);
    }

    @Test
    void genInfoReadsThePromptsAPngCarries() {
        byte[] png = withTextChunk(TestImages.encode(TestImages.photo(64, 48, BufferedImage.TYPE_INT_RGB, 3), "png"),
                "parameters", "a lighthouse at dusk, oil\nNegative prompt: people, text\nSteps: 30, Seed: 7");
        given().multiPart("file", "generated.png", png, "image/png").post("/api/v1/gen-info").then().statusCode(200)
                .body("prompt", org.hamcrest.Matchers.equalTo("a lighthouse at dusk, oil"))
                .body("negative_prompt", org.hamcrest.Matchers.equalTo("people, text"));
    }

    @Test
    void genInfoRefusesWhatIsNotAnImageAndAFormWithoutFile() {
        given().multiPart("file", "notes.txt", "hello".getBytes(StandardCharsets.UTF_8), "text/plain")
                .post("/api/v1/gen-info").then().statusCode(400).contentType(ContentType.JSON)
                .body("detail", org.hamcrest.Matchers.startsWith("file: not a PNG"));
        given().multiPart("image", "photo.png", TestImages.encode(TestImages.photo(8, 8, BufferedImage.TYPE_INT_RGB, 1), "png"))
                .post("/api/v1/gen-info").then().statusCode(400)
                .body("detail", org.hamcrest.Matchers.containsString("\"file\" is missing"));
    }

    @Test
    void corsPreflightFromAnOriginNotConfiguredIsRefused() {
        Response response = given().header("Origin", "https://elsewhere.example")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type")
                .options("/api/v1/inpaint");
        assertEquals(403, response.statusCode());
        assertNull(response.header("Access-Control-Allow-Origin"), "allowed: " + response.headers());
    }

    @Test
    void staticFilesAreServedAndNothingOutsideTheirDirectory() throws IOException {
        given().get("/").then().statusCode(200).header("Cache-Control", "no-cache");
        given().get("/index.html").then().statusCode(200);
        given().get("/assets/index-5f3c.js").then().statusCode(200)
                .contentType(org.hamcrest.Matchers.startsWith("text/javascript"));
        given().head("/assets/index-5f3c.js").then().statusCode(200);
        given().get("/assets/missing.js").then().statusCode(404);
        // the API keeps its answers; only GET and HEAD look at the files
        given().get("/api/v1/server-config").then().statusCode(200).contentType(ContentType.JSON);
        given().post("/index.html").then().statusCode(org.hamcrest.Matchers.not(200));

        for (String path : List.of("/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt",
                "/%2E%2E/secret.txt", "/.%2e/secret.txt", "/..%2fsecret.txt", "/assets%2f..%2f..%2fsecret.txt",
                "/..%5csecret.txt", "/%c0%ae%c0%ae/secret.txt", "/secret-link.txt", "/%252e%252e/secret.txt")) {
            String answer = rawGet(path);
            assertFalse(answer.contains(WebAppProfile.SECRET), path + " served the file outside: " + answer);
            String status = answer.substring(0, answer.indexOf("\r\n"));
            assertTrue(status.contains(" 400 ") || status.contains(" 404 "), path + " -> " + status);
        }
        assertTrue(rawGet("/%2e%2e/secret.txt").contains("only files inside the web app's directory are served"));
    }

    /** One request as written, without a client library normalising its path. */
    private static String rawGet(String path) throws IOException {
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private RequestSpecification request(String origin) {
        RequestSpecification request = given();
        return origin == null ? request : request.header("Origin", origin);
    }

    private Response check(Response response, String what) {
        exchanges.add(what + " -> " + response.statusCode());
        return response;
    }

    /** What the browser sends before a request it must ask about, and what it needs back to go on. */
    private void preflight(String origin, String method, String path, String headers) {
        if (origin == null) {
            return;
        }
        Response response = check(given().header("Origin", origin).header("Access-Control-Request-Method", method)
                .header("Access-Control-Request-Headers", headers).options(path), "OPTIONS " + path);
        assertEquals(origin, response.header("Access-Control-Allow-Origin"), "preflight of " + path);
        assertTrue(response.header("Access-Control-Allow-Methods").contains(method), response.headers().toString());
        for (String header : headers.split(",")) {
            assertTrue(response.header("Access-Control-Allow-Headers").toLowerCase().contains(header),
                    header + " not allowed: " + response.headers());
        }
    }

    /** socket.io-client 4 on the long-polling transport, as far as the app uses it: connect, stay, leave. */
    private final class SocketIoClient {

        private final String origin;
        private String sid;

        SocketIoClient(String origin) {
            this.origin = origin;
        }

        private String url() {
            return "/socket.io/?EIO=4&transport=polling&t=" + Long.toString(System.nanoTime(), 36)
                    + (sid == null ? "" : "&sid=" + sid);
        }

        void connect() throws Exception {
            Response open = check(request(origin).get(url()), "GET /socket.io/ (open)");
            String body = open.asString();
            assertTrue(body.startsWith("0{"), body);
            assertTrue(open.contentType().startsWith("text/plain"), open.contentType());
            JsonPath handshake = JsonPath.from(body.substring(1));
            sid = handshake.getString("sid");
            assertTrue(sid != null && !sid.isEmpty(), body);
            assertEquals(List.of(), handshake.getList("upgrades"), "polling only: no upgrade offered");
            assertEquals(25000, handshake.getInt("pingInterval"));
            assertEquals(20000, handshake.getInt("pingTimeout"));
            assertTrue(handshake.getInt("maxPayload") > 0, body);

            Response connect = check(request(origin).contentType("text/plain;charset=UTF-8").body("40").post(url()),
                    "POST /socket.io/ (connect)");
            assertEquals("ok", connect.asString());
            String ack = check(request(origin).get(url()), "GET /socket.io/ (connect ack)").asString();
            assertTrue(ack.startsWith("40{\"sid\":\""), ack);
            assertFalse(ack.contains(sid), "the namespace's sid is not the session's");
        }

        /** The poll the client keeps open is held, and released when the client leaves. */
        void close() throws Exception {
            CompletableFuture<Response> held = CompletableFuture.supplyAsync(() -> request(origin).get(url()));
            Thread.sleep(500);
            assertFalse(held.isDone(), "a poll with nothing to deliver is held, not answered at once");
            check(request(origin).contentType("text/plain;charset=UTF-8").body("41\u001e1").post(url()),
                    "POST /socket.io/ (leave)");
            Response released = check(held.get(10, TimeUnit.SECONDS), "GET /socket.io/ (held poll)");
            assertEquals("1", released.asString());
            Response after = request(origin).get(url());
            assertEquals(400, after.statusCode(), "the session is gone");
        }
    }

    /** The PNG with a tEXt chunk inserted after IHDR. */
    private static byte[] withTextChunk(byte[] png, String keyword, String text) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.writeBytes(keyword.getBytes(StandardCharsets.ISO_8859_1));
        data.write(0);
        data.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
        byte[] type = "tEXt".getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(type);
        crc.update(data.toByteArray());
        int afterIhdr = 8 + 8 + 13 + 4;
        ByteBuffer out = ByteBuffer.allocate(png.length + 12 + data.size());
        out.put(png, 0, afterIhdr).putInt(data.size()).put(type).put(data.toByteArray()).putInt((int) crc.getValue())
                .put(png, afterIhdr, png.length - afterIhdr);
        return out.array();
    }
}
