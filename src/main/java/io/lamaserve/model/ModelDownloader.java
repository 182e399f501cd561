package io.lamaserve.model;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Downloads a model file over HTTP(S) and checks it before anyone may use it.
 *
 * <p>Bytes go to {@code <target>.part} and are hashed while they stream; only a file with the expected SHA-256 is
 * renamed (atomically) to {@code <target>}, so the final name never holds a partial or corrupt file. A download that
 * is cut off leaves the {@code .part} behind and the next start continues it with a {@code Range} request. Redirects
 * are followed (Hugging Face answers with a redirect to its CDN).
 *
 * <p>Two processes sharing the cache directory take turns through an OS file lock on {@code <target>.lock}: the
 * second waits, then finds the finished file and checks it instead of downloading again. The lock file stays behind;
 * it is empty and harmless.
 */
public class ModelDownloader {

    private static final Logger LOG = Logger.getLogger(ModelDownloader.class);
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    /** File locks are held per JVM, not per thread; this keeps threads of one JVM from tripping over each other. */
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private final Duration timeout;

    /** @param timeout limit for connecting, for the response headers, and for a body that stops delivering */
    public ModelDownloader(Duration timeout) {
        this.timeout = timeout;
    }

    /**
     * Makes {@code target} hold the file at {@code url} whose SHA-256 is {@code expectedSha256}.
     *
     * @throws ModelUnavailableException when the server cannot be reached
     * @throws ModelProvisioningException for an HTTP error, a cut-off download, a checksum mismatch or a local I/O error
     */
    public void download(URI url, String expectedSha256, Path target) {
        Path lockFile = sibling(target, ".lock");
        ReentrantLock inProcess = IN_PROCESS.computeIfAbsent(target.toAbsolutePath().normalize(), k -> new ReentrantLock());
        inProcess.lock();
        try (FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = acquire(lockChannel, target)) {
            if (Files.exists(target)) {
                if (Sha256.of(target).equals(expectedSha256)) {
                    LOG.infof("%s was downloaded meanwhile by another start sharing the cache", target);
                    return;
                }
                Files.delete(target);
            }
            try (HttpClient client = HttpClient.newBuilder()
                    .connectTimeout(timeout)
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .build()) {
                fetch(client, url, expectedSha256, target);
            }
        } catch (IOException e) {
            throw new ModelProvisioningException("cannot write the model into " + target.getParent()
                    + " (lama.model.cache-dir): " + e, e);
        } finally {
            inProcess.unlock();
        }
    }

    private static FileLock acquire(FileChannel channel, Path target) throws IOException {
        FileLock lock = channel.tryLock();
        if (lock == null) {
            LOG.infof("Another process is downloading %s; waiting for it", target);
            lock = channel.lock();
        }
        return lock;
    }

    private void fetch(HttpClient client, URI url, String expected, Path target) throws IOException {
        Path part = sibling(target, ".part");
        long offset = Files.exists(part) ? Files.size(part) : 0;
        HttpResponse<InputStream> response = request(client, url, offset);
        if (offset > 0) {
            switch (response.statusCode()) {
                case 206 -> {
                    long start = rangeStart(response);
                    if (start == offset) {
                        LOG.infof("Resuming the download of %s at %,d bytes", url, offset);
                    } else {
                        LOG.infof("%s answered the range request from byte %,d instead of %,d; starting over",
                                url.getHost(), start, offset);
                        response.body().close();
                        offset = 0;
                        response = request(client, url, 0);
                    }
                }
                case 416 -> {
                    // the .part may be complete already (a stop between the check and the rename)
                    response.body().close();
                    if (Sha256.of(part).equals(expected)) {
                        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
                        return;
                    }
                    LOG.infof("%s has no bytes after the %,d already on disk, and they do not match; starting over",
                            url.getHost(), offset);
                    offset = 0;
                    response = request(client, url, 0);
                }
                case 200 -> {
                    LOG.infof("%s ignored the range request; downloading from the start", url.getHost());
                    offset = 0;
                }
                default -> {
                    // an error status, reported below
                }
            }
        }
        int status = response.statusCode();
        if (status != 200 && !(status == 206 && offset > 0)) {
            response.body().close();
            throw new ModelProvisioningException("cannot download " + url + ": the server answered HTTP " + status
                    + (status == 404 ? " (not found)" : "") + "; check lama.model.url, or set lama.model.path"
                    + " (LAMA_MODEL_PATH) to a local ONNX file");
        }
        long total = totalSize(response, offset);
        transfer(response, url, part, offset, total, expected);
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private void transfer(HttpResponse<InputStream> response, URI url, Path part, long offset, long total,
                          String expected) throws IOException {
        MessageDigest digest = Sha256.newDigest();
        if (offset > 0) {
            Sha256.update(digest, part, offset);
        }
        LOG.infof("Downloading %s%s into %s", url, total > 0 ? String.format(Locale.ROOT, " (%.1f MB)", total / 1e6) : "",
                part);
        long started = System.nanoTime();
        DownloadProgress progress = new DownloadProgress(fileName(url), offset, total, started);
        long written = offset;
        IOException cut = null;
        boolean stalled;
        try (InputStream body = response.body();
             FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             IdleWatchdog watchdog = new IdleWatchdog(body, timeout)) {
            out.truncate(offset);
            out.position(offset);
            byte[] buffer = new byte[1 << 16];
            while (true) {
                int read;
                try {
                    read = body.read(buffer);
                } catch (IOException e) {
                    cut = e;
                    break;
                }
                if (read < 0) {
                    break;
                }
                watchdog.activity();
                ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, read);
                while (chunk.hasRemaining()) {
                    out.write(chunk);
                }
                digest.update(buffer, 0, read);
                written += read;
                progress.update(written, System.nanoTime()).ifPresent(LOG::info);
            }
            stalled = watchdog.fired();
            out.force(false);
        }
        if (stalled || cut != null || (total > 0 && written < total)) {
            String reason = stalled ? "no data for " + timeout.toSeconds() + " s"
                    : cut != null ? "connection lost: " + rootCause(cut) : "the connection closed early";
            throw new ModelProvisioningException("the download of " + url + " was cut at " + String.format(Locale.ROOT,
                    "%,d", written) + (total > 0 ? String.format(Locale.ROOT, " of %,d", total) : "") + " bytes ("
                    + reason + "); " + part + " is kept and the download resumes on the next start");
        }
        String actual = Sha256.hex(digest);
        if (!actual.equals(expected)) {
            Files.deleteIfExists(part);
            throw new ModelProvisioningException("downloaded file's sha256 is " + actual + ", expected " + expected
                    + " (lama.model.sha256); the file was removed");
        }
        LOG.info(progress.describe(written, System.nanoTime()) + "; sha256 verified");
    }

    private HttpResponse<InputStream> request(HttpClient client, URI url, long offset) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("User-Agent", "lama-serve")
                .GET();
        if (offset > 0) {
            builder.header("Range", "bytes=" + offset + "-");
        }
        try {
            return client.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            // the message says all a reader can act on; the transport's own exception chain only adds noise
            LOG.debugf(e, "download of %s failed", url);
            throw new ModelUnavailableException("cannot download " + url + " (" + describe(e) + "); set lama.model.path"
                    + " (LAMA_MODEL_PATH) to a local ONNX file, or lama.model.url + lama.model.sha256 to a reachable"
                    + " copy");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelProvisioningException("interrupted while downloading " + url, e);
        }
    }

    private static long rangeStart(HttpResponse<?> response) {
        return response.headers().firstValue("Content-Range")
                .map(CONTENT_RANGE::matcher)
                .filter(Matcher::matches)
                .map(m -> Long.parseLong(m.group(1)))
                .orElse(-1L);
    }

    /** Full size of the file: from Content-Range on a partial answer, else Content-Length; -1 when unknown. */
    private static long totalSize(HttpResponse<?> response, long offset) {
        long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (response.statusCode() != 206) {
            return length;
        }
        Matcher range = CONTENT_RANGE.matcher(response.headers().firstValue("Content-Range").orElse(""));
        if (range.matches() && !range.group(3).equals("*")) {
            return Long.parseLong(range.group(3));
        }
        return length >= 0 ? offset + length : -1;
    }

    /** A short cause for the log and the startup error, without the JDK's nesting of wrapper exceptions. */
    private String describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return "unknown host";
            }
            if (t instanceof HttpConnectTimeoutException) {
                return "no connection within " + timeout.toSeconds() + " s";
            }
            if (t instanceof HttpTimeoutException) {
                return "no response within " + timeout.toSeconds() + " s";
            }
            if (t instanceof ConnectException) {
                // the JDK client reports a refused connection without a message
                return t.getMessage() == null ? "cannot connect" : "cannot connect: " + t.getMessage();
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
        }
        return failure.getClass().getSimpleName();
    }

    /** The innermost cause, which names what actually happened ("EOF reached while reading", a reset). */
    private static String rootCause(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }

    private static String fileName(URI url) {
        String path = url.getPath() == null ? "" : url.getPath();
        String name = path.substring(path.lastIndexOf('/') + 1);
        return name.isEmpty() ? url.getHost() : name;
    }

    private static Path sibling(Path target, String suffix) {
        return target.resolveSibling(target.getFileName() + suffix);
    }
}
