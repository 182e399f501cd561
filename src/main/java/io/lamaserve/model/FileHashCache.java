package io.lamaserve.model;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Remembers the SHA-256 of model files so that a restart does not hash 200 MB again.
 *
 * <p>Each file gets one small record in {@code <cache-dir>/hashes/}, named after a hash of the file's absolute
 * path and holding its size and modification time. The record is trusted only while the file still has that exact
 * size and modification time; any change (a new copy, a touch) makes the file be hashed again. Something that
 * rewrites a file in place while keeping both size and mtime would go unnoticed: that is the price of a fast start.
 *
 * <p>The cache is an optimisation only: a record that cannot be read or written (read-only cache directory) is
 * logged and the file is hashed instead.
 */
final class FileHashCache {

    private static final Logger LOG = Logger.getLogger(FileHashCache.class);

    private final Path recordDir;

    FileHashCache(Path cacheDir) {
        this.recordDir = cacheDir.resolve("hashes");
    }

    /** The file's SHA-256, from its record when the record still matches, else computed (and recorded). */
    String hash(Path file) throws IOException {
        Optional<String> known = lookup(file);
        if (known.isPresent()) {
            return known.get();
        }
        long started = System.nanoTime();
        String sha256 = Sha256.of(file);
        LOG.debugf("Hashed %s in %d ms", file, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        record(file, sha256);
        return sha256;
    }

    /** The recorded hash, if there is a record and the file's size and mtime are still the recorded ones. */
    Optional<String> lookup(Path file) {
        Path record = recordOf(file);
        if (!Files.isRegularFile(record)) {
            return Optional.empty();
        }
        Properties stored = new Properties();
        try (Reader reader = Files.newBufferedReader(record, StandardCharsets.UTF_8)) {
            stored.load(reader);
            Properties current = describe(file, stored.getProperty("sha256"));
            return current.equals(stored) && Sha256.isHex(stored.getProperty("sha256"))
                    ? Optional.of(stored.getProperty("sha256")) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            LOG.debugf("Ignoring unreadable hash record %s: %s", record, e);
            return Optional.empty();
        }
    }

    /** Records {@code sha256} as the hash of the file in its current state. */
    void record(Path file, String sha256) {
        Path record = recordOf(file);
        try {
            Files.createDirectories(recordDir);
            Path temp = Files.createTempFile(recordDir, "record", ".tmp");
            try (Writer writer = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                describe(file, sha256).store(writer, "lama-serve: SHA-256 of a model file");
            }
            Files.move(temp, record, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.infof("Could not remember the hash of %s in %s (%s); it will be computed again on the next start",
                    file, recordDir, e.getMessage());
        }
    }

    /** One record per absolute path; 128 bits of the path's hash make a collision practically impossible. */
    private Path recordOf(Path file) {
        MessageDigest digest = Sha256.newDigest();
        digest.update(file.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
        return recordDir.resolve(Sha256.hex(digest).substring(0, 32) + ".properties");
    }

    private static Properties describe(Path file, String sha256) throws IOException {
        Properties properties = new Properties();
        FileTime modified = Files.getLastModifiedTime(file);
        properties.setProperty("path", file.toAbsolutePath().normalize().toString());
        properties.setProperty("size", Long.toString(Files.size(file)));
        properties.setProperty("mtime", modified.toInstant().toString());
        properties.setProperty("sha256", sha256 == null ? "" : sha256);
        return properties;
    }
}
