package io.lamaserve.imaging;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.awt.image.BufferedImage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The EXIF spec says where the stored image's first row and column end up when displayed; these tests mark the
 * stored top-left corner red and the stored top-right corner blue and look for them in the decoded image.
 */
class ExifOrientationTest {

    private static final int W = 96;
    private static final int H = 48;
    private static final int RED = 0xFF0000;
    private static final int BLUE = 0x0000FF;

    /** Where the stored top-left and top-right corners are displayed, per orientation: TL, TR, BL, BR. */
    private static final String[][] CORNERS = {
            null,
            {"TL", "TR"}, // 1 as stored
            {"TR", "TL"}, // 2 mirrored horizontally
            {"BR", "BL"}, // 3 rotated 180°
            {"BL", "BR"}, // 4 mirrored vertically
            {"TL", "BL"}, // 5 0th row = left side, 0th column = top
            {"TR", "BR"}, // 6 0th row = right side, 0th column = top
            {"BR", "TR"}, // 7 0th row = right side, 0th column = bottom
            {"BL", "TL"}, // 8 0th row = left side, 0th column = bottom
    };

    private static BufferedImage marked() {
        BufferedImage image = TestImages.filled(W, H, 0x808080);
        TestImages.fillRect(image, 0, 0, 16, 16, RED);
        TestImages.fillRect(image, W - 16, 0, 16, 16, BLUE);
        return image;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void pngWithExifChunkIsTurnedUpright(int orientation) {
        byte[] png = TestImages.withPngOrientation(TestImages.png(marked()), orientation);
        assertEquals(orientation, ExifOrientation.read(ImageFormat.PNG, png));
        DecodedImage decoded = ImageDecoder.decode("image", png, TestImages.DEFAULT_LIMITS);
        assertUpright(decoded, orientation, 0);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void jpegWithExifSegmentIsTurnedUpright(int orientation) {
        byte[] jpeg = TestImages.withJpegOrientation(TestImages.jpeg(marked(), 0.95f), orientation);
        assertEquals(orientation, ExifOrientation.read(ImageFormat.JPEG, jpeg));
        DecodedImage decoded = ImageDecoder.decode("image", jpeg, TestImages.DEFAULT_LIMITS);
        assertUpright(decoded, orientation, 24);
    }

    @ParameterizedTest
    @ValueSource(ints = {6, 8})
    void rotatedJpegMatchesAMaskOfTheUprightSize(int orientation) {
        byte[] jpeg = TestImages.withJpegOrientation(TestImages.jpeg(TestImages.noise(W, H, 1), 0.9f), orientation);
        byte[] mask = TestImages.png(TestImages.mask(H, W, new int[] {2, 2, 5, 5}));
        ImagePipeline pipeline = new ImagePipeline();
        PreparedRequest request = pipeline.prepare(jpeg, mask, RegionOptions.IOPAINT_DEFAULTS, 64, TestImages.DEFAULT_LIMITS);
        assertEquals(H, request.width());
        assertEquals(W, request.height());
        TestImages.paintOutputs(request, 0, 0, 0);
        BufferedImage out = TestImages.read(pipeline.complete(request, null, 100).bytes());
        assertEquals(H, out.getWidth());
        assertEquals(W, out.getHeight());
    }

    private static void assertUpright(DecodedImage decoded, int orientation, int tolerance) {
        boolean swapped = orientation >= 5;
        int w = swapped ? H : W;
        int h = swapped ? W : H;
        assertEquals(w, decoded.width(), "width");
        assertEquals(h, decoded.height(), "height");
        assertColour(decoded.raster(), CORNERS[orientation][0], RED, tolerance);
        assertColour(decoded.raster(), CORNERS[orientation][1], BLUE, tolerance);
        for (String corner : new String[] {"TL", "TR", "BL", "BR"}) {
            if (!corner.equals(CORNERS[orientation][0]) && !corner.equals(CORNERS[orientation][1])) {
                assertColour(decoded.raster(), corner, 0x808080, tolerance);
            }
        }
    }

    private static void assertColour(PixelRaster raster, String corner, int rgb, int tolerance) {
        int x = corner.charAt(1) == 'L' ? 4 : raster.width() - 5;
        int y = corner.charAt(0) == 'T' ? 4 : raster.height() - 5;
        int i = (y * raster.width() + x) * raster.channels();
        byte[] p = raster.pixels();
        int[] expected = {rgb >> 16 & 0xFF, rgb >> 8 & 0xFF, rgb & 0xFF};
        for (int c = 0; c < 3; c++) {
            int actual = p[i + c] & 0xFF;
            assertTrue(Math.abs(actual - expected[c]) <= tolerance,
                    corner + " channel " + c + ": expected " + expected[c] + ", found " + actual);
        }
    }
}
