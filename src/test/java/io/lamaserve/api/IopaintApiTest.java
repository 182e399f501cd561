package io.lamaserve.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class IopaintApiTest {

    @BeforeEach
    void serviceIsWarm() {
        Readiness.await();
    }

    /** Exactly what IOPaint's web app posts (web_app/src/lib/api.ts), misspelt keys included. */
    static Map<String, Object> webClientBody(byte[] image, String imageMime, byte[] mask) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("image", TestImages.dataUrl(image, imageMime));
        body.put("mask", TestImages.dataUrl(mask, "image/png"));
        body.put("ldm_steps", 30);
        body.put("ldm_sampler", "ddim");
        body.put("zits_wireframe", true);
        body.put("cv2_flag", "INPAINT_NS");
        body.put("cv2_radius", 5);
        body.put("hd_strategy", "Crop");
        body.put("hd_strategy_crop_triger_size", 640);
        body.put("hd_strategy_crop_margin", 128);
        body.put("hd_trategy_resize_imit", 2048);
        body.put("prompt", "");
        body.put("negative_prompt", "");
        body.put("use_croper", false);
        body.put("croper_x", 0);
        body.put("croper_y", 0);
        body.put("croper_height", 512);
        body.put("croper_width", 512);
        body.put("use_extender", false);
        body.put("sd_scale", 1.0);
        body.put("sd_mask_blur", 5);
        body.put("sd_strength", 1.0);
        body.put("sd_steps", 50);
        body.put("sd_guidance_scale", 7.5);
        body.put("sd_sampler", "DPM++ 2M");
        body.put("sd_seed", 42);
        body.put("sd_match_histograms", false);
        body.put("sd_lcm_lora", false);
        body.put("paint_by_example_example_image", null);
        body.put("p2p_image_guidance_scale", 1.5);
        body.put("enable_controlnet", false);
        body.put("controlnet_conditioning_scale", 0.4);
        body.put("controlnet_method", "");
        body.put("enable_brushnet", false);
        body.put("brushnet_method", "random_mask");
        body.put("brushnet_conditioning_scale", 1.0);
        body.put("enable_powerpaint_v2", false);
        body.put("powerpaint_task", "text-guided");
        return body;
    }

    private static Response post(Object body) {
        return given().contentType(ContentType.JSON).body(body).when().post("/api/v1/inpaint");
    }

    static void assertUnmaskedUnchanged(BufferedImage input, BufferedImage mask, BufferedImage output) {
        assertEquals(input.getWidth(), output.getWidth(), "width");
        assertEquals(input.getHeight(), output.getHeight(), "height");
        int changedInMask = 0;
        for (int y = 0; y < input.getHeight(); y++) {
            for (int x = 0; x < input.getWidth(); x++) {
                int before = input.getRGB(x, y);
                int after = output.getRGB(x, y);
                if (TestImages.painted(mask, x, y)) {
                    changedInMask += before != after ? 1 : 0;
                } else if (before != after) {
                    throw new AssertionError("unmasked pixel (" + x + "," + y + ") changed: "
                            + Integer.toHexString(before) + " -> " + Integer.toHexString(after));
                }
            }
        }
        assertTrue(changedInMask > 0, "the model changed nothing inside the mask");
    }

    @Test
    void webClientRequestFillsOnlyTheMask() {
        BufferedImage image = TestImages.photo(640, 480, BufferedImage.TYPE_INT_RGB, 1);
        BufferedImage mask = TestImages.strokeMask(640, 480, new int[][]{{100, 100, 300, 200}, {400, 300, 420, 420}}, 24);
        Response response = post(webClientBody(TestImages.encode(image, "png"), "image/png", TestImages.encode(mask, "png")));
        response.then().statusCode(200).contentType("image/png").header("X-Seed", "42")
                // receiving and parsing the JSON body is reported before the three phases of the pipeline
                .header("Server-Timing", org.hamcrest.Matchers.matchesPattern(
                        "receive;dur=[0-9]+\\.[0-9], prepare;dur=.*, inference;dur=.*, finish;dur=.*"));
        assertUnmaskedUnchanged(image, mask, TestImages.decode(response.asByteArray()));
    }

    @Test
    void cropStrategyWithTwoDistantStrokesOnALargeImage() {
        BufferedImage image = TestImages.photo(1600, 1000, BufferedImage.TYPE_INT_RGB, 2);
        BufferedImage mask = TestImages.strokeMask(1600, 1000, new int[][]{{100, 100, 200, 160}, {1400, 800, 1500, 900}}, 20);
        Map<String, Object> body = webClientBody(TestImages.encode(image, "png"), "image/png", TestImages.encode(mask, "png"));
        Response response = post(body);
        response.then().statusCode(200);
        assertUnmaskedUnchanged(image, mask, TestImages.decode(response.asByteArray()));
    }

    @Test
    void originalAndResizeStrategies() {
        BufferedImage image = TestImages.photo(1500, 700, BufferedImage.TYPE_INT_RGB, 3);
        BufferedImage mask = TestImages.strokeMask(1500, 700, new int[][]{{300, 300, 1200, 400}}, 30);
        for (String strategy : new String[]{"Original", "Resize"}) {
            Map<String, Object> body = webClientBody(TestImages.encode(image, "png"), "image/png", TestImages.encode(mask, "png"));
            body.put("hd_strategy", strategy);
            body.put("hd_strategy_resize_limit", 1000);
            Response response = post(body);
            response.then().statusCode(200);
            assertUnmaskedUnchanged(image, mask, TestImages.decode(response.asByteArray()));
        }
    }

    @Test
    void exifRotatedInputIsTurnedUprightFirst() {
        BufferedImage upright = TestImages.photo(200, 300, BufferedImage.TYPE_INT_RGB, 12);
        byte[] stored = TestImages.pngWithOrientation(TestImages.storedForOrientation6(upright), 6);
        BufferedImage mask = TestImages.strokeMask(200, 300, new int[][]{{30, 40, 170, 260}}, 16);
        Response response = post(webClientBody(stored, "image/png", TestImages.encode(mask, "png")));
        response.then().statusCode(200);
        assertUnmaskedUnchanged(upright, mask, TestImages.decode(response.asByteArray()));
    }

    @Test
    void jpegInJpegOut() {
        BufferedImage image = TestImages.photo(300, 200, BufferedImage.TYPE_INT_RGB, 4);
        BufferedImage mask = TestImages.strokeMask(300, 200, new int[][]{{50, 50, 250, 150}}, 16);
        post(webClientBody(TestImages.encode(image, "jpeg"), "image/jpeg", TestImages.encode(mask, "png")))
                .then().statusCode(200).contentType("image/jpeg");
    }

    @Test
    void alphaChannelIsKept() {
        BufferedImage image = TestImages.photo(256, 256, BufferedImage.TYPE_INT_ARGB, 5);
        BufferedImage mask = TestImages.strokeMask(256, 256, new int[][]{{40, 40, 200, 200}}, 20);
        Response response = post(webClientBody(TestImages.encode(image, "png"), "image/png", TestImages.encode(mask, "png")));
        response.then().statusCode(200).contentType("image/png");
        BufferedImage output = TestImages.decode(response.asByteArray());
        assertTrue(output.getColorModel().hasAlpha(), "output lost its alpha channel");
        for (int y = 0; y < 256; y++) {
            for (int x = 0; x < 256; x++) {
                assertEquals(image.getRGB(x, y) >>> 24, output.getRGB(x, y) >>> 24, "alpha at " + x + "," + y);
            }
        }
    }

    @Test
    void emptyMaskReturnsTheImageUnchanged() {
        BufferedImage image = TestImages.photo(200, 100, BufferedImage.TYPE_INT_RGB, 6);
        BufferedImage mask = new BufferedImage(200, 100, BufferedImage.TYPE_BYTE_GRAY);
        Response response = post(Map.of("image", TestImages.dataUrl(TestImages.encode(image, "png"), "image/png"),
                "mask", TestImages.dataUrl(TestImages.encode(mask, "png"), "image/png")));
        response.then().statusCode(200);
        BufferedImage output = TestImages.decode(response.asByteArray());
        for (int y = 0; y < 100; y++) {
            for (int x = 0; x < 200; x++) {
                assertEquals(image.getRGB(x, y), output.getRGB(x, y));
            }
        }
    }

    @Test
    void randomSeedIsReplacedAndEchoed() {
        BufferedImage image = TestImages.photo(64, 64, BufferedImage.TYPE_INT_RGB, 7);
        BufferedImage mask = TestImages.strokeMask(64, 64, new int[][]{{10, 10, 50, 50}}, 6);
        Map<String, Object> body = webClientBody(TestImages.encode(image, "png"), "image/png", TestImages.encode(mask, "png"));
        body.put("sd_seed", -1);
        String seed = post(body).then().statusCode(200).extract().header("X-Seed");
        long value = Long.parseLong(seed);
        assertTrue(value >= 1 && value <= 99_999_999, "seed " + value);
    }

    @Test
    void sizeMismatchIsA400InIopaintsWords() {
        byte[] image = TestImages.encode(TestImages.photo(64, 48, BufferedImage.TYPE_INT_RGB, 8), "png");
        byte[] mask = TestImages.encode(new BufferedImage(32, 24, BufferedImage.TYPE_BYTE_GRAY), "png");
        post(Map.of("image", TestImages.dataUrl(image, "image/png"), "mask", TestImages.dataUrl(mask, "image/png")))
                .then().statusCode(400).contentType(ContentType.JSON)
                .body("detail", containsString("Image size((48, 64)) and mask size((24, 32)) not match"));
    }

    @Test
    void malformedInputsAreExplained() {
        byte[] png = TestImages.encode(TestImages.photo(32, 32, BufferedImage.TYPE_INT_RGB, 9), "png");
        String good = TestImages.dataUrl(png, "image/png");
        post(Map.of("image", "not base64 at all!", "mask", good))
                .then().statusCode(400).body("detail", containsString("image: invalid base64"));
        post(Map.of("mask", good))
                .then().statusCode(400).body("detail", containsString("image: missing"));
        post(Map.of("image", "data:text/plain;base64,aGVsbG8=", "mask", good))
                .then().statusCode(400).body("detail", containsString("MIME type text/plain"));
        post(Map.of("image", TestImages.dataUrl("hello".getBytes(), "image/png"), "mask", good))
                .then().statusCode(400).body("error", equalTo("ImageInputError"));
        post(Map.of("image", good, "mask", good, "hd_strategy", "Zoom"))
                .then().statusCode(400).body("detail", containsString("Zoom"));
        post(Map.of("image", good, "mask", good, "hd_strategy_crop_margin", "wide"))
                .then().statusCode(422).body("detail", containsString("hd_strategy_crop_margin"));
        given().contentType(ContentType.JSON).body("{\"image\": ").when().post("/api/v1/inpaint")
                .then().statusCode(400).contentType(ContentType.JSON).body("detail", containsString("JSON"));
    }

    @Test
    void serverConfigAndModelDescribeLama() {
        given().when().get("/api/v1/server-config").then().statusCode(200)
                .body("modelInfos.name", hasItem("lama"))
                .body("disableModelSwitch", equalTo(true))
                .body("plugins.size()", equalTo(0));
        given().when().get("/api/v1/model").then().statusCode(200)
                .body("name", equalTo("lama"))
                .body("model_type", equalTo("inpaint"))
                .body("need_prompt", equalTo(false));
        given().contentType(ContentType.JSON).body(Map.of("name", "sd15")).when().post("/api/v1/model")
                .then().statusCode(400).body("detail", containsString("sd15"));
    }

    @Test
    void openApiDescribesTheBinaryAnswer() {
        given().when().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.'/api/v1/inpaint'.post.responses.'200'.content.'image/png'.schema.format", equalTo("binary"))
                .body("paths.'/v1/inpaint'.post.responses.'200'.content.'image/jpeg'.schema.format", equalTo("binary"))
                .body("paths.'/api/v1/inpaint'.post.responses.'429'.headers", org.hamcrest.Matchers.hasKey("Retry-After"))
                .body("paths.'/v1/inpaint'.post.responses.'400'.content.'application/json'.schema.'$ref'",
                        equalTo("#/components/schemas/ApiError"))
                .body("components.schemas.ApiError.properties", org.hamcrest.Matchers.hasKey("detail"))
                .body("paths.'/api/v1/model'.post.responses.'200'.content.'application/json'.schema.'$ref'",
                        equalTo("#/components/schemas/ModelInfo"))
                .body("paths", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasKey("/q/openapi")));
    }

    @Test
    void openApiDocumentIsYamlUnlessJsonIsAskedFor() {
        given().when().get("/q/openapi").then().statusCode(200)
                .contentType(org.hamcrest.Matchers.startsWith("application/yaml"))
                .body(containsString("openapi: 3.1.0"), containsString("  /v1/inpaint:"));
        given().accept("application/json").when().get("/q/openapi").then().statusCode(200)
                .contentType(org.hamcrest.Matchers.startsWith("application/json"))
                .body("info.title", equalTo("lama-serve"));
        given().when().get("/q/openapi?format=YAML").then().statusCode(200)
                .contentType(org.hamcrest.Matchers.startsWith("application/yaml"));
        given().when().get("/q/openapi?format=xml").then().statusCode(400)
                .body("detail", containsString("expected json or yaml"));
    }

    @Test
    void readyAfterWarmUp() {
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.data.engine", hasItem("onnxruntime-cpu"));
        given().when().get("/q/health/live").then().statusCode(200);
        given().when().get("/q/health/started").then().statusCode(200);
    }

    @Test
    void corsAndStaticFilesAreOffUnlessConfigured() {
        io.restassured.response.Response preflight = given().header("Origin", "http://localhost:5173")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type")
                .options("/api/v1/inpaint");
        assertEquals(null, preflight.header("Access-Control-Allow-Origin"), "CORS is off: " + preflight.headers());
        given().header("Origin", "http://localhost:5173").get("/api/v1/server-config").then().statusCode(200)
                .header("Access-Control-Allow-Origin", org.hamcrest.Matchers.nullValue());
        given().get("/").then().statusCode(404);
        given().get("/index.html").then().statusCode(404);
    }

    @Test
    void startupCallsOfTheWebAppAreAnsweredWithoutAnyConfiguration() {
        given().get("/api/v1/inputimage").then().statusCode(200).contentType(ContentType.JSON)
                .body("detail", equalTo("No input image configured"));
        given().get("/socket.io/?EIO=4&transport=polling").then().statusCode(200)
                .body(org.hamcrest.Matchers.startsWith("0{\"sid\":"));
        given().get("/socket.io/?EIO=3&transport=polling").then().statusCode(400).contentType(ContentType.JSON)
                .body("detail", containsString("Engine.IO protocol 4"));
        given().get("/socket.io/?EIO=4&transport=polling&sid=gone").then().statusCode(400)
                .body("detail", containsString("unknown or expired session"));
    }
}
