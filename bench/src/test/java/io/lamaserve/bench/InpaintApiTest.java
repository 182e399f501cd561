package io.lamaserve.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InpaintApiTest {

    // Bytes include CR, LF, dashes and NUL so that framing mistakes would corrupt them.
    private static final byte[] IMAGE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', '-', '-', 0, (byte) 0xff, 42};
    private static final byte[] MASK = {(byte) 0x89, 'P', 'N', 'G', 0, 0, '\r', '\n', (byte) 0xff};
    private static final InputPair INPUT = new InputPair("cat", 640, 480, IMAGE, "image/png", MASK);

    @Test
    void lamaRequestIsWellFormedMultipartThatTheServerCanParse() throws Exception {
        AtomicReference<Map<String, MultipartParser.Part>> seen = new AtomicReference<>();
        AtomicReference<String> seenPath = new AtomicReference<>();
        FakeInpaintServer.Responder parsing = (n, path, type, body) -> {
            seenPath.set(path);
            try {
                seen.set(MultipartParser.parse(type, body));
                return FakeInpaintServer.Reply.image();
            } catch (IllegalArgumentException e) {
                return new FakeInpaintServer.Reply(400, e.getMessage().getBytes(StandardCharsets.UTF_8));
            }
        };
        PreparedRequest request = InpaintApi.LAMA.prepare(INPUT, new RequestSettings("Crop", "jpeg"));
        try (FakeInpaintServer server = new FakeInpaintServer(0, false, parsing);
             RequestSender sender = new RequestSender(server.url(), List.of(request), Duration.ofSeconds(5))) {
            Outcome outcome = sender.send();

            assertTrue(outcome.success(), outcome.toString());
        }
        assertEquals("/v1/inpaint", seenPath.get());
        Map<String, MultipartParser.Part> parts = seen.get();
        assertEquals(List.of("image", "mask", "hd_strategy", "format"), List.copyOf(parts.keySet()));
        assertArrayEquals(IMAGE, parts.get("image").content());
        assertEquals("image/png", parts.get("image").contentType());
        assertEquals("cat.png", parts.get("image").fileName());
        assertArrayEquals(MASK, parts.get("mask").content());
        assertEquals("Crop", new String(parts.get("hd_strategy").content(), StandardCharsets.UTF_8));
        assertEquals("jpeg", new String(parts.get("format").content(), StandardCharsets.UTF_8));
    }

    @Test
    void lamaRequestLeavesOutUnsetOptions() {
        PreparedRequest request = InpaintApi.LAMA.prepare(INPUT, new RequestSettings(null, null));

        assertEquals(List.of("image", "mask"),
                List.copyOf(MultipartParser.parse(request.contentType(), request.body()).keySet()));
    }

    @Test
    void iopaintRequestIsJsonWithDataUrlsThatTheServerCanParse() throws Exception {
        AtomicReference<JsonNode> seen = new AtomicReference<>();
        AtomicReference<String> seenPath = new AtomicReference<>();
        FakeInpaintServer.Responder parsing = (n, path, type, body) -> {
            seenPath.set(path);
            try {
                if (!"application/json".equals(type)) {
                    return new FakeInpaintServer.Reply(415, new byte[0]);
                }
                seen.set(new ObjectMapper().readTree(body));
                return FakeInpaintServer.Reply.image();
            } catch (java.io.IOException e) {
                return new FakeInpaintServer.Reply(400, new byte[0]);
            }
        };
        PreparedRequest request = InpaintApi.IOPAINT.prepare(INPUT, RequestSettings.DEFAULTS);
        try (FakeInpaintServer server = new FakeInpaintServer(0, false, parsing);
             RequestSender sender = new RequestSender(server.url(), List.of(request), Duration.ofSeconds(5))) {
            assertTrue(sender.send().success());
        }
        assertEquals("/api/v1/inpaint", seenPath.get());
        JsonNode json = seen.get();
        assertArrayEquals(IMAGE, decodeDataUrl(json.get("image").asText(), "image/png"));
        assertArrayEquals(MASK, decodeDataUrl(json.get("mask").asText(), "image/png"));
        assertEquals("Crop", json.get("hd_strategy").asText());
        assertEquals(128, json.get("hd_strategy_crop_margin").asInt());
        assertEquals(800, json.get("hd_strategy_crop_trigger_size").asInt());
        assertEquals(1280, json.get("hd_strategy_resize_limit").asInt());
        assertTrue(json.get("sd_keep_unmasked_area").asBoolean());
        assertFalse(json.has("format"));
    }

    @Test
    void requestPathsResolveBelowABaseUrlWithAPathPrefix() throws Exception {
        AtomicReference<String> seenPath = new AtomicReference<>();
        FakeInpaintServer.Responder recording = (n, path, type, body) -> {
            seenPath.set(path);
            return FakeInpaintServer.Reply.image();
        };
        PreparedRequest request = InpaintApi.IOPAINT.prepare(INPUT, RequestSettings.DEFAULTS);
        try (FakeInpaintServer server = new FakeInpaintServer(0, false, recording)) {
            RunOptions options = RunOptions.parse(List.of("--url", server.url() + "gateway/lama"));
            try (RequestSender sender = new RequestSender(options.url(), List.of(request), Duration.ofSeconds(5))) {
                assertTrue(sender.send().success());
            }
        }
        assertEquals("/gateway/lama/api/v1/inpaint", seenPath.get());
    }

    @Test
    void parsesApiNames() {
        assertEquals(InpaintApi.LAMA, InpaintApi.parse("lama"));
        assertEquals(InpaintApi.IOPAINT, InpaintApi.parse("IOPaint"));
        assertThrows(IllegalArgumentException.class, () -> InpaintApi.parse("triton"));
    }

    private static byte[] decodeDataUrl(String url, String mediaType) {
        String prefix = "data:" + mediaType + ";base64,";
        assertTrue(url.startsWith(prefix), url.substring(0, Math.min(40, url.length())));
        return Base64.getDecoder().decode(url.substring(prefix.length()));
    }
}
