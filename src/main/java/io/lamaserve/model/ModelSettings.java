package io.lamaserve.model;

import io.lamaserve.config.LamaConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code lama.model.*} settings, detached from the configuration system so provisioning runs without Quarkus.
 *
 * @param path            {@code lama.model.path}: a local ONNX file; when present the URL is not used
 * @param url             {@code lama.model.url}
 * @param sha256          {@code lama.model.sha256}: expected hash of the file at the URL
 * @param cacheDir        {@code lama.model.cache-dir}: downloads, and remembered hashes of local files
 * @param downloadTimeout {@code lama.model.download-timeout}
 */
public record ModelSettings(Optional<Path> path, String url, String sha256, Path cacheDir, Duration downloadTimeout) {

    public static ModelSettings of(LamaConfig.ModelConfig config) {
        return new ModelSettings(config.path(), config.url(), config.sha256(), config.cacheDir(),
                config.downloadTimeout());
    }
}
