package io.lamaserve.engine.tensorrt;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Serialized engines and the builder's timing cache in one directory ({@code lama.tensorrt.engine-dir}).
 *
 * <p>A plan file starts with a short text header: a magic line, the {@linkplain PlanKey#canonical() full key}, the
 * payload length and the payload's SHA-256. A file whose header or checksum does not match is reported (one warning)
 * and treated as absent, so the caller rebuilds it; TensorRT never sees a truncated or foreign plan. Every write
 * goes to a temporary file in the same directory that is renamed over the target, so concurrent builders of the
 * same key (two pods on one volume) each leave a complete file and readers never see a partial one.
 */
public final class PlanCache {

    private static final Logger LOG = Logger.getLogger(PlanCache.class);
    static final String MAGIC = "LAMA-SERVE-TENSORRT-PLAN 1";

    private final Path directory;

    public PlanCache(Path directory) {
        this.directory = directory;
    }

    public Path directory() {
        return directory;
    }

    public Path planPath(PlanKey key) {
        return directory.resolve(key.fileName());
    }

    /**
     * The plan stored for {@code key}, checked against its header and checksum, as a read-only direct buffer (the
     * file is mapped, not copied). Empty when there is none or when it fails a check (logged as a warning).
     */
    public Optional<ByteBuffer> loadPlan(PlanKey key) {
        Path file = planPath(key);
        ByteBuffer mapped;
        try {
            mapped = map(file);
        } catch (NoSuchFileException e) {
            LOG.infof("no cached TensorRT engine %s", file.getFileName());
            return Optional.empty();
        } catch (IOException e) {
            LOG.warnf("cached TensorRT engine %s is unreadable (%s); rebuilding it", file, e.getMessage());
            return Optional.empty();
        }
        try {
            Header header = header(mapped);
            if (!key.canonical().equals(header.key)) {
                throw new InvalidPlanFile("for another key (" + abbreviate(header.key) + ")");
            }
            return Optional.of(verifiedPayload(header));
        } catch (InvalidPlanFile e) {
            LOG.warnf("cached TensorRT engine %s is %s; rebuilding it", file, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * A plan file read and verified (header and checksum) without knowing its key yet: the key stored in its
     * header is returned with the payload, and the caller uses the payload only where that key is the one it needs.
     *
     * @param key     the full key ({@link PlanKey#canonical()}) from the file's header
     * @param payload the verified plan, read-only and mapped
     */
    public record PlanFile(Path file, String key, ByteBuffer payload) {
    }

    /**
     * Reads and verifies {@code file} as {@link #loadPlan} does, but takes the key from its header. Logs nothing:
     * what fails here is read again, and reported, by {@link #loadPlan}.
     *
     * @return the plan, or why it cannot be used
     */
    public ReadResult readPlanFile(Path file) {
        try {
            Header header = header(map(file));
            return new ReadResult(Optional.of(new PlanFile(file, header.key, verifiedPayload(header))), "");
        } catch (NoSuchFileException e) {
            return new ReadResult(Optional.empty(), "no file " + file.getFileName());
        } catch (IOException e) {
            return new ReadResult(Optional.empty(), file.getFileName() + " is unreadable (" + e.getMessage() + ")");
        } catch (InvalidPlanFile e) {
            return new ReadResult(Optional.empty(), file.getFileName() + " is " + e.getMessage());
        }
    }

    /** What {@link #readPlanFile} found: the plan, or why not (never both). */
    public record ReadResult(Optional<PlanFile> plan, String problem) {
    }

    private static ByteBuffer map(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
        }
    }

    /** Writes the plan for {@code key} atomically (temporary file, then rename). */
    public Path storePlan(PlanKey key, ByteBuffer plan) throws IOException {
        ByteBuffer payload = plan.duplicate();
        MessageDigest digest = Digests.sha256();
        digest.update(payload.duplicate());
        String header = MAGIC + "\n" + key.canonical() + "\n" + payload.remaining() + "\n"
                + HexFormat.of().formatHex(digest.digest()) + "\n";
        return writeAtomically(planPath(key), ByteBuffer.wrap(header.getBytes(StandardCharsets.UTF_8)), payload);
    }

    /** Removes a plan that TensorRT rejected although its checksum held (e.g. written by an incompatible build). */
    public void discardPlan(PlanKey key, String reason) {
        Path file = planPath(key);
        LOG.warnf("cached TensorRT engine %s was rejected (%s); rebuilding it", file.getFileName(), reason);
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warnf("could not delete %s: %s", file, e.getMessage());
        }
    }

    /** The builder's timing cache for this GPU and TensorRT version, as TensorRT serialized it. */
    public Optional<byte[]> loadTimingCache(PlanKey key) {
        Path file = directory.resolve(key.timingCacheFileName());
        try {
            return Optional.of(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            LOG.warnf("timing cache %s is unreadable (%s); starting a new one", file, e.getMessage());
            return Optional.empty();
        }
    }

    public Path storeTimingCache(PlanKey key, ByteBuffer cache) throws IOException {
        return writeAtomically(directory.resolve(key.timingCacheFileName()), cache.duplicate());
    }

    /** The header's fields and the payload after it, not yet verified. */
    private record Header(String key, long length, String checksum, ByteBuffer payload) {
    }

    private static Header header(ByteBuffer file) throws InvalidPlanFile {
        ByteBuffer cursor = file.duplicate();
        String magic = readLine(cursor);
        if (!MAGIC.equals(magic)) {
            throw new InvalidPlanFile("not a lama-serve plan file (header '" + abbreviate(magic) + "')");
        }
        String storedKey = readLine(cursor);
        long length;
        try {
            length = Long.parseLong(readLine(cursor));
        } catch (NumberFormatException e) {
            throw new InvalidPlanFile("damaged (no payload length)");
        }
        String checksum = readLine(cursor);
        return new Header(storedKey, length, checksum, cursor.slice());
    }

    private static ByteBuffer verifiedPayload(Header header) throws InvalidPlanFile {
        ByteBuffer payload = header.payload;
        if (header.length != payload.remaining()) {
            throw new InvalidPlanFile("truncated or padded (" + payload.remaining() + " payload bytes, header says "
                    + header.length + ")");
        }
        MessageDigest digest = Digests.sha256();
        digest.update(payload.duplicate());
        if (!HexFormat.of().formatHex(digest.digest()).equals(header.checksum)) {
            throw new InvalidPlanFile("corrupt (checksum mismatch)");
        }
        return payload.asReadOnlyBuffer();
    }

    private static String readLine(ByteBuffer buffer) throws InvalidPlanFile {
        int start = buffer.position();
        int limit = Math.min(buffer.limit(), start + 4096);
        for (int i = start; i < limit; i++) {
            if (buffer.get(i) == '\n') {
                byte[] line = new byte[i - start];
                buffer.get(line);
                buffer.get();
                return new String(line, StandardCharsets.UTF_8);
            }
        }
        throw new InvalidPlanFile("damaged (header line missing)");
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }

    private Path writeAtomically(Path target, ByteBuffer... parts) throws IOException {
        Files.createDirectories(directory);
        Path temp = directory.resolve(target.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                for (ByteBuffer part : parts) {
                    while (part.hasRemaining()) {
                        out.write(part);
                    }
                }
                out.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Why a plan file was not used. */
    private static final class InvalidPlanFile extends Exception {
        InvalidPlanFile(String message) {
            super(message, null, false, false);
        }
    }
}
