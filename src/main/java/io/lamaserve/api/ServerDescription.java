package io.lamaserve.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/**
 * This server as IOPaint's web app sees it: one erase model named {@value #MODEL_NAME}, no plugins, no model
 * switching, no file manager. Field names and values follow IOPaint's {@code ServerConfigResponse} and
 * {@code ModelInfo} so the app's type checks pass.
 */
@ApplicationScoped
public class ServerDescription {

    static final String MODEL_NAME = "lama";

    public record ModelInfo(
            String name,
            String path,
            @JsonProperty("model_type") String modelType,
            @JsonProperty("is_single_file_diffusers") boolean singleFileDiffusers,
            @JsonProperty("need_prompt") boolean needPrompt,
            List<String> controlnets,
            List<String> brushnets,
            @JsonProperty("support_strength") boolean supportStrength,
            @JsonProperty("support_outpainting") boolean supportOutpainting,
            @JsonProperty("support_lcm_lora") boolean supportLcmLora,
            @JsonProperty("support_controlnet") boolean supportControlnet,
            @JsonProperty("support_brushnet") boolean supportBrushnet,
            @JsonProperty("support_powerpaint_v2") boolean supportPowerpaintV2) {
    }

    public record ServerConfig(
            List<Object> plugins,
            List<ModelInfo> modelInfos,
            String removeBGModel,
            List<String> removeBGModels,
            String realesrganModel,
            List<String> realesrganModels,
            String interactiveSegModel,
            List<String> interactiveSegModels,
            boolean enableFileManager,
            boolean enableAutoSaving,
            boolean enableControlnet,
            String controlnetMethod,
            boolean disableModelSwitch,
            boolean isDesktop,
            List<String> samplers) {
    }

    ModelInfo modelInfo() {
        // "inpaint" is IOPaint's model type for LaMa-like erase models: no prompt, no diffusion options
        return new ModelInfo(MODEL_NAME, MODEL_NAME, "inpaint", false, false, List.of(), List.of(),
                false, false, false, false, false, false);
    }

    ServerConfig serverConfig() {
        // The plugin model fields must hold one of IOPaint's enum values even though no plugin runs here.
        return new ServerConfig(List.of(), List.of(modelInfo()),
                "briaai/RMBG-1.4", List.of(), "realesr-general-x4v3", List.of(), "vit_b", List.of(),
                false, false, false, null, true, false, List.of());
    }
}
