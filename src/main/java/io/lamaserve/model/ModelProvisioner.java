package io.lamaserve.model;

import io.lamaserve.config.LamaConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Decides which ONNX file the service runs and makes sure it is there: {@code lama.model.path} when set, otherwise
 * the file at {@code lama.model.url}, kept in {@code lama.model.cache-dir} as {@code <sha256>.onnx} and downloaded
 * only when it is missing or does not match {@code lama.model.sha256}.
 *
 * <p>The model is resolved once; later calls return the same result.
 */
@ApplicationScoped
public class ModelProvisioner {

    private static final Logger LOG = Logger.getLogger(ModelProvisioner.class);

    private final ModelSettings settings;
    private final FileHashCache hashes;
    private final ModelDownloader downloader;
    private ResolvedModel resolved;

    @Inject
    public ModelProvisioner(LamaConfig config) {
        this(ModelSettings.of(config.model()));
    }

    public ModelProvisioner(ModelSettings settings) {
        this.settings = settings;
        this.hashes = new FileHashCache(settings.cacheDir());
        this.downloader = new ModelDownloader(settings.downloadTimeout());
    }

    /**
     * The resolved model for beans that only need to know which model runs; resolved when first used, as
     * {@link #resolve()}.
     */
    @Produces
    @Singleton
    ResolvedModel resolvedModel() {
        return resolve();
    }

    /**
     * The model file to load, provisioning it on the first call.
     *
     * @throws ModelProvisioningException when there is no usable file; the message names the property to fix
     */
    public synchronized ResolvedModel resolve() {
        if (resolved == null) {
            resolved = settings.path().isPresent() ? fromPath(settings.path().get()) : fromUrl();
            LOG.infof("Model %s: %s, %,d bytes, sha256 %s", resolved.source(), resolved.file(), resolved.sizeBytes(),
                    resolved.sha256());
        }
        return resolved;
    }

    private ResolvedModel fromPath(Path configured) {
        Path file = configured.toAbsolutePath().normalize();
        String setting = "lama.model.path (LAMA_MODEL_PATH) is " + configured
                + (configured.isAbsolute() ? "" : " (" + file + ")");
        if (!Files.exists(file)) {
            throw new ModelProvisioningException(setting + ", but there is no such file");
        }
        if (Files.isDirectory(file)) {
            throw new ModelProvisioningException(setting + ", which is a directory; set it to the ONNX file itself");
        }
        if (!Files.isReadable(file)) {
            throw new ModelProvisioningException(setting + ", but this process may not read it");
        }
        try {
            if (Files.size(file) == 0) {
                throw new ModelProvisioningException(setting + ", but the file is empty");
            }
            return new ResolvedModel(file, hashes.hash(file), Files.size(file), "path " + file);
        } catch (IOException e) {
            throw new ModelProvisioningException(setting + ", but reading it failed: " + e, e);
        }
    }

    private ResolvedModel fromUrl() {
        URI url = parseUrl(settings.url());
        if (!Sha256.isHex(settings.sha256())) {
            throw new ModelProvisioningException("lama.model.sha256 (LAMA_MODEL_SHA256) must be the SHA-256 of the"
                    + " file at lama.model.url as 64 hex digits, found '" + settings.sha256() + "'");
        }
        String expected = settings.sha256().toLowerCase(Locale.ROOT);
        Path cacheDir = settings.cacheDir().toAbsolutePath().normalize();
        try {
            Files.createDirectories(cacheDir);
        } catch (IOException e) {
            throw new ModelProvisioningException("cannot create lama.model.cache-dir " + cacheDir + " (" + e + ");"
                    + " set lama.model.cache-dir (LAMA_MODEL_CACHE_DIR) to a writable directory", e);
        }
        Path target = cacheDir.resolve(expected + ".onnx");
        try {
            if (Files.isRegularFile(target)) {
                String actual = hashes.hash(target);
                if (actual.equals(expected)) {
                    return new ResolvedModel(target, expected, Files.size(target), "url " + url);
                }
                LOG.warnf("Cached %s has sha256 %s, expected %s; downloading it again", target, actual, expected);
                Files.delete(target);
            }
            downloader.download(url, expected, target);
            hashes.record(target, expected);
            return new ResolvedModel(target, expected, Files.size(target), "url " + url);
        } catch (IOException e) {
            throw new ModelProvisioningException("cannot read the cached model " + target + ": " + e, e);
        }
    }

    private static URI parseUrl(String text) {
        try {
            URI url = new URI(text.trim());
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && url.getHost() != null) {
                return url;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw new ModelProvisioningException("lama.model.url (LAMA_MODEL_URL) must be an http or https URL, found '"
                + text + "'; or set lama.model.path (LAMA_MODEL_PATH) to a local ONNX file");
    }
}
