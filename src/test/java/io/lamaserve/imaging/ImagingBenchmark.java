package io.lamaserve.imaging;

import io.lamaserve.tile.Tile;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Times the image pipeline stage by stage (decode → tiles → composite → encode) on synthetic photo-like images of
 * about 1 and 12 megapixels, PNG and JPEG, with a mask of brush strokes, under IOPaint's default options (Crop) and
 * T = 512. The model is not run: a stand-in copies each tile's input to its output. Prints the median of the timed
 * repetitions in milliseconds.
 *
 * <pre>MAVEN_OPTS=-Xmx4g mvn -B -o test-compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java \
 *     -Dexec.classpathScope=test -Dexec.mainClass=io.lamaserve.imaging.ImagingBenchmark [-Dexec.args="3 5"]</pre>
 */
public final class ImagingBenchmark {

    private static final int TILE = 512;

    public static void main(String[] args) {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.out.printf(Locale.ROOT, "java %s, %d cores, warm-up %d, median of %d%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), warmup, runs);
        System.out.println("| image | input | in MB | regions | decode | tiles | composite | encode | total | out MB "
                + "| encoder in one part (PNG band, JPEG strip): ms, MB | ImageIO PNG writer: zlib 1 / zlib 4 ms, zlib 1 MB |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (int[] size : new int[][] {{512, 512}, {1152, 864}, {4000, 3000}}) {
            BufferedImage photo = photoLike(size[0], size[1], 42);
            byte[] mask = TestImages.png(strokes(size[0], size[1], 7));
            measure(size, "PNG", TestImages.png(photo), mask, warmup, runs);
            measure(size, "JPEG q90", TestImages.jpeg(photo, 0.9f), mask, warmup, runs);
        }
    }

    private static void measure(int[] size, String label, byte[] file, byte[] maskFile, int warmup, int runs) {
        int stages = 8;
        long[][] times = new long[stages][runs];
        int tiles = 0;
        int outBytes = 0;
        int imageIoBytes = 0;
        int oneBandBytes = 0;
        for (int i = 0; i < warmup + runs; i++) {
            long t0 = System.nanoTime();
            DecodedImage image;
            DecodedImage maskImage;
            try (ImageDecoder.CheckedFile imageChecked = ImageDecoder.open("image", file, TestImages.DEFAULT_LIMITS);
                 ImageDecoder.CheckedFile maskChecked = ImageDecoder.open("mask", maskFile, TestImages.DEFAULT_LIMITS)) {
                image = imageChecked.decode();
                maskImage = maskChecked.decode();
            }
            long t1 = System.nanoTime();
            BinaryMask mask = BinaryMask.of(maskImage.raster());
            List<Region> regions = new RegionPlanner(RegionOptions.IOPAINT_DEFAULTS, TILE).plan(mask);
            List<Tile> tileList = new ArrayList<>();
            for (Region region : regions) {
                Tile tile = Tile.allocate(TILE);
                TileFiller.fill(image.raster(), mask, region, tile);
                tileList.add(tile);
            }
            long t2 = System.nanoTime();
            for (Tile tile : tileList) {
                for (int k = 0; k < tile.image().length; k++) {
                    tile.output()[k] = tile.image()[k] * 255f;
                }
            }
            long t3 = System.nanoTime();
            for (int r = 0; r < regions.size(); r++) {
                Compositor.composite(image.raster(), mask, regions.get(r), tileList.get(r));
            }
            long t4 = System.nanoTime();
            OutputFormat format = image.format().sameAsInput();
            byte[] encoded = ImageEncoder.encode(image.raster(), format, 100);
            long t5 = System.nanoTime();
            long imageIoFast = 0;
            long imageIoDefault = 0;
            long oneBand = 0;
            if (format == OutputFormat.PNG) {
                // the same encoder without the parallel parts: the baseline for the encode column
                long s = System.nanoTime();
                oneBandBytes = PngWriter.write(image.raster(), ImageEncoder.PNG_DEFLATE_LEVEL,
                        PngWriter.sample(image.raster(), PngWriter.SUB, PngWriter.UP, PngWriter.AVERAGE,
                                PngWriter.PAETH).filter(), 1).length;
                oneBand = System.nanoTime() - s;
            } else {
                long s = System.nanoTime();
                oneBandBytes = JpegStrips.encode(image.raster(), 100, 1).length;
                oneBand = System.nanoTime() - s;
            }
            if (format == OutputFormat.PNG) {
                long s = System.nanoTime();
                imageIoBytes = encodePngWithImageIo(image.raster(), 1).length;
                imageIoFast = System.nanoTime() - s;
                s = System.nanoTime();
                encodePngWithImageIo(image.raster(), 4);
                imageIoDefault = System.nanoTime() - s;
            }
            if (encoded.length == 0) {
                throw new IllegalStateException("empty output");
            }
            tiles = regions.size();
            outBytes = encoded.length;
            if (i >= warmup) {
                int r = i - warmup;
                times[0][r] = t1 - t0;
                times[1][r] = t2 - t1;
                times[2][r] = t4 - t3;
                times[3][r] = t5 - t4;
                times[4][r] = (t5 - t0) - (t3 - t2);
                times[5][r] = imageIoFast;
                times[6][r] = imageIoDefault;
                times[7][r] = oneBand;
            }
        }
        System.out.printf(Locale.ROOT, "| %d×%d (%.1f MP) | %s | %.2f | %d | %s | %s | %s | %s | %s | %.2f | %s | %s |%n",
                size[0], size[1], size[0] * (double) size[1] / 1e6, label, file.length / 1e6, tiles,
                median(times[0]), median(times[1]), median(times[2]), median(times[3]), median(times[4]),
                outBytes / 1e6,
                median(times[7]) + String.format(Locale.ROOT, ", %.2f", oneBandBytes / 1e6),
                times[5][0] == 0 ? "–" : median(times[5]) + " / " + median(times[6])
                        + String.format(Locale.ROOT, ", %.2f", imageIoBytes / 1e6));
    }

    private static String median(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return String.format(Locale.ROOT, "%.1f", sorted[sorted.length / 2] / 1e6);
    }

    /** Smooth gradients, soft shapes and mild sensor noise: compresses roughly like a photograph. */
    static BufferedImage photoLike(int width, int height, long seed) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(seed);
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double u = (double) x / width;
                double v = (double) y / height;
                int r = (int) (120 + 80 * Math.sin(6 * u + 2 * v) + random.nextGaussian() * 3);
                int g = (int) (110 + 70 * Math.cos(4 * v - 3 * u) + random.nextGaussian() * 3);
                int b = (int) (100 + 60 * Math.sin(9 * u * v) + random.nextGaussian() * 3);
                row[x] = clamp(r) << 16 | clamp(g) << 8 | clamp(b);
            }
            image.setRGB(0, y, width, 1, row, 0, width);
        }
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        for (int i = 0; i < 40; i++) {
            g.setColor(new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256), 120));
            int d = width / 20 + random.nextInt(width / 6);
            g.fillOval(random.nextInt(width), random.nextInt(height), d, d);
        }
        g.dispose();
        return image;
    }

    /** Two to three thick brush strokes, white on black, like IOPaint's editor draws them. */
    static BufferedImage strokes(int width, int height, long seed) {
        BufferedImage mask = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = mask.createGraphics();
        g.setColor(Color.WHITE);
        g.setStroke(new BasicStroke(Math.max(8, width / 60f), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.drawLine(width / 10, height / 5, width / 4, height / 3);
        g.drawLine(width * 6 / 10, height * 6 / 10, width * 7 / 10, height * 8 / 10);
        g.drawOval(width * 8 / 10, height / 10, width / 20, height / 20);
        g.dispose();
        return mask;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    private ImagingBenchmark() {
    }

    /** PNG through the JDK's ImageIO writer at a zlib level (0..9), to set beside {@link PngWriter}. */
    static byte[] encodePngWithImageIo(PixelRaster raster, int deflateLevel) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            // the JDK writer maps quality q to zlib level 9 - round(9 * q)
            param.setCompressionQuality(1f - deflateLevel / 9f);
            writer.write(null, new IIOImage(ImageEncoder.wrap(raster, raster.hasAlpha()), null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
