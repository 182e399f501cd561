package io.lamaserve.hostile;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A service that cannot load its model must not come up half-working: the packaged jar exits non-zero at once
 * with a message that names the file and the problem. (An interrupted or corrupted download is resumed or
 * fetched again, see {@code model/ModelDownloadTest}.)
 */
class ModelStartupFailureIT {

    /** A line of a printed stack trace. */
    static final Pattern STACK_FRAME = Pattern.compile("(?m)^\\s+at [\\w.$]+\\(");

    @Test
    void missingModelFileStopsTheStartWithItsPath() throws Exception {
        try (PackagedService service = PackagedService.start("startup-missing-model",
                Map.of("lama.model.path", "/nonexistent/lama.onnx"))) {
            Integer exit = service.awaitExit(90);
            assertNotNull(exit, "the service kept running without a model");
            assertNotEquals(0, exit);
            String output = service.output();
            assertTrue(output.contains("/nonexistent/lama.onnx, but there is no such file"), output);
            assertFalse(STACK_FRAME.matcher(output).find(), "a stack trace above the message:\n" + output);
        }
    }

    /** First start on a machine that cannot reach the model's URL: the message alone, saying what to set. */
    @Test
    void unreachableModelUrlStopsTheStartWithTheMessageAlone() throws Exception {
        Path cache = Files.createTempDirectory("lama-cache");
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (PackagedService service = PackagedService.start("startup-unreachable-url", Map.of(
                "lama.model.path", "",
                "lama.model.url", "http://127.0.0.1:" + closedPort + "/lama.onnx",
                "lama.model.cache-dir", cache.toString()))) {
            Integer exit = service.awaitExit(90);
            assertNotNull(exit, "the service kept running without a model");
            assertNotEquals(0, exit);
            String output = service.output();
            assertTrue(output.contains("cannot download http://127.0.0.1:" + closedPort + "/lama.onnx"), output);
            assertTrue(output.contains("LAMA_MODEL_PATH"), output);
            assertFalse(STACK_FRAME.matcher(output).find(), "a stack trace above the message:\n" + output);
        }
    }

    @Test
    void corruptModelFileStopsTheStartWithTheLoaderError() throws Exception {
        Path corrupt = Files.createTempFile("corrupt-lama", ".onnx");
        byte[] junk = new byte[64 * 1024];
        new Random(1).nextBytes(junk);
        Files.write(corrupt, junk);
        try (PackagedService service = PackagedService.start("startup-corrupt-model",
                Map.of("lama.model.path", corrupt.toString()))) {
            Integer exit = service.awaitExit(90);
            assertNotNull(exit, "the service kept running with a corrupt model");
            assertNotEquals(0, exit);
            String output = service.output();
            assertTrue(output.contains("cannot load " + corrupt) && output.contains("Protobuf parsing failed"), output);
        } finally {
            Files.deleteIfExists(corrupt);
        }
    }
}
