package io.lamaserve.hostile;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A service that cannot load its model must not come up half-working: the packaged jar exits non-zero at once
 * with a message that names the file and the problem. (An interrupted or corrupted download is resumed or
 * fetched again, see {@code model/ModelDownloadTest}.)
 */
class ModelStartupFailureIT {

    @Test
    void missingModelFileStopsTheStartWithItsPath() throws Exception {
        try (PackagedService service = PackagedService.start("startup-missing-model",
                Map.of("lama.model.path", "/nonexistent/lama.onnx"))) {
            Integer exit = service.awaitExit(90);
            assertNotNull(exit, "the service kept running without a model");
            assertNotEquals(0, exit);
            String output = service.output();
            assertTrue(output.contains("/nonexistent/lama.onnx, but there is no such file"), output);
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
