package io.lamaserve.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The JSON body of IOPaint's {@code POST /api/v1/inpaint}, reduced to the fields LaMa reads. Every other IOPaint
 * field (diffusion, ControlNet, ...) and any unknown key is accepted and ignored, as IOPaint itself does; that
 * includes the misspelt keys its web client sends ({@code hd_strategy_crop_triger_size},
 * {@code hd_trategy_resize_imit}). A null or absent field takes IOPaint's default.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record IopaintInpaintRequest(
        @JsonProperty("image") String image,
        @JsonProperty("mask") String mask,
        @JsonProperty("hd_strategy") String hdStrategy,
        @JsonProperty("hd_strategy_crop_trigger_size") Integer cropTriggerSize,
        @JsonProperty("hd_strategy_crop_margin") Integer cropMargin,
        @JsonProperty("hd_strategy_resize_limit") Integer resizeLimit,
        @JsonProperty("sd_keep_unmasked_area") Boolean keepUnmaskedArea,
        @JsonProperty("sd_seed") Long seed) {
}
