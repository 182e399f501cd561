package io.lamaserve.imaging;

import io.lamaserve.tile.Tile;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.Arrays;

import static io.lamaserve.imaging.TestImages.inAny;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImagePipelineTest {

    private static final int T = 512;
    private static final int FILL = 0x0AC81E; // what the fake engine paints: (10, 200, 30)

    private final ImagePipeline pipeline = new ImagePipeline();

    private static RegionOptions options(HdStrategy strategy, boolean keep) {
        return RegionOptions.IOPAINT_DEFAULTS.withStrategy(strategy).withKeepUnmaskedArea(keep);
    }

    private EncodedImage run(byte[] image, byte[] mask, RegionOptions options, OutputFormat format) {
        PreparedRequest request = pipeline.prepare(image, mask, options, T, TestImages.DEFAULT_LIMITS);
        TestImages.paintOutputs(request, 10, 200, 30);
        return pipeline.complete(request, format, 100);
    }

    /** Every pixel outside the rectangles equals the input exactly; every pixel inside is the engine's colour. */
    private static void assertComposited(BufferedImage input, BufferedImage output, int[]... rects) {
        assertEquals(input.getWidth(), output.getWidth(), "width");
        assertEquals(input.getHeight(), output.getHeight(), "height");
        int w = input.getWidth();
        int[] in = input.getRGB(0, 0, w, input.getHeight(), null, 0, w);
        int[] out = output.getRGB(0, 0, w, input.getHeight(), null, 0, w);
        for (int i = 0; i < in.length; i++) {
            int x = i % w;
            int y = i / w;
            if (inAny(x, y, rects)) {
                assertEquals(FILL, out[i] & 0xFFFFFF, "masked pixel " + x + "," + y);
            } else if (in[i] != out[i]) {
                throw new AssertionError("unmasked pixel " + x + "," + y + " changed: "
                        + Integer.toHexString(in[i]) + " -> " + Integer.toHexString(out[i]));
            }
        }
    }

    @Test
    void unmaskedPixelsStayBitIdenticalForEveryStrategy() {
        BufferedImage image = TestImages.noise(1000, 700, 1);
        int[][] rects = {{100, 80, 50, 40}, {700, 500, 120, 30}};
        byte[] png = TestImages.png(image);
        byte[] mask = TestImages.png(TestImages.mask(1000, 700, rects));
        for (HdStrategy strategy : HdStrategy.values()) {
            RegionOptions options = new RegionOptions(strategy, 800, 128, 900, true);
            EncodedImage result = run(png, mask, options, null);
            assertEquals("image/png", result.mediaType());
            assertComposited(image, TestImages.read(result.bytes()), rects);
        }
    }

    @Test
    void smallImageIsPaddedAndComesBackAtItsSize() {
        BufferedImage image = TestImages.noise(300, 200, 2);
        int[][] rects = {{0, 0, 10, 10}, {250, 150, 50, 50}};
        PreparedRequest request = pipeline.prepare(TestImages.png(image),
                TestImages.png(TestImages.mask(300, 200, rects)), RegionOptions.IOPAINT_DEFAULTS, T, TestImages.DEFAULT_LIMITS);
        assertEquals(1, request.tiles().size());
        Tile tile = request.tiles().getFirst();
        // the padding (outside 300×200) is never masked
        for (int y = 0; y < T; y++) {
            for (int x = 0; x < T; x++) {
                if (x >= 300 || y >= 200) {
                    assertEquals(0f, tile.mask()[y * T + x], "padding mask at " + x + "," + y);
                }
            }
        }
        assertEquals(10 * 10 + 50 * 50, sum(tile.mask()), 0.0);
        TestImages.paintOutputs(request, 10, 200, 30);
        assertComposited(image, TestImages.read(pipeline.complete(request, null, 100).bytes()), rects);
    }

    @Test
    void downscaledRegionIsScaledBackAndOnlyMaskedPixelsChange() {
        // Original strategy on 2400×1600: one region shrunk to 512×341, then scaled back up
        BufferedImage image = TestImages.noise(2400, 1600, 3);
        int[][] rects = {{1000, 700, 300, 200}, {5, 1500, 3, 90}};
        byte[] mask = TestImages.png(TestImages.mask(2400, 1600, rects));
        PreparedRequest request = pipeline.prepare(TestImages.png(image), mask,
                options(HdStrategy.ORIGINAL, true), T, TestImages.DEFAULT_LIMITS);
        assertEquals(1, request.tiles().size());
        Tile tile = request.tiles().getFirst();
        // the shrunk content is 512×341: the last content row and column carry image, beyond is mirrored padding
        assertTrue(sum(tile.mask()) > 0, "the thin stroke survives the shrinking");
        for (int x = 0; x < T; x++) {
            assertEquals(0f, tile.mask()[400 * T + x], "row 400 is padding");
        }
        TestImages.paintOutputs(request, 10, 200, 30);
        assertComposited(image, TestImages.read(pipeline.complete(request, null, 100).bytes()), rects);
    }

    @Test
    void shrunkTileShowsTheAreaAverageOfTheImage() {
        // vertical stripes one pixel wide, black and white: any 2:1 area average is mid gray
        BufferedImage image = new BufferedImage(1024, 800, BufferedImage.TYPE_INT_RGB);
        for (int x = 1; x < 1024; x += 2) {
            TestImages.fillRect(image, x, 0, 1, 800, 0xFFFFFF);
        }
        PreparedRequest request = pipeline.prepare(TestImages.png(image),
                TestImages.png(TestImages.mask(1024, 800, new int[] {10, 10, 4, 4})),
                options(HdStrategy.ORIGINAL, true), T, TestImages.DEFAULT_LIMITS);
        Tile tile = request.tiles().getFirst();
        for (int i = 0; i < 3 * T * T; i += 997) {
            assertEquals(0.5f, tile.image()[i], 1e-4f, "sample " + i);
        }
        // mask 10..13 of 1024 → tile columns 5..6 of 512
        assertEquals(1f, tile.mask()[5 * T + 5]);
        assertEquals(1f, tile.mask()[6 * T + 6]);
        assertEquals(0f, tile.mask()[8 * T + 8]);
    }

    @Test
    void pastingWholeRegionsWhenUnmaskedAreaIsNotKept() {
        BufferedImage image = TestImages.noise(400, 300, 4);
        EncodedImage result = run(TestImages.png(image),
                TestImages.png(TestImages.mask(400, 300, new int[] {10, 10, 5, 5})),
                options(HdStrategy.ORIGINAL, false), null);
        BufferedImage out = TestImages.read(result.bytes());
        int[] all = out.getRGB(0, 0, 400, 300, null, 0, 400);
        assertTrue(Arrays.stream(all).allMatch(p -> (p & 0xFFFFFF) == FILL), "the whole region takes the output");
    }

    @Test
    void resizeWritesOnlyMaskedPixelsEvenWhenUnmaskedAreaIsNotKept() {
        BufferedImage image = TestImages.noise(1600, 1000, 15);
        int[][] rects = {{400, 300, 200, 100}};
        EncodedImage result = run(TestImages.png(image), TestImages.png(TestImages.mask(1600, 1000, rects)),
                options(HdStrategy.RESIZE, false), null);
        assertComposited(image, TestImages.read(result.bytes()), rects);
    }

    @Test
    void cropPastesItsWholeWindowWhenUnmaskedAreaIsNotKept() {
        BufferedImage image = TestImages.noise(2000, 1500, 16);
        int[][] rects = {{1000, 700, 20, 20}};
        EncodedImage result = run(TestImages.png(image), TestImages.png(TestImages.mask(2000, 1500, rects)),
                options(HdStrategy.CROP, false), null);
        BufferedImage out = TestImages.read(result.bytes());
        // the 512×512 window around the stroke takes the output; far away nothing changes
        assertEquals(FILL, out.getRGB(1000 - 200, 700 - 200) & 0xFFFFFF);
        assertEquals(FILL, out.getRGB(1000 + 200, 700 + 200) & 0xFFFFFF);
        assertEquals(image.getRGB(100, 100), out.getRGB(100, 100));
        assertEquals(image.getRGB(1900, 1400), out.getRGB(1900, 1400));
    }

    @Test
    void alphaIsKeptAndReattached() {
        BufferedImage image = TestImages.noiseWithAlpha(320, 240, 5);
        int[][] rects = {{40, 40, 100, 60}};
        EncodedImage result = run(TestImages.png(image), TestImages.png(TestImages.mask(320, 240, rects)),
                RegionOptions.IOPAINT_DEFAULTS, null);
        BufferedImage out = TestImages.read(result.bytes());
        assertTrue(out.getColorModel().hasAlpha(), "output has alpha");
        for (int y = 0; y < 240; y++) {
            for (int x = 0; x < 320; x++) {
                int in = image.getRGB(x, y);
                int o = out.getRGB(x, y);
                assertEquals(in >>> 24, o >>> 24, "alpha at " + x + "," + y);
                if (inAny(x, y, rects)) {
                    assertEquals(FILL, o & 0xFFFFFF);
                } else {
                    assertEquals(in, o, "pixel at " + x + "," + y);
                }
            }
        }
    }

    @Test
    void rgbaAskedForAsJpegLosesOnlyTheAlpha() {
        BufferedImage image = TestImages.noiseWithAlpha(64, 48, 14);
        TestImages.fillRect(image, 32, 0, 32, 48, 0x40FF0000); // translucent red right half
        EncodedImage result = run(TestImages.png(image), TestImages.png(TestImages.mask(64, 48, new int[] {0, 0, 8, 8})),
                RegionOptions.IOPAINT_DEFAULTS, OutputFormat.JPEG);
        assertEquals("image/jpeg", result.mediaType());
        BufferedImage out = TestImages.read(result.bytes());
        assertEquals(false, out.getColorModel().hasAlpha());
        int p = out.getRGB(48, 24);
        assertTrue((p >> 16 & 0xFF) > 230 && (p >> 8 & 0xFF) < 25 && (p & 0xFF) < 25,
                "colour kept without alpha: " + Integer.toHexString(p));
    }

    @Test
    void emptyMaskNeedsNoInferenceAndReturnsTheInput() {
        byte[] png = TestImages.png(TestImages.noise(200, 100, 6));
        byte[] mask = TestImages.png(TestImages.mask(200, 100));
        PreparedRequest request = pipeline.prepare(png, mask, RegionOptions.IOPAINT_DEFAULTS, T, TestImages.DEFAULT_LIMITS);
        assertTrue(request.tiles().isEmpty());
        EncodedImage same = pipeline.complete(request, null, 100);
        assertArrayEquals(png, same.bytes());
        // asked for JPEG, it is re-encoded; still the input's size
        EncodedImage jpeg = pipeline.complete(request, OutputFormat.JPEG, 100);
        assertEquals("image/jpeg", jpeg.mediaType());
        assertEquals(200, TestImages.read(jpeg.bytes()).getWidth());
    }

    @Test
    void jpegInGivesJpegOutAndKeepsDecodedPixelsOutsideTheMask() {
        BufferedImage image = TestImages.noise(640, 480, 7);
        byte[] jpeg = TestImages.jpeg(image, 0.9f);
        BufferedImage decoded = TestImages.read(jpeg);
        int[][] rects = {{300, 200, 64, 64}};
        byte[] mask = TestImages.png(TestImages.mask(640, 480, rects));
        EncodedImage same = run(jpeg, mask, RegionOptions.IOPAINT_DEFAULTS, null);
        assertEquals("image/jpeg", same.mediaType());
        assertEquals(0xFF, same.bytes()[0] & 0xFF);
        assertEquals(0xD8, same.bytes()[1] & 0xFF);
        BufferedImage back = TestImages.read(same.bytes());
        assertEquals(640, back.getWidth());
        assertEquals(480, back.getHeight());
        // lossless output shows that the decoded JPEG pixels outside the mask are untouched
        assertComposited(decoded, TestImages.read(run(jpeg, mask, RegionOptions.IOPAINT_DEFAULTS, OutputFormat.PNG).bytes()), rects);
    }

    @Test
    void sizeMismatchIsRejectedWithIopaintsMessage() {
        byte[] image = TestImages.png(TestImages.noise(640, 480, 8));
        byte[] mask = TestImages.png(TestImages.mask(320, 240));
        BadImageException e = assertThrows(BadImageException.class,
                () -> pipeline.prepare(image, mask, RegionOptions.IOPAINT_DEFAULTS, T, TestImages.DEFAULT_LIMITS));
        assertEquals("Image size((480, 640)) and mask size((240, 320)) not match.", e.getMessage());
    }

    @Test
    void oversizedHeaderIsRejectedBeforeDecoding() {
        byte[] bomb = TestImages.pngHeaderOnly(50_000, 50_000);
        byte[] mask = TestImages.png(TestImages.mask(10, 10));
        long start = System.nanoTime();
        ImageTooLargeException e = assertThrows(ImageTooLargeException.class,
                () -> pipeline.prepare(bomb, mask, RegionOptions.IOPAINT_DEFAULTS, T, TestImages.DEFAULT_LIMITS));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals("image is 50000×50000 = 2500000000 pixels, the limit is 40000000 (lama.limits.max-pixels)",
                e.getMessage());
        assertTrue(millis < 2000, "rejected in " + millis + " ms");
        // the same file within the limit would be decoded, and its empty pixel data fails: decoding was never tried
        assertThrows(BadImageException.class, () -> pipeline.prepare(TestImages.pngHeaderOnly(100, 100),
                TestImages.png(TestImages.mask(100, 100)), RegionOptions.IOPAINT_DEFAULTS, T, TestImages.DEFAULT_LIMITS));
    }

    @Test
    void oversizedMaskIsRejectedBeforeTheImageIsDecoded() {
        byte[] image = TestImages.png(TestImages.noise(100, 100, 9));
        ImageTooLargeException e = assertThrows(ImageTooLargeException.class, () -> pipeline.prepare(image,
                TestImages.pngHeaderOnly(20_000, 20_000), RegionOptions.IOPAINT_DEFAULTS, T, TestImages.DEFAULT_LIMITS));
        assertTrue(e.getMessage().startsWith("mask is 20000×20000"), e.getMessage());
        // with both broken, the image is reported first, as IOPaint decodes it first
        BadImageException both = assertThrows(BadImageException.class, () -> pipeline.prepare("x".getBytes(),
                "y".getBytes(), RegionOptions.IOPAINT_DEFAULTS, T, TestImages.DEFAULT_LIMITS));
        assertTrue(both.getMessage().startsWith("image:"), both.getMessage());
    }

    @Test
    void pixelLimitIsConfigurable() {
        byte[] image = TestImages.png(TestImages.noise(100, 100, 10));
        byte[] mask = TestImages.png(TestImages.mask(100, 100));
        assertThrows(ImageTooLargeException.class,
                () -> pipeline.prepare(image, mask, RegionOptions.IOPAINT_DEFAULTS, T, new ImageLimits(9_999)));
        pipeline.prepare(image, mask, RegionOptions.IOPAINT_DEFAULTS, T, new ImageLimits(10_000));
    }

    @Test
    void garbageAndEmptyInputsAreBadRequests() {
        byte[] mask = TestImages.png(TestImages.mask(10, 10));
        BadImageException notImage = assertThrows(BadImageException.class, () -> pipeline.prepare(
                "hello world".getBytes(), mask, RegionOptions.IOPAINT_DEFAULTS, T, TestImages.DEFAULT_LIMITS));
        assertEquals("image: not a PNG, JPEG, GIF, BMP or TIFF file", notImage.getMessage());
        assertThrows(BadImageException.class, () -> pipeline.prepare(new byte[0], mask,
                RegionOptions.IOPAINT_DEFAULTS, T, TestImages.DEFAULT_LIMITS));
        byte[] png = TestImages.png(TestImages.noise(50, 50, 11));
        byte[] truncated = Arrays.copyOf(png, png.length / 2);
        BadImageException cut = assertThrows(BadImageException.class, () -> pipeline.prepare(
                truncated, TestImages.png(TestImages.mask(50, 50)), RegionOptions.IOPAINT_DEFAULTS, T, TestImages.DEFAULT_LIMITS));
        assertTrue(cut.getMessage().startsWith("image: cannot decode PNG"), cut.getMessage());
        BadImageException zero = assertThrows(BadImageException.class, () -> pipeline.prepare(
                TestImages.pngHeaderOnly(0, 10), mask, RegionOptions.IOPAINT_DEFAULTS, T, TestImages.DEFAULT_LIMITS));
        assertTrue(zero.getMessage().startsWith("image"), zero.getMessage());
    }

    @Test
    void onePixelWideImagesWork() {
        for (int[] size : new int[][] {{1, 1}, {1, 600}, {900, 1}, {3, 2000}}) {
            int w = size[0];
            int h = size[1];
            BufferedImage image = TestImages.noise(w, h, 12);
            int[][] rects = {{0, h / 2, 1, 1}};
            EncodedImage result = run(TestImages.png(image), TestImages.png(TestImages.mask(w, h, rects)),
                    RegionOptions.IOPAINT_DEFAULTS, null);
            assertComposited(image, TestImages.read(result.bytes()), rects);
        }
    }

    @Test
    void jpegQualityOutOfRangeIsABadRequest() {
        byte[] png = TestImages.png(TestImages.noise(20, 20, 13));
        PreparedRequest request = pipeline.prepare(png, TestImages.png(TestImages.mask(20, 20, new int[] {1, 1, 2, 2})),
                RegionOptions.IOPAINT_DEFAULTS, T, TestImages.DEFAULT_LIMITS);
        assertThrows(BadImageException.class, () -> pipeline.complete(request, OutputFormat.JPEG, 0));
    }

    private static double sum(float[] values) {
        double s = 0;
        for (float v : values) {
            s += v;
        }
        return s;
    }
}
