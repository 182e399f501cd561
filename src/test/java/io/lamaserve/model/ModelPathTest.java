package io.lamaserve.model;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** {@code lama.model.path}: a local file, checked and hashed, with the hash remembered across starts. */
class ModelPathTest {

    @TempDir
    Path temp;

    private Path model;
    private String sha256;
    private Path cacheDir;

    @BeforeEach
    void writeModel() throws Exception {
        byte[] bytes = new byte[1_500_000];
        new Random(7).nextBytes(bytes);
        model = temp.resolve("models/lama.onnx");
        Files.createDirectories(model.getParent());
        Files.write(model, bytes);
        sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        cacheDir = temp.resolve("cache");
    }

    private ResolvedModel resolve(Path path) {
        // the URL must never be used while a path is set: it points nowhere
        return new ModelProvisioner(new ModelSettings(Optional.of(path), "http://127.0.0.1:1/unused.onnx",
                "not-a-checksum", cacheDir, Duration.ofSeconds(1))).resolve();
    }

    @Test
    void localFileIsHashedAndDescribed() {
        ResolvedModel resolved = resolve(model);

        assertEquals(model, resolved.file());
        assertEquals(sha256, resolved.sha256());
        assertEquals(1_500_000, resolved.sizeBytes());
        assertEquals("path " + model, resolved.source());
    }

    @Test
    void rememberedHashIsUsedWhileSizeAndMtimeAreUnchanged() throws IOException {
        resolve(model);
        List<Path> records;
        try (var files = Files.list(cacheDir.resolve("hashes"))) {
            records = files.toList();
        }
        assertEquals(1, records.size());
        // plant a different hash in the record: a start that trusts the record reports it
        String planted = "cd".repeat(32);
        Properties record = new Properties();
        try (Reader reader = Files.newBufferedReader(records.getFirst())) {
            record.load(reader);
        }
        assertEquals(sha256, record.getProperty("sha256"));
        record.setProperty("sha256", planted);
        try (Writer writer = Files.newBufferedWriter(records.getFirst())) {
            record.store(writer, null);
        }
        assertEquals(planted, resolve(model).sha256());

        // a touched file is hashed again
        Files.setLastModifiedTime(model, FileTime.fromMillis(Files.getLastModifiedTime(model).toMillis() - 60_000));
        assertEquals(sha256, resolve(model).sha256());
    }

    @Test
    void unwritableCacheDirectoryOnlyCostsTheHashingTime() throws IOException {
        Files.writeString(cacheDir, "a file where the cache directory should be");

        assertEquals(sha256, resolve(model).sha256());
        assertEquals(sha256, resolve(model).sha256());
    }

    @Test
    void missingFileNamesTheProperty() {
        Path missing = temp.resolve("models/nope.onnx");

        ModelProvisioningException e = assertThrows(ModelProvisioningException.class, () -> resolve(missing));

        assertEquals("lama.model.path (LAMA_MODEL_PATH) is " + missing + ", but there is no such file", e.getMessage());
    }

    @Test
    void relativePathIsShownResolved() {
        Path relative = Path.of("no-such-dir/lama.onnx");

        ModelProvisioningException e = assertThrows(ModelProvisioningException.class, () -> resolve(relative));

        assertTrue(e.getMessage().startsWith("lama.model.path (LAMA_MODEL_PATH) is no-such-dir/lama.onnx ("
                + relative.toAbsolutePath() + ")"), e.getMessage());
    }

    @Test
    void directoryIsRejected() {
        ModelProvisioningException e = assertThrows(ModelProvisioningException.class,
                () -> resolve(model.getParent()));

        assertTrue(e.getMessage().contains("which is a directory; set it to the ONNX file itself"), e.getMessage());
    }

    @Test
    void emptyFileIsRejected() throws IOException {
        Path empty = Files.createFile(temp.resolve("empty.onnx"));

        ModelProvisioningException e = assertThrows(ModelProvisioningException.class, () -> resolve(empty));

        assertTrue(e.getMessage().endsWith("but the file is empty"), e.getMessage());
    }

    @Test
    void unreadableFileIsRejected() throws IOException {
        Files.setPosixFilePermissions(model, PosixFilePermissions.fromString("-w-------"));
        assumeFalse(Files.isReadable(model), "this user reads every file (root)");

        ModelProvisioningException e = assertThrows(ModelProvisioningException.class, () -> resolve(model));

        assertTrue(e.getMessage().endsWith("but this process may not read it"), e.getMessage());
    }
}
