package io.lamaserve.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The prompts an image was generated with, in IOPaint's {@code GenInfoResponse} shape. Stable Diffusion front ends
 * store them as one text under the keyword {@value #KEYWORD}: the prompt, then a line starting
 * {@code "Negative prompt: "}, then further settings.
 */
public record GenerationInfo(String prompt, @JsonProperty("negative_prompt") String negativePrompt) {

    static final String KEYWORD = "parameters";
    static final GenerationInfo NONE = new GenerationInfo("", "");

    private static final String NEGATIVE_PROMPT = "Negative prompt: ";

    /** Read as IOPaint reads it, so the web app fills its prompt fields with the same text. */
    static GenerationInfo fromParameters(String parameters) {
        int negative = parameters.indexOf(NEGATIVE_PROMPT);
        if (negative < 0) {
            return new GenerationInfo(parameters.strip(), "");
        }
        String rest = parameters.substring(negative + NEGATIVE_PROMPT.length());
        // IOPaint splits on every occurrence of the marker and keeps the first piece after it
        int nextMarker = rest.indexOf(NEGATIVE_PROMPT);
        if (nextMarker >= 0) {
            rest = rest.substring(0, nextMarker);
        }
        int lineEnd = rest.indexOf('\n');
        return new GenerationInfo(parameters.substring(0, negative).strip(),
                (lineEnd < 0 ? rest : rest.substring(0, lineEnd)).strip());
    }
}
