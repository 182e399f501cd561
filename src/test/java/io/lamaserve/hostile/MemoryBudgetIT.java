package io.lamaserve.hostile;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 16 concurrent requests of a 36-megapixel PNG (a few hundred KB each) against the service as {@code bin/serve}
 * starts it, with its default JVM settings and the default pixel budget: the resident memory of the process must
 * stay under {@link #RSS_BOUND_MIB}, and every request must get 200, or 503 with Retry-After when its pixels did not
 * fit in time. The figures go to {@code target/hostile/memory.txt}.
 */
class MemoryBudgetIT {

    static final int SIDE = 6_000;
    static final int CLIENTS = 16;
    /**
     * Without the budget this load took the process from 0.26 to 4.6 GiB on a 23 GiB machine (the JVM's default heap
     * is a quarter of it). The default budget (80 million pixels) admits two of these images at a time, about 1.7 GiB
     * above rest at 25 bytes per pixel.
     */
    static final long RSS_BOUND_MIB = 3_072;

    @Test
    void sixteenBigImagesAtOnceStayWithinTheMemoryBudget() throws Exception {
        byte[] image = png(SIDE, SIDE, false);
        byte[] mask = png(SIDE, SIDE, true);
        byte[] body = HostileCases.multipartBody(Map.of("image", image, "mask", mask));
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path log = Path.of("target/hostile/memory-budget.log");
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>(List.of("bin/serve", "-Dquarkus.http.port=" + port,
                "-Dlama.engine=onnxruntime", "-Dlama.model.path=" + PackagedService.FIXTURE_MODEL.toAbsolutePath(),
                "-Dlama.batching.sweep-repetitions=1"));
        // for comparisons, e.g. -Dmemory.serve-args=-Dlama.limits.max-pixels-in-flight=1000000000 (no budget)
        String extra = System.getProperty("memory.serve-args", "");
        if (!extra.isBlank()) {
            command.addAll(List.of(extra.strip().split("\\s+")));
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            URI base = URI.create("http://localhost:" + port);
            ServiceReady.await(base, Duration.ofMinutes(3));
            long before = rssKib(process.pid());
            AtomicLong peak = new AtomicLong(before);
            AtomicBoolean loading = new AtomicBoolean(true);
            Thread sampler = Thread.ofPlatform().daemon().start(() -> {
                while (loading.get()) {
                    peak.accumulateAndGet(rssKib(process.pid()), Math::max);
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            List<Future<HttpResponse<Void>>> answers = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < CLIENTS; i++) {
                answers.add(clients.submit(() -> client.send(HttpRequest.newBuilder(base.resolve("/v1/inpaint"))
                        .header("Content-Type", "multipart/form-data; boundary=" + HostileCases.BOUNDARY)
                        .timeout(Duration.ofSeconds(90))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                        HttpResponse.BodyHandlers.discarding())));
            }
            int ok = 0;
            int busy = 0;
            for (Future<HttpResponse<Void>> answer : answers) {
                HttpResponse<Void> response = answer.get(100, TimeUnit.SECONDS);
                if (response.statusCode() == 200) {
                    ok++;
                } else {
                    assertTrue(response.statusCode() == 503 && response.headers().firstValue("Retry-After").isPresent(),
                            "status " + response.statusCode() + " " + response.headers().map());
                    busy++;
                }
            }
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            loading.set(false);
            sampler.join();
            clients.shutdown();
            String figure = String.format("%d concurrent %d×%d PNG requests (%d KB image, %d KB mask): %d × 200, "
                            + "%d × 503 in %d s; RSS %d MiB before, peak %d MiB during",
                    CLIENTS, SIDE, SIDE, image.length / 1024, mask.length / 1024, ok, busy, seconds,
                    before / 1024, peak.get() / 1024);
            Files.writeString(Path.of("target/hostile/memory.txt"), figure + "\n");
            assertTrue(ok >= 1, figure);
            assertTrue(peak.get() / 1024 < RSS_BOUND_MIB, figure);
            int refused = busy;
            String metrics = client.send(HttpRequest.newBuilder(base.resolve("/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.lines().anyMatch(line -> line.startsWith("lama_rejections_total{reason=\"memory_busy\"")
                            && Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)) == refused),
                    "every 503 counted as memory_busy: " + metrics.lines()
                            .filter(line -> line.startsWith("lama_rejections_total")).toList());
        } finally {
            process.destroy();
            if (!process.waitFor(40, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private static long rssKib(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException gone) {
            // the process ended between two samples
        }
        return 0;
    }

    /**
     * A large PNG that compresses to a few hundred KB, written directly: a soft diagonal gradient (RGB), or a mask
     * (grey) with a 300×200 white rectangle in the middle.
     */
    static byte[] png(int width, int height, boolean mask) throws IOException {
        int channels = mask ? 1 : 3;
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream deflate = new DeflaterOutputStream(idat, new Deflater(6), 1 << 16)) {
            byte[] row = new byte[1 + width * channels];
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    if (mask) {
                        boolean hole = Math.abs(x - width / 2) < 150 && Math.abs(y - height / 2) < 100;
                        row[1 + x] = (byte) (hole ? 255 : 0);
                    } else {
                        row[1 + 3 * x] = (byte) ((x + y) / 256);
                        row[2 + 3 * x] = (byte) (x / 256);
                        row[3 + 3 * x] = (byte) (y / 256);
                    }
                }
                deflate.write(row);
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        chunk(png, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8)
                .put((byte) (mask ? 0 : 2)).put((byte) 0).put((byte) 0).put((byte) 0).array());
        chunk(png, "IDAT", idat.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream png, String type, byte[] data) {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        png.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        png.writeBytes(name);
        png.writeBytes(data);
        png.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
