package io.lamaserve.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

@QuarkusTest
class BinaryApiTest {

    @BeforeEach
    void serviceIsWarm() {
        Readiness.await();
    }

    private final BufferedImage image = TestImages.photo(320, 240, BufferedImage.TYPE_INT_RGB, 11);
    private final BufferedImage mask = TestImages.strokeMask(320, 240, new int[][]{{40, 60, 280, 180}}, 18);

    @Test
    void multipartInImageOut() {
        Response response = given()
                .multiPart("image", "photo.png", TestImages.encode(image, "png"), "image/png")
                .multiPart("mask", "mask.png", TestImages.encode(mask, "png"), "image/png")
                .when().post("/v1/inpaint");
        response.then().statusCode(200).contentType("image/png")
                .header("Server-Timing", org.hamcrest.Matchers.matchesPattern(
                        "receive;dur=[0-9]+\\.[0-9], prepare;dur=[0-9]+\\.[0-9], inference;dur=[0-9]+\\.[0-9], "
                                + "finish;dur=[0-9]+\\.[0-9]"));
        IopaintApiTest.assertUnmaskedUnchanged(image, mask, TestImages.decode(response.asByteArray()));
        // the executor's split of the batch's time is exported, one series per phase
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String phase : new String[]{"stage-in", "compute", "stage-out"}) {
            org.hamcrest.MatcherAssert.assertThat(metrics, org.hamcrest.Matchers.matchesPattern(
                    "(?s).*lama_engine_batch_phase_seconds_count\\{phase=\"" + phase + "\"} [1-9].*"));
        }
    }

    @Test
    void formatAndStrategyParts() {
        given().multiPart("image", "photo.png", TestImages.encode(image, "png"), "image/png")
                .multiPart("mask", "mask.png", TestImages.encode(mask, "png"), "image/png")
                .multiPart("format", "jpeg").multiPart("quality", "80").multiPart("hd_strategy", "original")
                .when().post("/v1/inpaint")
                .then().statusCode(200).contentType("image/jpeg");
    }

    @Test
    void missingPartsAndBadParametersAre400() {
        given().multiPart("image", "photo.png", TestImages.encode(image, "png"), "image/png")
                .when().post("/v1/inpaint")
                .then().statusCode(400).contentType(ContentType.JSON).body("detail", containsString("\"mask\" is missing"));
        given().multiPart("image", "photo.png", TestImages.encode(image, "png"), "image/png")
                .multiPart("mask", "mask.png", TestImages.encode(mask, "png"), "image/png")
                .multiPart("format", "webp")
                .when().post("/v1/inpaint")
                .then().statusCode(400).body("detail", containsString("format"));
        given().multiPart("image", "photo.png", TestImages.encode(image, "png"), "image/png")
                .multiPart("mask", "mask.png", TestImages.encode(mask, "png"), "image/png")
                .multiPart("quality", "1000")
                .when().post("/v1/inpaint")
                .then().statusCode(400).body("detail", containsString("quality"));
        given().multiPart("image", "photo.png", TestImages.encode(image, "png"), "image/png")
                .multiPart("mask", "mask.png", TestImages.encode(mask, "png"), "image/png")
                .header(ClientDeadline.HEADER, "soon")
                .when().post("/v1/inpaint")
                .then().statusCode(400).body("detail", containsString(ClientDeadline.HEADER));
    }

    @Test
    void decompressionBombIsRefusedFromItsHeader() throws IOException {
        byte[] bomb = pngDeclaring(50_000, 50_000);
        given().multiPart("image", "bomb.png", bomb, "image/png")
                .multiPart("mask", "bomb.png", bomb, "image/png")
                .when().post("/v1/inpaint")
                .then().statusCode(413).body("detail", containsString("pixels"));
    }

    @Test
    void bodyOverTheLimitIsRefusedWithAMessage() throws Exception {
        byte[] large = new byte[33 * 1024 * 1024];
        // with a Content-Length: refused before the body is read
        java.net.http.HttpResponse<String> early = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(io.restassured.RestAssured.baseURI + ":"
                                + io.restassured.RestAssured.port + "/v1/inpaint"))
                        .header("Content-Type", "multipart/form-data; boundary=x")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(large)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        org.junit.jupiter.api.Assertions.assertEquals(413, early.statusCode());
        org.junit.jupiter.api.Assertions.assertTrue(early.body().contains("request body is 34603008 bytes"), early.body());
        // streamed (chunked) without a length: refused once the parts are in
        given().multiPart("image", "large.png", large, "image/png")
                .multiPart("mask", "mask.png", TestImages.encode(mask, "png"), "image/png")
                .when().post("/v1/inpaint")
                .then().statusCode(413).contentType(ContentType.JSON)
                .body("detail", containsString("lama.limits.max-body-bytes"));
    }

    /** A PNG whose header declares the given size and whose data is a few bytes: decoding it would need gigabytes. */
    static byte[] pngDeclaring(int width, int height) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream header = new DataOutputStream(ihdr);
        header.writeInt(width);
        header.writeInt(height);
        header.write(new byte[]{8, 2, 0, 0, 0});
        chunk(out, "IHDR", ihdr.toByteArray());
        chunk(out, "IDAT", new byte[]{0x78, (byte) 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
        chunk(out, "IEND", new byte[0]);
        return bytes.toByteArray();
    }

    private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        out.writeInt(data.length);
        out.write(typeBytes);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeInt((int) crc.getValue());
    }
}
