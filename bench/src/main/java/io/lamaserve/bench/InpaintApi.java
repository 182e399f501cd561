package io.lamaserve.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Base64;
import java.util.Locale;
import java.util.UUID;

/**
 * The two wire formats the benchmark speaks. Both answer a successful request with the raw result image.
 */
public enum InpaintApi {

    /** lama-serve's own endpoint: {@code POST /v1/inpaint}, multipart parts {@code image} and {@code mask}. */
    LAMA {
        @Override
        public PreparedRequest prepare(InputPair input, RequestSettings settings) {
            MultipartBody body = new MultipartBody("lamabench-" + UUID.randomUUID());
            body.file("image", input.name() + "." + input.imageExtension(), input.imageMediaType(), input.image());
            body.file("mask", input.name() + "_mask.png", "image/png", input.mask());
            if (settings.hdStrategy() != null) {
                body.field("hd_strategy", settings.hdStrategy());
            }
            if (settings.outputFormat() != null) {
                body.field("format", settings.outputFormat());
            }
            return new PreparedRequest(input.name(), "v1/inpaint", body.contentType(), body.finish());
        }
    },

    /**
     * IOPaint's endpoint: {@code POST /api/v1/inpaint} with a JSON body holding base64 data URLs and the
     * high-resolution strategy fields LaMa reads (mask 255 = fill).
     */
    IOPAINT {
        private static final ObjectMapper JSON = new ObjectMapper();

        @Override
        public PreparedRequest prepare(InputPair input, RequestSettings settings) {
            ObjectNode body = JSON.createObjectNode();
            body.put("image", dataUrl(input.imageMediaType(), input.image()));
            body.put("mask", dataUrl("image/png", input.mask()));
            body.put("hd_strategy", settings.hdStrategy() == null ? "Crop" : settings.hdStrategy());
            body.put("hd_strategy_crop_margin", 128);
            body.put("hd_strategy_crop_trigger_size", 800);
            body.put("hd_strategy_resize_limit", 1280);
            body.put("sd_keep_unmasked_area", true);
            try {
                return new PreparedRequest(input.name(), "api/v1/inpaint", "application/json",
                        JSON.writeValueAsBytes(body));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("cannot serialise request body", e);
            }
        }

        private static String dataUrl(String mediaType, byte[] bytes) {
            return "data:" + mediaType + ";base64," + Base64.getEncoder().encodeToString(bytes);
        }
    };

    /** Encodes one input pair as a complete request. */
    public abstract PreparedRequest prepare(InputPair input, RequestSettings settings);

    /** Parses {@code lama} or {@code iopaint} (case-insensitive). */
    public static InpaintApi parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "lama", "lama-serve" -> LAMA;
            case "iopaint" -> IOPAINT;
            default -> throw new IllegalArgumentException("unknown --api '" + text + "' (expected lama or iopaint)");
        };
    }
}
