package io.lamaserve.nativeimage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Checks the hand-written native-image configuration for ONNX Runtime against the ONNX Runtime jar on the class
 * path, so that an upgrade that adds or changes a JNI callback fails here instead of at run time of a native
 * executable (where a missing entry is a {@code NoSuchMethodError} inside a JNI call).
 */
class OnnxRuntimeNativeConfigTest {

    private static final String CONFIG_DIR = "META-INF/native-image/com.microsoft.onnxruntime/onnxruntime/";
    private static final String JNI_LIBRARY = "ai/onnxruntime/native/linux-x64/libonnxruntime4j_jni.so";
    private static final Map<String, String> PRIMITIVE_DESCRIPTORS = Map.of(
            "int", "I", "long", "J", "float", "F", "double", "D", "boolean", "Z", "byte", "B", "short", "S",
            "char", "C");

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void everyConfiguredConstructorExistsInTheOnnxRuntimeJar() throws Exception {
        for (JsonNode entry : jniConfig()) {
            Class<?> type = Class.forName(entry.get("name").asText(), false, getClass().getClassLoader());
            for (JsonNode method : entry.path("methods")) {
                assertEquals("<init>", method.get("name").asText(), "only constructors are called from ORT's JNI code");
                List<Class<?>> parameters = new ArrayList<>();
                for (JsonNode parameter : method.get("parameterTypes")) {
                    parameters.add(classOf(parameter.asText()));
                }
                try {
                    type.getDeclaredConstructor(parameters.toArray(Class<?>[]::new));
                } catch (NoSuchMethodException e) {
                    fail(type.getName() + " has no constructor " + parameters + " any more; update jni-config.json");
                }
            }
        }
    }

    /**
     * The JNI library names every class it looks up and every constructor descriptor it calls as string constants;
     * each must be covered by the configuration.
     */
    @Test
    void everyClassAndConstructorTheJniLibraryUsesIsConfigured() throws Exception {
        Set<String> libraryStrings = printableStrings(resourceBytes(JNI_LIBRARY));
        Set<String> usedClasses = new TreeSet<>();
        Set<String> usedConstructors = new TreeSet<>();
        for (String text : libraryStrings) {
            if (text.matches("(ai/onnxruntime|java/lang)/[A-Za-z$]+")) {
                usedClasses.add(text.replace('/', '.'));
            } else if (text.matches("\\([\\[A-Za-z/;]*\\)V")) {
                usedConstructors.add(text);
            }
        }
        assertTrue(usedClasses.contains("ai.onnxruntime.OnnxTensor"), "string scan of the JNI library found " + usedClasses);
        assertFalse(usedConstructors.isEmpty());

        Map<String, Set<String>> configured = new HashMap<>();
        for (JsonNode entry : jniConfig()) {
            Set<String> descriptors = configured.computeIfAbsent(entry.get("name").asText(), k -> new TreeSet<>());
            for (JsonNode method : entry.path("methods")) {
                StringBuilder descriptor = new StringBuilder("(");
                method.get("parameterTypes").forEach(p -> descriptor.append(descriptorOf(p.asText())));
                descriptors.add(descriptor.append(")V").toString());
            }
        }
        for (String used : usedClasses) {
            assertTrue(configured.containsKey(used), "JNI library looks up " + used + ", missing in jni-config.json");
        }
        Set<String> configuredConstructors = new TreeSet<>();
        configured.values().forEach(configuredConstructors::addAll);
        for (String used : usedConstructors) {
            assertTrue(configuredConstructors.contains(used),
                    "JNI library calls a constructor " + used + " that jni-config.json does not register");
        }
    }

    @Test
    void everyIncludedResourceIsInTheJar() throws Exception {
        JsonNode includes = json.readTree(resourceBytes(CONFIG_DIR + "resource-config.json")).path("resources")
                .path("includes");
        assertFalse(includes.isEmpty());
        Pattern quoted = Pattern.compile("\\\\Q(.+)\\\\E");
        for (JsonNode include : includes) {
            Matcher literal = quoted.matcher(include.get("pattern").asText());
            assertTrue(literal.matches(), "patterns are literal paths: " + include);
            assertNotNull(getClass().getClassLoader().getResource(literal.group(1)), literal.group(1) + " not found");
        }
    }

    private JsonNode jniConfig() throws IOException {
        return json.readTree(resourceBytes(CONFIG_DIR + "jni-config.json"));
    }

    private byte[] resourceBytes(String name) throws IOException {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(name)) {
            assertNotNull(in, name + " is not on the class path");
            return in.readAllBytes();
        }
    }

    /** Runs of at least four printable ASCII characters, like the strings(1) tool. */
    private static Set<String> printableStrings(byte[] binary) {
        Set<String> found = new TreeSet<>();
        ByteArrayOutputStream run = new ByteArrayOutputStream();
        for (byte b : binary) {
            if (b >= 0x20 && b < 0x7f) {
                run.write(b);
            } else {
                if (run.size() >= 4) {
                    found.add(run.toString(java.nio.charset.StandardCharsets.US_ASCII));
                }
                run.reset();
            }
        }
        return found;
    }

    private static Class<?> classOf(String typeName) throws ClassNotFoundException {
        if (typeName.endsWith("[]")) {
            return classOf(typeName.substring(0, typeName.length() - 2)).arrayType();
        }
        return switch (typeName) {
            case "int" -> int.class;
            case "long" -> long.class;
            case "float" -> float.class;
            case "double" -> double.class;
            case "boolean" -> boolean.class;
            case "byte" -> byte.class;
            case "short" -> short.class;
            case "char" -> char.class;
            default -> Class.forName(typeName, false, OnnxRuntimeNativeConfigTest.class.getClassLoader());
        };
    }

    private static String descriptorOf(String typeName) {
        if (typeName.endsWith("[]")) {
            return "[" + descriptorOf(typeName.substring(0, typeName.length() - 2));
        }
        String primitive = PRIMITIVE_DESCRIPTORS.get(typeName);
        return primitive != null ? primitive : "L" + typeName.replace('.', '/') + ";";
    }
}
