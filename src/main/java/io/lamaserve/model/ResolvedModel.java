package io.lamaserve.model;

import java.nio.file.Path;

/**
 * A model file ready to load.
 *
 * @param file      absolute path of the ONNX file
 * @param sha256    lower-case hex SHA-256 of the file; identifies the model, e.g. as the key of cached TensorRT engines
 * @param sizeBytes size of the file
 * @param source    where it came from, for the log: {@code "path <file>"} or {@code "url <url>"}
 */
public record ResolvedModel(Path file, String sha256, long sizeBytes, String source) {
}
