package io.lamaserve.bench.engine;

import io.lamaserve.batching.CostSweep;
import io.lamaserve.engine.BatchPhases;
import io.lamaserve.engine.GuardedEngine;
import io.lamaserve.engine.InpaintEngine;
import io.lamaserve.engine.ModelRunner;
import io.lamaserve.engine.tensorrt.LayerProfiler;
import io.lamaserve.engine.tensorrt.TensorRtEngine;
import io.lamaserve.engine.tensorrt.TensorRtEngineFactory;
import io.lamaserve.engine.tensorrt.TensorRtSettings;
import io.lamaserve.tile.Tile;
import io.lamaserve.tile.TileBatch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Offline measurement of the TensorRT engine without HTTP: startup (build or cached load), latency per batch size
 * on one context, throughput with every context busy, and optional dumps of inputs and outputs for comparing with
 * ONNX Runtime; {@code --alternate 1,2} adds the latency of batches whose size changes from one to the next. The
 * engine is the service's, built from the service's {@code lama.tensorrt.*} defaults with the options given
 * ({@link BenchOptions}). Prints one JSON document on stdout.
 *
 * <p>Built beside the service as its own jar; bench/engine/README.md has the command line and the classpath.
 */
public final class TensorRtOfflineBench {

    private TensorRtOfflineBench() {
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options = BenchOptions.parse(args);
        TensorRtSettings settings = TensorRtSettings.from(options.engineConfig().tensorrt());

        StringBuilder json = new StringBuilder("{");
        TensorRtEngineFactory.Startup startup = new TensorRtEngineFactory(settings).create(options.onnx());
        json.append(String.format(Locale.ROOT, "\"engine\":\"%s\",\"ready_s\":%.2f,\"quick_build_s\":%.1f,"
                        + "\"final_build_s\":%.1f,\"from_cache\":%b,\"plan\":\"%s\"", startup.engine().name(),
                startup.readySeconds(), startup.quickBuildSeconds(), startup.finalBuildSeconds(),
                startup.loadedFromCache(), startup.finalKey().fileName()));
        // the service's duties around the runtime (contract checks, output scaling), timed as the service is timed
        try (InpaintEngine engine = new GuardedEngine(startup.engine(), new BatchPhases(new SimpleMeterRegistry()))) {
            // the service's warm-up (one batch of 1 on every slot) completes the start's phases
            CostSweep.warmUp(engine);
            json.append(",\"start_phases_s\":").append(startup.phases().json());
            if (options.waitOptimized() && !startup.optimized().isDone()) {
                long waitStart = System.nanoTime();
                double built = startup.optimized().get(30, TimeUnit.MINUTES);
                json.append(String.format(Locale.ROOT, ",\"optimized_build_s\":%.1f,\"optimized_wait_s\":%.1f",
                        built, (System.nanoTime() - waitStart) / 1e9));
            }
            if (options.dumpDir() != null) {
                dump(engine, options.dumpDir(), options.dumpBatches());
            }
            json.append(",\"served_by\":\"").append(engine.name()).append("\",\"results\":[");
            for (int batch : options.batches()) {
                if (batch > engine.maxBatch()) {
                    System.err.printf("skipping batch %d: above the engine's max batch %d%n", batch, engine.maxBatch());
                    continue;
                }
                json.append(json.charAt(json.length() - 1) == '[' ? "" : ",").append(measure(engine, batch, options.seconds()));
            }
            json.append("]");
            if (options.alternate() != null) {
                json.append(",\"alternating\":").append(alternating(engine, options.alternate(), options.seconds()));
            }
            if (options.profile() != null) {
                json.append(",\"layer_profiles\":").append(layerProfiles(startup.engine(), options.profile(),
                        options.profileRuns()));
            }
            json.append("}");
        }
        System.out.println(json);
    }

    /**
     * Latency on one context when consecutive batches change size, cycling through {@code sizes}: the p50 per size,
     * to set beside the same sizes run one after another. The service changes a context's batch size from batch to
     * batch; the startup sweep, like {@link #measure}, times one size at a time.
     */
    static String alternating(InpaintEngine engine, int[] sizes, double seconds) throws Exception {
        List<TileBatch> inputs = new ArrayList<>();
        List<List<Double>> latencies = new ArrayList<>();
        for (int size : sizes) {
            if (size < 1 || size > engine.maxBatch()) {
                throw new IllegalArgumentException("--alternate: batch " + size + " outside 1.." + engine.maxBatch());
            }
            inputs.add(randomBatch(size, engine.tileSize(), 2000 + size));
            latencies.add(new ArrayList<>());
        }
        for (int warm = 0; warm < 2 * sizes.length; warm++) {
            engine.infer(0, inputs.get(warm % sizes.length));
        }
        long until = System.nanoTime() + (long) (seconds * 1e9);
        for (int i = 0; System.nanoTime() < until || latencies.getLast().size() < 5; i++) {
            int k = i % sizes.length;
            long t0 = System.nanoTime();
            engine.infer(0, inputs.get(k));
            latencies.get(k).add((System.nanoTime() - t0) / 1e6);
        }
        StringBuilder json = new StringBuilder("{\"sizes\":").append(Arrays.toString(sizes).replace(" ", ""))
                .append(",\"p50_ms\":[");
        for (int k = 0; k < sizes.length; k++) {
            List<Double> sorted = latencies.get(k).stream().sorted().toList();
            double p50 = sorted.get(sorted.size() / 2);
            System.err.printf(Locale.ROOT, "alternating %s: batch %d p50 %.2f ms%n", Arrays.toString(sizes), sizes[k], p50);
            json.append(k == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.3f", p50));
        }
        return json.append("],\"samples\":").append(latencies.getFirst().size()).append("}").toString();
    }

    /**
     * TensorRT's per-layer times (mean ms per run on the first context) for each of {@code sizes}, slowest first.
     * Profiling synchronizes after every layer, so the sum exceeds the unprofiled latency.
     */
    static String layerProfiles(ModelRunner runner, int[] sizes, int runs) {
        if (!(runner instanceof TensorRtEngine engine)) {
            System.err.println("--profile: the engine serving is not a plain TensorRT engine; no profile");
            return "[]";
        }
        StringBuilder json = new StringBuilder("[");
        for (int size : sizes) {
            List<LayerProfiler.LayerTime> layers = new ArrayList<>(engine.profileLayers(size, runs));
            double sum = layers.stream().mapToDouble(LayerProfiler.LayerTime::meanMs).sum();
            System.err.printf(Locale.ROOT, "profile batch %d: %d layers, %.2f ms per run (%d runs)%n", size,
                    layers.size(), sum, runs);
            json.append(json.length() == 1 ? "" : ",").append(String.format(Locale.ROOT,
                    "{\"batch\":%d,\"runs\":%d,\"sum_ms\":%.3f,\"layers\":[", size, runs, sum));
            for (int i = 0; i < layers.size(); i++) {
                LayerProfiler.LayerTime layer = layers.get(i);
                json.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "{\"name\":\"%s\",\"ms\":%.4f}",
                        jsonEscape(layer.name()), layer.meanMs()));
            }
            json.append("]}");
        }
        return json.append("]").toString();
    }

    static String jsonEscape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /** Latency on one context (median, p90 of sequential calls), then throughput with all contexts busy. */
    private static String measure(InpaintEngine engine, int batch, double seconds) throws Exception {
        int side = engine.tileSize();
        List<TileBatch> perSlot = new ArrayList<>();
        for (int s = 0; s < engine.parallelism(); s++) {
            perSlot.add(randomBatch(batch, side, 1000 + s));
        }
        for (int warm = 0; warm < 3; warm++) {
            engine.infer(0, perSlot.get(0));
        }
        List<Double> latencies = new ArrayList<>();
        long until = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < until || latencies.size() < 5) {
            long t0 = System.nanoTime();
            engine.infer(0, perSlot.get(0));
            latencies.add((System.nanoTime() - t0) / 1e6);
        }
        latencies.sort(Double::compare);
        double p50 = latencies.get(latencies.size() / 2);
        double p90 = latencies.get((int) (latencies.size() * 0.9));

        AtomicLong images = new AtomicLong();
        CountDownLatch done = new CountDownLatch(engine.parallelism());
        long start = System.nanoTime();
        long stop = start + (long) (seconds * 1e9);
        Exception[] failure = new Exception[1];
        for (int s = 0; s < engine.parallelism(); s++) {
            int slot = s;
            Thread.ofPlatform().name("bench-slot-" + s).start(() -> {
                try {
                    while (System.nanoTime() < stop) {
                        engine.infer(slot, perSlot.get(slot));
                        images.addAndGet(batch);
                    }
                } catch (Exception e) {
                    failure[0] = e;
                } finally {
                    done.countDown();
                }
            });
        }
        done.await();
        if (failure[0] != null) {
            throw failure[0];
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        double throughput = images.get() / elapsed;
        System.err.printf(Locale.ROOT, "batch %2d: p50 %.2f ms, p90 %.2f ms (1 context, %.1f img/s); %.1f img/s with %d contexts%n",
                batch, p50, p90, batch * 1000 / p50, throughput, engine.parallelism());
        return String.format(Locale.ROOT, "{\"batch\":%d,\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"single_context_img_s\":%.1f,"
                        + "\"all_contexts_img_s\":%.1f,\"contexts\":%d,\"samples\":%d}", batch, p50, p90,
                batch * 1000 / p50, throughput, engine.parallelism(), latencies.size());
    }

    /** Deterministic inputs (seeded) and the engine's outputs as raw little-endian float32, for the ORT comparison. */
    private static void dump(InpaintEngine engine, Path dir, int[] batches) throws Exception {
        Files.createDirectories(dir);
        for (int batch : batches) {
            if (batch > engine.maxBatch()) {
                continue;
            }
            TileBatch tiles = randomBatch(batch, engine.tileSize(), 7);
            engine.infer(0, tiles);
            write(dir.resolve("b" + batch + "-image.f32"), tiles, Tile::image);
            write(dir.resolve("b" + batch + "-mask.f32"), tiles, Tile::mask);
            write(dir.resolve("b" + batch + "-" + engine.name() + ".f32"), tiles, Tile::output);
        }
        TileBatch extremes = extremeBatch(engine.tileSize());
        engine.infer(0, extremes);
        write(dir.resolve("x" + extremes.size() + "-image.f32"), extremes, Tile::image);
        write(dir.resolve("x" + extremes.size() + "-mask.f32"), extremes, Tile::mask);
        write(dir.resolve("x" + extremes.size() + "-" + engine.name() + ".f32"), extremes, Tile::output);
    }

    /**
     * Inputs at the edges of the value ranges, where fp16 activations are most likely to overflow: an all-black and
     * an all-white image with the whole tile to fill, and both with the usual hole.
     */
    static TileBatch extremeBatch(int side) {
        List<Tile> tiles = new ArrayList<>();
        for (float value : new float[] {0f, 1f}) {
            for (boolean fullMask : new boolean[] {true, false}) {
                Tile tile = Tile.allocate(side);
                Arrays.fill(tile.image(), value);
                if (fullMask) {
                    Arrays.fill(tile.mask(), 1f);
                } else {
                    for (int y = side / 4; y < side * 3 / 4; y++) {
                        Arrays.fill(tile.mask(), y * side + side / 4, y * side + side * 3 / 4, 1f);
                    }
                }
                tiles.add(tile);
            }
        }
        return new TileBatch(tiles);
    }

    private static void write(Path file, TileBatch tiles, java.util.function.Function<Tile, float[]> part) {
        int floats = part.apply(tiles.get(0)).length;
        ByteBuffer buffer = ByteBuffer.allocate(4 * floats * tiles.size()).order(ByteOrder.LITTLE_ENDIAN);
        for (Tile tile : tiles.tiles()) {
            buffer.asFloatBuffer().put(part.apply(tile));
            buffer.position(buffer.position() + 4 * floats);
        }
        buffer.flip();
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(buffer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Smooth random images (a few low-frequency waves, so the model sees image-like input rather than noise) and a
     * rectangular hole per tile covering about a fifth of it.
     */
    static TileBatch randomBatch(int batch, int side, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Tile> tiles = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            Tile tile = Tile.allocate(side);
            float[] image = tile.image();
            int plane = side * side;
            for (int c = 0; c < 3; c++) {
                double fx = random.nextDouble(1, 6), fy = random.nextDouble(1, 6), phase = random.nextDouble(6.28);
                for (int y = 0; y < side; y++) {
                    for (int x = 0; x < side; x++) {
                        double v = 0.5 + 0.35 * Math.sin(fx * x * 6.28 / side + phase) * Math.cos(fy * y * 6.28 / side)
                                + 0.05 * random.nextDouble(-1, 1);
                        image[c * plane + y * side + x] = (float) Math.min(1, Math.max(0, v));
                    }
                }
            }
            int w = side * 9 / 20, h = side * 9 / 20;
            int x0 = random.nextInt(side - w), y0 = random.nextInt(side - h);
            for (int y = y0; y < y0 + h; y++) {
                Arrays.fill(tile.mask(), y * side + x0, y * side + x0 + w, 1f);
            }
            tiles.add(tile);
        }
        return new TileBatch(tiles);
    }
}
