package io.lamaserve.model;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Downloads through {@link ModelProvisioner} from a real HTTP server on the loopback interface. */
class ModelDownloadTest {

    private static final int SIZE = 3 * 1024 * 1024;
    private static final int CUT_AT = 1_000_000;

    @TempDir
    Path temp;

    private byte[] model;
    private String sha256;
    private Path cacheDir;
    private LocalModelServer server;

    @BeforeEach
    void serve() throws Exception {
        model = new byte[SIZE];
        new Random(42).nextBytes(model);
        sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model));
        cacheDir = temp.resolve("cache");
        server = new LocalModelServer(model, CUT_AT);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private ModelProvisioner provisioner(String url, String expectedSha) {
        return new ModelProvisioner(new ModelSettings(Optional.empty(), url, expectedSha, cacheDir,
                Duration.ofSeconds(1)));
    }

    private ResolvedModel resolve(String path) {
        return provisioner(server.url(path), sha256).resolve();
    }

    private Path finalFile() {
        return cacheDir.resolve(sha256 + ".onnx");
    }

    private Path partFile() {
        return cacheDir.resolve(sha256 + ".onnx.part");
    }

    private void assertServedModel(ResolvedModel resolved) throws IOException {
        assertEquals(finalFile(), resolved.file());
        assertArrayEquals(model, Files.readAllBytes(resolved.file()));
        assertEquals(sha256, resolved.sha256());
        assertEquals(SIZE, resolved.sizeBytes());
        assertFalse(Files.exists(partFile()), "no .part left behind");
    }

    @Test
    void downloadsIntoTheCacheUnderItsChecksum() throws IOException {
        ResolvedModel resolved = resolve("/model.onnx");

        assertServedModel(resolved);
        assertEquals("url " + server.url("/model.onnx"), resolved.source());
        assertEquals(List.of("/model.onnx -"), server.requests());
    }

    @Test
    void upperCaseChecksumIsAccepted() throws IOException {
        ResolvedModel resolved = provisioner(server.url("/model.onnx"), sha256.toUpperCase()).resolve();

        assertServedModel(resolved);
    }

    @Test
    void nextStartUsesTheCachedFileWithoutAnyRequest() throws IOException {
        resolve("/model.onnx");
        ResolvedModel again = resolve("/model.onnx");
        assertServedModel(again);

        // without the remembered hash the file is hashed again, still without a request
        deleteRecursively(cacheDir.resolve("hashes"));
        assertServedModel(resolve("/model.onnx"));
        assertEquals(1, server.requests().size(), server.requests().toString());
    }

    @Test
    void cachedFileThatNoLongerMatchesIsDownloadedAgain() throws IOException {
        resolve("/model.onnx");
        byte[] damaged = model.clone();
        damaged[SIZE / 2] ^= 1;
        Files.write(finalFile(), damaged);
        Files.setLastModifiedTime(finalFile(), FileTime.fromMillis(System.currentTimeMillis() + 5_000));

        assertServedModel(resolve("/model.onnx"));
        assertEquals(2, server.requests().size(), server.requests().toString());
    }

    @Test
    void cutDownloadKeepsThePartAndResumesWithARangeRequest() throws IOException {
        ModelProvisioningException cut = assertThrows(ModelProvisioningException.class, () -> resolve("/cut/model.onnx"));

        assertTrue(cut.getMessage().contains("was cut at"), cut.getMessage());
        assertFalse(cut.getMessage().contains("no data for"), "a dropped connection is not a stall: " + cut.getMessage());
        assertTrue(cut.getMessage().contains("of 3,145,728 bytes"), cut.getMessage());
        assertTrue(cut.getMessage().contains("resumes on the next start"), cut.getMessage());
        assertTrue(Files.exists(partFile()));
        long kept = Files.size(partFile());
        assertTrue(kept > 0 && kept <= CUT_AT, "kept " + kept);
        assertArrayEquals(Arrays.copyOf(model, (int) kept), Files.readAllBytes(partFile()));
        assertFalse(Files.exists(finalFile()));

        assertServedModel(resolve("/cut/model.onnx"));
        assertEquals(List.of("/cut/model.onnx -", "/cut/model.onnx bytes=" + kept + "-"), server.requests());
    }

    @Test
    void serverThatIgnoresTheRangeMakesTheDownloadStartOver() throws IOException {
        Files.createDirectories(cacheDir);
        byte[] garbage = new byte[500_000];
        Arrays.fill(garbage, (byte) 7);
        Files.write(partFile(), garbage);

        assertServedModel(resolve("/no-range/model.onnx"));
        assertEquals(List.of("/no-range/model.onnx bytes=500000-"), server.requests());
    }

    @Test
    void completePartIsCheckedAndKeptWhenTheServerHasNothingMore() throws IOException {
        Files.createDirectories(cacheDir);
        Files.write(partFile(), model);

        assertServedModel(resolve("/model.onnx"));
        assertEquals(List.of("/model.onnx bytes=" + SIZE + "-"), server.requests());
    }

    @Test
    void redirectIsFollowedAndKeepsTheRange() throws IOException {
        Files.createDirectories(cacheDir);
        Files.write(partFile(), Arrays.copyOf(model, 123_456));

        assertServedModel(resolve("/redirect/model.onnx"));
        assertEquals(List.of("/redirect/model.onnx bytes=123456-", "/model.onnx bytes=123456-"), server.requests());
    }

    @Test
    void wrongChecksumRemovesTheFileAndSaysSo() {
        String wrong = "ab".repeat(32);
        ModelProvisioningException e = assertThrows(ModelProvisioningException.class,
                () -> provisioner(server.url("/model.onnx"), wrong).resolve());

        assertEquals("downloaded file's sha256 is " + sha256 + ", expected " + wrong
                + " (lama.model.sha256); the file was removed", e.getMessage());
        assertFalse(Files.exists(cacheDir.resolve(wrong + ".onnx")));
        assertFalse(Files.exists(cacheDir.resolve(wrong + ".onnx.part")));
    }

    @Test
    void notFoundNamesTheStatusAndTheUrl() {
        ModelProvisioningException e = assertThrows(ModelProvisioningException.class, () -> resolve("/missing.onnx"));

        assertTrue(e.getMessage().contains("cannot download " + server.url("/missing.onnx")), e.getMessage());
        assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
        assertFalse(Files.exists(finalFile()));
    }

    @Test
    void unreachableServerTellsWhichPropertiesToSet() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closedPort + "/model.onnx";

        ModelUnavailableException e = assertThrows(ModelUnavailableException.class,
                () -> provisioner(url, sha256).resolve());

        assertTrue(e.getMessage().startsWith("cannot download " + url + " (cannot connect"), e.getMessage());
        assertTrue(e.getMessage().endsWith("); set lama.model.path (LAMA_MODEL_PATH) to a local ONNX file, or"
                + " lama.model.url + lama.model.sha256 to a reachable copy"), e.getMessage());
    }

    @Test
    void stalledBodyFailsAfterTheTimeoutAndKeepsThePart() {
        long started = System.nanoTime();
        ModelProvisioningException e = assertThrows(ModelProvisioningException.class, () -> resolve("/stall/model.onnx"));
        long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();

        assertTrue(e.getMessage().contains("no data for 1 s"), e.getMessage());
        assertTrue(e.getMessage().contains("was cut at 1,000,000 of 3,145,728 bytes"), e.getMessage());
        assertTrue(seconds < 8, "gave up after " + seconds + " s, not within the timeout of 1 s");
        assertTrue(Files.exists(partFile()));
    }

    @Test
    void malformedChecksumIsRejectedBeforeAnyRequest() {
        ModelProvisioningException e = assertThrows(ModelProvisioningException.class,
                () -> provisioner(server.url("/model.onnx"), "1faef530").resolve());

        assertTrue(e.getMessage().contains("lama.model.sha256"), e.getMessage());
        assertTrue(e.getMessage().contains("64 hex digits, found '1faef530'"), e.getMessage());
        assertEquals(List.of(), server.requests());
    }

    @Test
    void nonHttpUrlIsRejected() {
        ModelProvisioningException e = assertThrows(ModelProvisioningException.class,
                () -> provisioner("file:///models/lama.onnx", sha256).resolve());

        assertTrue(e.getMessage().contains("lama.model.url (LAMA_MODEL_URL) must be an http or https URL, found"
                + " 'file:///models/lama.onnx'"), e.getMessage());
    }

    @Test
    void simultaneousStartsDownloadOnce() throws Exception {
        ExecutorService starts = Executors.newFixedThreadPool(2);
        try {
            Future<ResolvedModel> first = starts.submit(() -> resolve("/slow/model.onnx"));
            Future<ResolvedModel> second = starts.submit(() -> resolve("/slow/model.onnx"));

            assertServedModel(first.get());
            assertServedModel(second.get());
        } finally {
            starts.shutdownNow();
        }
        assertEquals(List.of("/slow/model.onnx -"), server.requests());
    }

    @Test
    void waitsForAnotherProcessThatHoldsTheCacheLock() throws Exception {
        Files.createDirectories(cacheDir);
        Path lock = cacheDir.resolve(sha256 + ".onnx.lock");
        Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CacheLockHolder.class.getName(), lock.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        ExecutorService start = Executors.newSingleThreadExecutor();
        try {
            assertEquals("locked", other.inputReader().readLine());
            Future<ResolvedModel> waiting = start.submit(() -> resolve("/model.onnx"));
            Thread.sleep(500);
            assertFalse(waiting.isDone(), "must wait while another process holds the lock");

            // the other process finishes its download and exits
            Files.write(finalFile(), model);
            other.getOutputStream().close();

            assertServedModel(waiting.get(10, TimeUnit.SECONDS));
            assertEquals(List.of(), server.requests());
        } finally {
            start.shutdownNow();
            other.destroy();
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path file : files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(file);
            }
        }
    }
}
