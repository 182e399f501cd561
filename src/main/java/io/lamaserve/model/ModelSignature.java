package io.lamaserve.model;

import java.util.Arrays;
import java.util.Map;

/**
 * What a loaded model declares about itself, as any engine reads it: tensor names with their shapes (a
 * negative or zero extent is symbolic) and the ONNX metadata properties.
 */
public record ModelSignature(Map<String, long[]> inputs, Map<String, long[]> outputs, Map<String, String> metadata) {

    public ModelSignature {
        inputs = Map.copyOf(inputs);
        outputs = Map.copyOf(outputs);
        metadata = Map.copyOf(metadata);
    }

    static String describe(Map<String, long[]> tensors) {
        StringBuilder text = new StringBuilder("{");
        tensors.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> {
            if (text.length() > 1) {
                text.append(", ");
            }
            text.append(entry.getKey()).append(' ').append(shapeText(entry.getValue()));
        });
        return text.append('}').toString();
    }

    static String shapeText(long[] shape) {
        return Arrays.stream(shape).mapToObj(d -> d > 0 ? Long.toString(d) : "?")
                .reduce((a, b) -> a + "," + b).map(s -> "[" + s + "]").orElse("[]");
    }
}
