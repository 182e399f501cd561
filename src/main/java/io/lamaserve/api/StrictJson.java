package io.lamaserve.api;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.lamaserve.config.LamaConfig;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * How request bodies are read as JSON: one document and nothing after it; every field in its own JSON type (a
 * number where a string is expected, or {@code "42"} where a number is, is a 422, as the README says); and no
 * string limit below the body limit, so that a long base64 image is refused by the body limit (413) and not by the
 * parser's default of 20 million characters.
 */
@Singleton
class StrictJson implements ObjectMapperCustomizer {

    private final long maxBodyBytes;

    StrictJson(LamaConfig config) {
        this.maxBodyBytes = config.limits().maxBodyBytes();
    }

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        int maxString = (int) Math.min(Integer.MAX_VALUE, Math.max(maxBodyBytes,
                StreamReadConstraints.DEFAULT_MAX_STRING_LEN));
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxStringLength(maxString).build());
        for (LogicalType scalar : new LogicalType[] {LogicalType.Integer, LogicalType.Float, LogicalType.Boolean}) {
            mapper.coercionConfigFor(scalar)
                    .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        }
        mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    }
}
