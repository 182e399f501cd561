package io.lamaserve.hostile;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lamaserve.hostile.HostileCase.Endpoint;
import io.lamaserve.hostile.HostileCase.Expected;
import io.lamaserve.hostile.HostileCase.ImageCheck;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.lamaserve.hostile.HostileCase.Expected.error;
import static io.lamaserve.hostile.HostileCase.Expected.image;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hostile-input table: broken, lying, exotic and malformed requests, each with the answer the service owes.
 * Unreadable or inconsistent input must get a 4xx whose message names the problem; unusual input the service
 * supports must get a 200 whose unmasked pixels are the input's.
 */
final class HostileCases {

    static final String BOUNDARY = "hostile-boundary-7f3a";
    static final int W = 96;
    static final int H = 64;
    /** The filled rectangle of the standard mask: x, y, width, height. */
    static final int[] HOLE = {20, 16, 40, 24};
    /** One byte over the default lama.limits.max-body-bytes (32 MiB). */
    static final int OVER_LIMIT = 32 * 1024 * 1024 + 1;

    /** Twice the default lama.limits.max-body-bytes. */
    static final int TWICE_THE_LIMIT = 64 * 1024 * 1024;
    /**
     * A header the test client does not send: it sends the body without Content-Length, in chunks, as a client
     * streaming an upload of unknown size does.
     */
    static final String CHUNKED = "X-Test-Send-Chunked";

    /** Marks a part name in {@link #multipartBody} as a plain form field even when it is image or mask. */
    private static final String FIELD = "field:";
    private static final ObjectMapper JSON = new ObjectMapper();

    private HostileCases() {
    }

    /** Every case; {@code withOversizedBodies} false leaves out the four bodies over the limits (for repeated runs). */
    static List<HostileCase> all(boolean withOversizedBodies) {
        List<HostileCase> cases = new ArrayList<>();
        BufferedImage photo = HostileFiles.photo(W, H, 7);
        byte[] png = HostileFiles.encode(photo, "png");
        byte[] jpeg = HostileFiles.encode(photo, "jpeg");
        BufferedImage hole = HostileFiles.mask(W, H, HOLE[0], HOLE[1], HOLE[2], HOLE[3]);
        byte[] mask = HostileFiles.encode(hole, "png");

        // --- broken or lying files: both endpoints --------------------------------------------------------------
        both(cases, "truncated PNG (first half)", HostileFiles.truncated(png, png.length / 2), mask,
                error(400, "image: cannot decode PNG", "the pixel data ends early"));
        both(cases, "truncated PNG (signature and half a header)", HostileFiles.truncated(png, 20), mask,
                error(400, "image: cannot decode PNG", "no complete header"));
        both(cases, "corrupt PNG pixel data", HostileFiles.corruptPngData(png), mask,
                error(400, "image: cannot decode PNG", "the compressed data does not inflate"));
        both(cases, "truncated JPEG (first half)", HostileFiles.truncated(jpeg, jpeg.length / 2), mask,
                error(400, "image: cannot decode JPEG", "the scan ends early; PIL refuses such files too"));
        both(cases, "corrupt JPEG header", HostileFiles.corruptJpegHeader(jpeg), mask,
                error(400, "image: cannot decode JPEG", "the markers are junk"));
        both(cases, "non-image file (PDF)", "%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n".getBytes(StandardCharsets.US_ASCII),
                mask, error(400, "image: not a", "the file type is not one the service decodes"));
        both(cases, "empty image file", new byte[0], mask, error(400, "image: missing", "nothing to decode"));
        both(cases, "mask is not an image", png, "hello".getBytes(StandardCharsets.US_ASCII),
                error(400, "mask: not a", "the mask must be an image file"));
        both(cases, "image and mask sizes differ", png, HostileFiles.encode(HostileFiles.mask(W + 1, H, 0, 0, 8, 8), "png"),
                error(400, "not match", "the mask must cover the image pixel for pixel (IOPaint's message)"));
        both(cases, "0×0 PNG", HostileFiles.pngDeclaring(0, 0), mask,
                error(400, "image", "an image without pixels cannot be inpainted"));
        both(cases, "decompression bomb: 500-byte PNG declaring 50000×50000", HostileFiles.pngDeclaring(50_000, 50_000),
                mask, error(413, "pixels, the limit is", "refused from the header, before any pixel is decoded"));
        both(cases, "decompression bomb as the mask", png, HostileFiles.pngDeclaring(50_000, 50_000),
                error(413, "mask is 50000×50000", "both headers are checked before either file is decoded"));

        // --- unusual but supported files: both endpoints --------------------------------------------------------
        BufferedImage tiny = HostileFiles.photo(1, 1, 3);
        both(cases, "1×1 image, 1×1 white mask", HostileFiles.encode(tiny, "png"),
                HostileFiles.encode(HostileFiles.solid(1, 1, 0xFFFFFF), "png"),
                image("image/png", "a single pixel is a valid image", sizeIs(1, 1)));
        BufferedImage wide = HostileFiles.photo(4000, 3, 5);
        both(cases, "extreme aspect ratio 4000×3", HostileFiles.encode(wide, "png"),
                HostileFiles.encode(HostileFiles.mask(4000, 3, 1000, 0, 50, 3), "png"),
                image("image/png", "cropped around the mask like any image", unmaskedUnchanged(wide, 1000, 0, 50, 3, 0)));
        BufferedImage tall = HostileFiles.photo(3, 4000, 6);
        both(cases, "extreme aspect ratio 3×4000", HostileFiles.encode(tall, "png"),
                HostileFiles.encode(HostileFiles.mask(3, 4000, 0, 3900, 3, 60), "png"),
                image("image/png", "cropped around the mask like any image", unmaskedUnchanged(tall, 0, 3900, 3, 60, 0)));
        BufferedImage frame = HostileFiles.posterized(W, H, 0);
        both(cases, "animated GIF (3 frames)", HostileFiles.animatedGif(frame, HostileFiles.posterized(W, H, 3),
                        HostileFiles.posterized(W, H, 5)), mask,
                image("image/png", "the first frame is inpainted, as IOPaint (PIL) reads it; answered as PNG",
                        unmaskedUnchanged(frame, HOLE[0], HOLE[1], HOLE[2], HOLE[3], 0)));
        both(cases, "CMYK JPEG", HostileFiles.cmykJpeg(W, H), mask,
                image("image/jpeg", "converted to RGB; answered as JPEG like every JPEG input", sizeIs(W, H)));
        both(cases, "16-bit RGB PNG", HostileFiles.png16(photo), mask,
                image("image/png", "samples are reduced to 8 bits", unmaskedUnchanged(photo, HOLE[0], HOLE[1], HOLE[2], HOLE[3], 0)));
        BufferedImage palette = HostileFiles.paletteWithTransparency(W, H);
        both(cases, "palette PNG with transparency", HostileFiles.encode(palette, "png"), mask,
                image("image/png", "palette looked up, alpha kept in the answer",
                        unmaskedUnchanged(palette, HOLE[0], HOLE[1], HOLE[2], HOLE[3], 0)));
        both(cases, "all-black mask", png, HostileFiles.encode(HostileFiles.solid(W, H, 0), "png"),
                image("image/png", "nothing to fill: the input file comes back byte for byte, no inference",
                        response -> assertArrayEquals(png, response.body(), "the input file itself")));
        both(cases, "all-white mask", png, HostileFiles.encode(HostileFiles.solid(W, H, 0xFFFFFF), "png"),
                image("image/png", "everything is filled", changedInside(photo, 0, 0, W, H)));
        both(cases, "RGBA mask whose only content is alpha", png,
                HostileFiles.encode(HostileFiles.alphaOnlyMask(W, H, HOLE[0], HOLE[1], HOLE[2], HOLE[3]), "png"),
                image("image/png", "colour all black while alpha varies: alpha is the mask (opaque = fill)",
                        both(unmaskedUnchanged(photo, HOLE[0], HOLE[1], HOLE[2], HOLE[3], 0),
                                changedInside(photo, HOLE[0], HOLE[1], HOLE[2], HOLE[3]))));

        // --- JSON endpoint: encoding and body shape --------------------------------------------------------------
        String pngB64 = Base64.getEncoder().encodeToString(png);
        String maskB64 = Base64.getEncoder().encodeToString(mask);
        json(cases, "invalid base64 in image", "{\"image\":\"iVBOR*w0K$$\",\"mask\":\"" + maskB64 + "\"}",
                error(400, "image: invalid base64", "not base64"));
        json(cases, "data URL with MIME type text/plain", "{\"image\":\"data:text/plain;base64," + pngB64
                + "\",\"mask\":\"" + maskB64 + "\"}", error(400, "MIME type text/plain", "a data URL must say image/*"));
        json(cases, "data URL not base64-encoded", "{\"image\":\"data:image/png,abc\",\"mask\":\"" + maskB64 + "\"}",
                error(400, "must be base64-encoded", "only base64 data URLs carry binary images"));
        json(cases, "image is a JSON object", "{\"image\":{\"data\":1},\"mask\":\"" + maskB64 + "\"}",
                error(422, "image: expected a string", "wrong JSON type (IOPaint answers 422 too)"));
        json(cases, "crop margin is a string", "{\"image\":\"" + pngB64 + "\",\"mask\":\"" + maskB64
                + "\",\"hd_strategy_crop_margin\":\"lots\"}", error(422, "hd_strategy_crop_margin: expected an integer", "wrong JSON type"));
        json(cases, "sd_keep_unmasked_area is a list", "{\"image\":\"" + pngB64 + "\",\"mask\":\"" + maskB64
                + "\",\"sd_keep_unmasked_area\":[1]}", error(422, "sd_keep_unmasked_area: expected true or false", "wrong JSON type"));
        json(cases, "image data in an integer field", "{\"image\":\"" + pngB64 + "\",\"mask\":\"" + maskB64
                + "\",\"hd_strategy_resize_limit\":\"" + pngB64.substring(0, 900) + "\"}",
                error(422, "hd_strategy_resize_limit: expected an integer", "wrong JSON type; the answer quotes at most 160 characters of it"));
        json(cases, "data URL whose header is image data", "{\"image\":\"data:" + pngB64 + ",xyz\",\"mask\":\"" + maskB64 + "\"}",
                error(400, "header longer than", "the header is cut, never echoed"));
        json(cases, "image is null", "{\"image\":null,\"mask\":\"" + maskB64 + "\"}",
                error(400, "image: missing", "a required field is null"));
        json(cases, "mask is absent", "{\"image\":\"" + pngB64 + "\"}", error(400, "mask: missing", "a required field is absent"));
        json(cases, "body is a JSON array", "[1,2,3]", error(422, "request body: expected", "the body must be an object"));
        json(cases, "a second JSON object after the first", new String(jsonBody(pngB64, maskB64), StandardCharsets.UTF_8)
                + "{}", error(400, "after the JSON object", "one request is one JSON document; trailing data is not ignored"));
        json(cases, "NaN in an integer field", "{\"image\":\"" + pngB64 + "\",\"mask\":\"" + maskB64
                + "\",\"hd_strategy_crop_margin\":NaN}", error(400, "not valid JSON", "NaN is not JSON"));
        json(cases, "number in a string field", "{\"image\":\"" + pngB64 + "\",\"mask\":\"" + maskB64
                + "\",\"hd_strategy\":3}", error(422, "hd_strategy: expected a string, got a whole number",
                "no coercion: every field in its own JSON type"));
        json(cases, "numeric string in an integer field", "{\"image\":\"" + pngB64 + "\",\"mask\":\"" + maskB64
                + "\",\"hd_strategy_crop_margin\":\"128\"}", error(422, "hd_strategy_crop_margin: expected an integer, got a string",
                "no coercion: every field in its own JSON type"));
        json(cases, "fraction in an integer field", "{\"image\":\"" + pngB64 + "\",\"mask\":\"" + maskB64
                + "\",\"hd_strategy_resize_limit\":1280.5}", error(422, "hd_strategy_resize_limit: expected an integer",
                "not rounded silently"));
        json(cases, "string in a boolean field", "{\"image\":\"" + pngB64 + "\",\"mask\":\"" + maskB64
                + "\",\"sd_keep_unmasked_area\":\"true\"}", error(422, "sd_keep_unmasked_area: expected true or false",
                "no coercion: every field in its own JSON type"));
        json(cases, "body is not JSON", "{\"image\": \"abc", error(400, "not valid JSON", "unparseable body"));
        json(cases, "empty body", "", error(400, "request body", "no JSON at all"));
        json(cases, "negative crop margin", "{\"image\":\"" + pngB64 + "\",\"mask\":\"" + maskB64
                + "\",\"hd_strategy_crop_margin\":-5}", error(400, "hd_strategy_crop_margin", "out of range"));
        json(cases, "unknown hd_strategy", "{\"image\":\"" + pngB64 + "\",\"mask\":\"" + maskB64
                + "\",\"hd_strategy\":\"Explode\"}", error(400, "hd_strategy", "not Original, Resize or Crop"));
        ObjectNode extra = JSON.createObjectNode().put("image", pngB64).put("mask", maskB64)
                .put("prompt", "a cat").put("unknown_field", 42).put("hd_strategy", (String) null);
        extra.putObject("nested").put("deep", true);
        json(cases, "extra fields and a null option", extra.toString(),
                image("image/png", "unknown fields are ignored and a null option takes its default, as in IOPaint",
                        unmaskedUnchanged(photo, HOLE[0], HOLE[1], HOLE[2], HOLE[3], 0)));
        cases.add(new HostileCase("Content-Type text/plain", Endpoint.JSON, Map.of("Content-Type", "text/plain"),
                jsonBody(pngB64, maskB64), error(415, "Content-Type", "the JSON API reads application/json only")));
        cases.add(new HostileCase("no Content-Type", Endpoint.JSON, Map.of(), jsonBody(pngB64, maskB64),
                image("image/png", "a body without Content-Type is read as JSON, as IOPaint (FastAPI) does",
                        unmaskedUnchanged(photo, HOLE[0], HOLE[1], HOLE[2], HOLE[3], 0))));
        cases.add(new HostileCase("bad X-Request-Timeout", Endpoint.JSON,
                Map.of("Content-Type", "application/json", "X-Request-Timeout", "soon"),
                jsonBody(pngB64, maskB64), error(400, "X-Request-Timeout", "not a number of seconds")));

        // --- multipart endpoint: parts and body shape ------------------------------------------------------------
        cases.add(multipart("mask part missing", parts("image", png), error(400, "\"mask\" is missing", "a required part is absent")));
        cases.add(multipart("image part missing", parts("mask", mask), error(400, "\"image\" is missing", "a required part is absent")));
        cases.add(multipart("image sent as a text field", textParts("image", "not a file", "mask", "also not"),
                error(400, ": not a PNG, JPEG", "text fields are read as (unreadable) files")));
        Map<String, byte[]> badFormat = parts("image", png, "mask", mask);
        badFormat.put("format", "webp".getBytes(StandardCharsets.US_ASCII));
        cases.add(multipart("format=webp", badFormat, error(400, "format: expected png or jpeg", "unsupported output format")));
        Map<String, byte[]> badQuality = parts("image", png, "mask", mask);
        badQuality.put("quality", "0".getBytes(StandardCharsets.US_ASCII));
        cases.add(multipart("quality=0", badQuality, error(400, "quality", "out of 1..100")));
        cases.add(new HostileCase("multipart without a boundary", Endpoint.MULTIPART,
                Map.of("Content-Type", "multipart/form-data"), multipartBody(parts("image", png, "mask", mask)),
                error(400, "multipart", "the body cannot be split into parts")));
        cases.add(new HostileCase("JSON sent to the multipart endpoint", Endpoint.MULTIPART,
                Map.of("Content-Type", "application/json"), jsonBody(pngB64, maskB64),
                error(415, "Content-Type", "the binary API reads multipart/form-data only")));

        if (withOversizedBodies) {
            byte[] oversized = new byte[OVER_LIMIT];
            cases.add(new HostileCase("body 1 byte over lama.limits.max-body-bytes", Endpoint.JSON,
                    Map.of("Content-Type", "application/json"), oversized,
                    error(413, "lama.limits.max-body-bytes", "refused from Content-Length, before the body is read")));
            cases.add(new HostileCase("body 1 byte over lama.limits.max-body-bytes", Endpoint.MULTIPART,
                    Map.of("Content-Type", "multipart/form-data; boundary=" + BOUNDARY), oversized,
                    error(413, "lama.limits.max-body-bytes", "refused from Content-Length, before the body is read")));
            byte[] longString = ("{\"image\":\"" + "A".repeat(OVER_LIMIT) + "\",\"mask\":\"\"}")
                    .getBytes(StandardCharsets.US_ASCII);
            cases.add(new HostileCase("chunked, one string over the body limit", Endpoint.JSON,
                    Map.of("Content-Type", "application/json", CHUNKED, "yes"), longString,
                    error(413, "lama.limits.max-body-bytes", "counted while the body is read; not the parser's own string limit")));
            cases.add(new HostileCase("chunked, 64 MiB", Endpoint.MULTIPART,
                    Map.of("Content-Type", "multipart/form-data; boundary=" + BOUNDARY, CHUNKED, "yes"),
                    new byte[TWICE_THE_LIMIT],
                    error(413, "lama.limits.max-body-bytes", "cut off while the body is read, with the same JSON error")));
        }
        return cases;
    }

    /** Pieces of the base64 and raw bytes the table sends, to look for where request data must not appear. */
    static List<String> payloadFragments() {
        byte[] png = HostileFiles.encode(HostileFiles.photo(W, H, 7), "png");
        String b64 = Base64.getEncoder().encodeToString(png);
        return List.of(b64.substring(b64.length() / 2, b64.length() / 2 + 24), b64.substring(40, 64));
    }

    // --- request builders ---------------------------------------------------------------------------------------

    private static void both(List<HostileCase> cases, String name, byte[] image, byte[] mask, Expected expected) {
        cases.add(new HostileCase(name, Endpoint.JSON, Map.of("Content-Type", "application/json"),
                jsonBody(Base64.getEncoder().encodeToString(image), Base64.getEncoder().encodeToString(mask)), expected));
        cases.add(multipart(name, parts("image", image, "mask", mask), expected));
    }

    private static void json(List<HostileCase> cases, String name, String body, Expected expected) {
        cases.add(new HostileCase(name, Endpoint.JSON, Map.of("Content-Type", "application/json"),
                body.getBytes(StandardCharsets.UTF_8), expected));
    }

    private static byte[] jsonBody(String image, String mask) {
        return JSON.createObjectNode().put("image", image).put("mask", mask).toString().getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, byte[]> parts(Object... nameAndBytes) {
        Map<String, byte[]> parts = new LinkedHashMap<>();
        for (int i = 0; i < nameAndBytes.length; i += 2) {
            parts.put((String) nameAndBytes[i], (byte[]) nameAndBytes[i + 1]);
        }
        return parts;
    }

    private static HostileCase multipart(String name, Map<String, byte[]> files, Expected expected) {
        return new HostileCase(name, Endpoint.MULTIPART, Map.of("Content-Type", "multipart/form-data; boundary=" + BOUNDARY),
                multipartBody(files), expected);
    }

    /** Parts named image and mask are sent as files (unless marked as fields), the others as form fields. */
    static byte[] multipartBody(Map<String, byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach((name, bytes) -> {
            boolean field = name.startsWith(FIELD);
            String partName = field ? name.substring(FIELD.length()) : name;
            boolean file = !field && (name.equals("image") || name.equals("mask"));
            out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + partName + "\""
                    + (file ? "; filename=\"" + name + ".bin\"\r\nContent-Type: application/octet-stream" : "")
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(bytes);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        });
        out.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** Form fields only (no filename), so they are not file uploads. */
    private static Map<String, byte[]> textParts(String... nameAndText) {
        Map<String, byte[]> parts = new LinkedHashMap<>();
        for (int i = 0; i < nameAndText.length; i += 2) {
            parts.put(FIELD + nameAndText[i], nameAndText[i + 1].getBytes(StandardCharsets.US_ASCII));
        }
        return parts;
    }

    // --- checks of 200 answers ----------------------------------------------------------------------------------

    private static ImageCheck both(ImageCheck first, ImageCheck second) {
        return response -> {
            first.verify(response);
            second.verify(response);
        };
    }

    private static ImageCheck sizeIs(int width, int height) {
        return response -> {
            BufferedImage output = decode(response.body());
            assertEquals(width + "×" + height, output.getWidth() + "×" + output.getHeight(), "size of the answer");
        };
    }

    /** Every pixel outside the rectangle is the input's (ARGB, within {@code tolerance} per channel). */
    private static ImageCheck unmaskedUnchanged(BufferedImage input, int x, int y, int w, int h, int tolerance) {
        return response -> {
            BufferedImage output = decode(response.body());
            assertEquals(input.getWidth() + "×" + input.getHeight(), output.getWidth() + "×" + output.getHeight());
            boolean alpha = input.getColorModel().hasAlpha();
            for (int py = 0; py < input.getHeight(); py++) {
                for (int px = 0; px < input.getWidth(); px++) {
                    if (px >= x && px < x + w && py >= y && py < y + h) {
                        continue;
                    }
                    int expected = input.getRGB(px, py);
                    int actual = output.getRGB(px, py);
                    for (int shift = alpha ? 24 : 16; shift >= 0; shift -= 8) {
                        int difference = Math.abs(((expected >>> shift) & 0xff) - ((actual >>> shift) & 0xff));
                        if (difference > tolerance) {
                            throw new AssertionError("unmasked pixel (" + px + "," + py + ") changed: "
                                    + Integer.toHexString(expected) + " -> " + Integer.toHexString(actual));
                        }
                    }
                }
            }
        };
    }

    /** Some pixel inside the rectangle differs from the input: the area was filled. */
    private static ImageCheck changedInside(BufferedImage input, int x, int y, int w, int h) {
        return response -> {
            BufferedImage output = decode(response.body());
            int changed = 0;
            for (int py = y; py < y + h; py++) {
                for (int px = x; px < x + w; px++) {
                    if ((input.getRGB(px, py) & 0xFFFFFF) != (output.getRGB(px, py) & 0xFFFFFF)) {
                        changed++;
                    }
                }
            }
            assertTrue(changed > w * h / 2, "only " + changed + " of " + w * h + " masked pixels were filled");
        };
    }

    static BufferedImage decode(byte[] bytes) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
            assertNotNull(image, "the answer is not an image: " + new String(Arrays.copyOf(bytes, Math.min(200, bytes.length)),
                    StandardCharsets.UTF_8));
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
