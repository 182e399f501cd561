package io.lamaserve.hostile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** {@code mvn package} leaves a CycloneDX SBOM of the runtime dependencies in {@code target/bom.json}. */
class SbomIT {

    @Test
    void packageWritesACycloneDxBomOfTheRuntimeDependencies() throws Exception {
        assumeFalse(Boolean.getBoolean("maven.offline"), "the CycloneDX plugin does not run in offline builds");
        Path bom = Path.of("target/bom.json");
        assertTrue(Files.isRegularFile(bom), bom + " is missing");
        JsonNode root = new ObjectMapper().readTree(bom.toFile());
        assertEquals("CycloneDX", root.path("bomFormat").asText());
        Map<String, String> versions = new HashMap<>();
        root.path("components").forEach(c -> versions.put(c.path("group").asText() + ":" + c.path("name").asText(),
                c.path("version").asText()));
        assertFalse(versions.getOrDefault("com.microsoft.onnxruntime:onnxruntime", "").isEmpty(), "onnxruntime listed");
        assertFalse(versions.getOrDefault("io.quarkus:quarkus-rest", "").isEmpty(), "quarkus-rest listed");
        assertFalse(versions.containsKey("com.code-intelligence:jazzer-junit"), "test-only libraries are left out");
    }
}
