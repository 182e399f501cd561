package io.lamaserve.engine.tensorrt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PlanCacheTest {

    private static final BatchShapes SHAPES = BatchShapes.powersOfTwoUpTo(16);
    private static final PlanKey KEY = new PlanKey("ab".repeat(32), "10.6.0", "NVIDIA H100 80GB HBM3", "9.0", 132, "fp16",
            SHAPES, 2, 3);

    @TempDir
    Path dir;

    @Test
    void storedPlanLoadsBackByteForByte() throws IOException {
        PlanCache cache = new PlanCache(dir);
        byte[] plan = randomBytes(100_000, 1);
        cache.storePlan(KEY, ByteBuffer.wrap(plan));

        Optional<ByteBuffer> loaded = cache.loadPlan(KEY);

        assertTrue(loaded.isPresent());
        assertArrayEquals(plan, bytes(loaded.get()));
    }

    @Test
    void aPlanFileReadWithoutItsKeyHandsBackTheKeyFromItsHeader() throws IOException {
        PlanCache cache = new PlanCache(dir);
        byte[] plan = randomBytes(10_000, 5);
        Path file = cache.storePlan(KEY, ByteBuffer.wrap(plan));

        PlanCache.ReadResult read = cache.readPlanFile(file);

        assertEquals("", read.problem());
        assertEquals(KEY.canonical(), read.plan().orElseThrow().key());
        assertEquals(file, read.plan().orElseThrow().file());
        assertArrayEquals(plan, bytes(read.plan().orElseThrow().payload()));
    }

    @Test
    void aPlanFileReadWithoutItsKeyIsStillVerified() throws IOException {
        PlanCache cache = new PlanCache(dir);
        Path file = storeWithAFlippedByte(cache, 10_000, 6);

        PlanCache.ReadResult read = cache.readPlanFile(file);

        assertTrue(read.plan().isEmpty());
        assertTrue(read.problem().endsWith("is corrupt (checksum mismatch)"), read.problem());
        assertTrue(cache.readPlanFile(dir.resolve("none.plan")).problem().startsWith("no file"));
    }

    @Test
    void missingPlanIsEmpty() {
        assertTrue(new PlanCache(dir).loadPlan(KEY).isEmpty());
    }

    @Test
    void truncatedPlanIsRejected() throws IOException {
        PlanCache cache = new PlanCache(dir);
        Path file = cache.storePlan(KEY, ByteBuffer.wrap(randomBytes(50_000, 2)));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(Files.size(file) - 1000);
        }
        assertTrue(cache.loadPlan(KEY).isEmpty());
    }

    @Test
    void planWithAFlippedByteIsRejected() throws IOException {
        PlanCache cache = new PlanCache(dir);
        storeWithAFlippedByte(cache, 50_000, 3);
        assertTrue(cache.loadPlan(KEY).isEmpty());
    }

    /** Stores a random plan under KEY and flips one bit of its payload, as a bad disk would. */
    private static Path storeWithAFlippedByte(PlanCache cache, int size, long seed) throws IOException {
        Path file = cache.storePlan(KEY, ByteBuffer.wrap(randomBytes(size, seed)));
        byte[] content = Files.readAllBytes(file);
        content[content.length - 10] ^= 0x40;
        Files.write(file, content);
        return file;
    }

    @Test
    void fileWrittenForAnotherKeyIsNotUsedUnderThisKey() throws IOException {
        PlanCache cache = new PlanCache(dir);
        PlanKey other = new PlanKey("ab".repeat(32), "10.6.0", "NVIDIA H100 80GB HBM3", "9.0", 132, "fp32", SHAPES, 2, 3);
        Path otherFile = cache.storePlan(other, ByteBuffer.wrap(randomBytes(1000, 4)));
        // someone copies a plan over the file name of another key
        Files.copy(otherFile, cache.planPath(KEY));
        assertTrue(cache.loadPlan(KEY).isEmpty());
        assertTrue(cache.loadPlan(other).isPresent());
    }

    @Test
    void rawTensorRtPlanWithoutHeaderIsRejected() throws IOException {
        PlanCache cache = new PlanCache(dir);
        Files.createDirectories(dir);
        Files.write(cache.planPath(KEY), randomBytes(10_000, 5));
        assertTrue(cache.loadPlan(KEY).isEmpty());
    }

    @Test
    void discardRemovesThePlan() throws IOException {
        PlanCache cache = new PlanCache(dir);
        cache.storePlan(KEY, ByteBuffer.wrap(randomBytes(100, 6)));
        cache.discardPlan(KEY, "deserialization failed");
        assertFalse(Files.exists(cache.planPath(KEY)));
    }

    @Test
    void concurrentWritersOfOneKeyLeaveOneCompletePlanAndNoTemporaryFiles() throws Exception {
        PlanCache cache = new PlanCache(dir);
        int writers = 6;
        List<byte[]> plans = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            plans.add(randomBytes(2_000_000 + i * 1000, 10 + i));
        }
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
        List<Future<?>> tasks = new ArrayList<>();
        List<Boolean> readerSawIncomplete = new ArrayList<>();
        try {
            for (byte[] plan : plans) {
                tasks.add(pool.submit(() -> {
                    start.await();
                    for (int round = 0; round < 5; round++) {
                        new PlanCache(dir).storePlan(KEY, ByteBuffer.wrap(plan));
                    }
                    return null;
                }));
            }
            // a reader polling meanwhile sees either nothing or one of the complete plans, never a mix
            tasks.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < 200; i++) {
                    Optional<ByteBuffer> seen = cache.loadPlan(KEY);
                    if (seen.isPresent()) {
                        byte[] content = bytes(seen.get());
                        boolean known = plans.stream().anyMatch(p -> java.util.Arrays.equals(p, content));
                        synchronized (readerSawIncomplete) {
                            readerSawIncomplete.add(!known);
                        }
                    }
                }
                return null;
            }));
            start.countDown();
            for (Future<?> task : tasks) {
                task.get();
            }
        } finally {
            pool.shutdownNow();
        }

        byte[] finalPlan = bytes(cache.loadPlan(KEY).orElseThrow());
        assertTrue(plans.stream().anyMatch(p -> java.util.Arrays.equals(p, finalPlan)));
        assertFalse(readerSawIncomplete.contains(true));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(cache.planPath(KEY)), files.toList());
        }
    }

    @Test
    void timingCacheRoundTripsRawBytes() throws IOException {
        PlanCache cache = new PlanCache(dir);
        byte[] timing = randomBytes(3000, 7);
        cache.storeTimingCache(KEY, ByteBuffer.wrap(timing));
        assertArrayEquals(timing, cache.loadTimingCache(KEY).orElseThrow());
        // raw, so that a timing cache made elsewhere (e.g. on another machine with the same GPU) can be dropped in
        assertArrayEquals(timing, Files.readAllBytes(dir.resolve(KEY.timingCacheFileName())));
    }

    @Test
    void everyKeyPartChangesTheFileName() {
        List<PlanKey> variants = List.of(
                new PlanKey("cd".repeat(32), "10.6.0", "NVIDIA H100 80GB HBM3", "9.0", 132, "fp16", SHAPES, 2, 3),
                new PlanKey("ab".repeat(32), "10.6.1", "NVIDIA H100 80GB HBM3", "9.0", 132, "fp16", SHAPES, 2, 3),
                new PlanKey("ab".repeat(32), "10.6.0", "Tesla T4", "9.0", 132, "fp16", SHAPES, 2, 3),
                new PlanKey("ab".repeat(32), "10.6.0", "NVIDIA H100 80GB HBM3", "8.9", 132, "fp16", SHAPES, 2, 3),
                new PlanKey("ab".repeat(32), "10.6.0", "NVIDIA H100 80GB HBM3", "9.0", 132, "fp32", SHAPES, 2, 3),
                // the same GPU limited to 30 % of its SMs under CUDA MPS
                new PlanKey("ab".repeat(32), "10.6.0", "NVIDIA H100 80GB HBM3", "9.0", 40, "fp16", SHAPES, 2, 3),
                new PlanKey("ab".repeat(32), "10.6.0", "NVIDIA H100 80GB HBM3", "9.0", 132, "fp16",
                        new BatchShapes(List.of(1, 2, 4, 16)), 2, 3),
                new PlanKey("ab".repeat(32), "10.6.0", "NVIDIA H100 80GB HBM3", "9.0", 132, "fp16",
                        BatchShapes.powersOfTwoUpTo(32), 2, 3),
                new PlanKey("ab".repeat(32), "10.6.0", "NVIDIA H100 80GB HBM3", "9.0", 132, "fp16", SHAPES, 3, 3),
                KEY.withOptimizationLevel(0));
        for (PlanKey variant : variants) {
            assertNotEquals(KEY.fileName(), variant.fileName(), variant.canonical());
            assertNotEquals(KEY.canonical(), variant.canonical());
        }
        assertTrue(KEY.fileName().matches("[a-z0-9.-]+\\.plan"), KEY.fileName());
    }

    @Test
    void aTimingCacheIsSharedAcrossModelsAndPrecisionsButNotAcrossSmCounts() {
        PlanKey otherModel = new PlanKey("cd".repeat(32), "10.6.0", "NVIDIA H100 80GB HBM3", "9.0", 132, "fp32",
                SHAPES, 1, 5);
        PlanKey slice = new PlanKey("ab".repeat(32), "10.6.0", "NVIDIA H100 80GB HBM3", "9.0", 40, "fp16",
                SHAPES, 2, 3);
        assertEquals(KEY.timingCacheFileName(), otherModel.timingCacheFileName());
        assertNotEquals(KEY.timingCacheFileName(), slice.timingCacheFileName());
    }

    @Test
    void smallerMaxBatchDropsTheSizesAboveIt() {
        PlanKey reduced = KEY.withMaxBatch(4);
        assertEquals(4, reduced.maxBatch());
        assertEquals(List.of(1, 2, 4), reduced.shapes().sizes());
        assertEquals(6, reduced.profiles());
        assertEquals(List.of(1, 2, 3), KEY.withMaxBatch(3).shapes().sizes());
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] copy = new byte[buffer.remaining()];
        buffer.duplicate().get(copy);
        return copy;
    }
}
