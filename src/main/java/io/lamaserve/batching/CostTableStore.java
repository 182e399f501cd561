package io.lamaserve.batching;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Keeps the startup sweep's latency table between starts, so a restart on the same hardware with the same model
 * and engine (the common case when a service scales to zero and back) skips the sweep: it runs one warm-up
 * inference per execution slot and is ready. The table keeps adapting to real batches as always. A table is
 * only used when every part of its {@link Key} matches; delete the directory to force a new measurement.
 */
public final class CostTableStore {

    private static final Logger LOG = Logger.getLogger(CostTableStore.class);
    private static final String LATENCY = "latency-nanos.";

    /** What the timings depend on. */
    public record Key(String engine, String hardware, String modelSha256, int tile, int maxBatch, int executors) {

        Map<String, String> fields() {
            return Map.of("engine", engine, "hardware", hardware, "model-sha256", modelSha256,
                    "tile", Integer.toString(tile), "max-batch", Integer.toString(maxBatch),
                    "executors", Integer.toString(executors));
        }

        String fileName() {
            try {
                MessageDigest digest = MessageDigest.getInstance("SHA-256");
                new TreeMap<>(fields()).forEach((name, value) ->
                        digest.update((name + "=" + value + "\n").getBytes(StandardCharsets.UTF_8)));
                return "cost-" + HexFormat.of().formatHex(digest.digest()).substring(0, 16) + ".properties";
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is part of every JDK", e);
            }
        }
    }

    private final Path directory;

    public CostTableStore(Path directory) {
        this.directory = directory;
    }

    public Path fileFor(Key key) {
        return directory.resolve(key.fileName());
    }

    /** The stored latencies (batch size → nanoseconds) for exactly this key; empty when none or unreadable. */
    public Optional<SortedMap<Integer, Long>> load(Key key) {
        Path file = fileFor(key);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties stored = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            stored.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            LOG.warnf("Ignoring unreadable cost table %s (%s); measuring again", file, e.getMessage());
            return Optional.empty();
        }
        for (var field : key.fields().entrySet()) {
            if (!field.getValue().equals(stored.getProperty("key." + field.getKey()))) {
                LOG.infof("Cost table %s was measured for %s=%s, not %s; measuring again", file, field.getKey(),
                        stored.getProperty("key." + field.getKey()), field.getValue());
                return Optional.empty();
            }
        }
        SortedMap<Integer, Long> latencies = new TreeMap<>();
        try {
            for (String name : stored.stringPropertyNames()) {
                if (name.startsWith(LATENCY)) {
                    int size = Integer.parseInt(name.substring(LATENCY.length()));
                    long nanos = Long.parseLong(stored.getProperty(name));
                    if (size < 1 || size > key.maxBatch() || nanos < 1) {
                        throw new NumberFormatException(name + "=" + nanos);
                    }
                    latencies.put(size, nanos);
                }
            }
        } catch (NumberFormatException e) {
            LOG.warnf("Ignoring cost table %s with a bad entry (%s); measuring again", file, e.getMessage());
            return Optional.empty();
        }
        if (!latencies.containsKey(1) || !latencies.containsKey(key.maxBatch())) {
            LOG.warnf("Ignoring incomplete cost table %s; measuring again", file);
            return Optional.empty();
        }
        return Optional.of(latencies);
    }

    /** Stores a table; failures only cost the next start a sweep, so they are logged, not thrown. */
    public void save(Key key, SortedMap<Integer, Long> latencies) {
        Properties table = new Properties();
        key.fields().forEach((name, value) -> table.setProperty("key." + name, value));
        table.setProperty("measured", Instant.now().toString());
        latencies.forEach((size, nanos) -> table.setProperty(LATENCY + size, Long.toString(nanos)));
        Path file = fileFor(key);
        try {
            Files.createDirectories(directory);
            Path temporary = Files.createTempFile(directory, file.getFileName().toString(), ".tmp");
            try {
                try (Writer writer = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
                    table.store(writer, "lama-serve startup sweep; delete to measure again");
                }
                try {
                    Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temporary);
            }
        } catch (IOException e) {
            LOG.warnf("Cannot store the cost table in %s (%s); the next start measures again", directory, e.getMessage());
        }
    }
}
