package io.lamaserve.imaging;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** PngWriter's files read back through ImageIO's independent decoder with every byte intact. */
class PngWriterTest {

    @Test
    void rgbAndRgbaRoundTripExactlyWithEveryFilter() {
        for (int filter : new int[] {PngWriter.SUB, PngWriter.UP, PngWriter.AVERAGE, PngWriter.PAETH}) {
            for (int channels : new int[] {3, 4}) {
                for (int[] size : new int[][] {{1, 1}, {7, 3}, {300, 200}, {1000, 700}}) {
                    PixelRaster raster = PixelRaster.allocate(size[0], size[1], channels);
                    new Random(size[0] * 31L + channels).nextBytes(raster.pixels());
                    // smooth rows too, where the predictors' edge cases (ties, wrap-around) occur
                    for (int i = 0; i < raster.pixels().length / 2; i++) {
                        raster.pixels()[i] = (byte) (i / 97);
                    }
                    assertRoundTrip(raster, PngWriter.write(raster, 1, filter));
                }
            }
        }
    }

    @Test
    void bandsCompressedInParallelDecodeToTheSamePixels() {
        PixelRaster raster = PixelRaster.allocate(333, 257, 3);
        Random random = new Random(12);
        for (int i = 0; i < raster.pixels().length; i++) {
            raster.pixels()[i] = (byte) (i % 3000 < 1500 ? i / 11 : random.nextInt(256));
        }
        for (int filter : new int[] {PngWriter.SUB, PngWriter.PAETH}) {
            // a band per row, more bands than rows, and bands that begin in the middle of the image
            for (int bands : new int[] {1, 2, 5, 257, 1000}) {
                byte[] png = PngWriter.write(raster, 1, filter, bands);
                assertRoundTrip(raster, png);
                // the direct reader too: it inflates the IDAT data with java.util.zip, which checks the Adler-32
                assertArrayEquals(raster.pixels(), PngReader.read(png).pixels(), bands + " bands");
            }
        }
    }

    @Test
    void choosesTheFilterThatPredictsTheImage() {
        // every row the same: Up predicts it exactly (and so does Paeth, but Up is cheaper)
        PixelRaster columns = PixelRaster.allocate(64, 48, 3);
        PixelRaster rows = PixelRaster.allocate(64, 48, 3); // every row one grey level: Sub predicts it
        // left half like columns, right half like rows: only Paeth, which picks the left or the upper neighbour
        // per pixel, predicts both halves
        PixelRaster halves = PixelRaster.allocate(64, 48, 3);
        Random random = new Random(9);
        for (int y = 0; y < 48; y++) {
            int level = random.nextInt(256);
            for (int x = 0; x < 64; x++) {
                for (int k = 0; k < 3; k++) {
                    int i = (y * 64 + x) * 3 + k;
                    columns.pixels()[i] = (byte) (x * 37 + k * 91);
                    rows.pixels()[i] = (byte) level;
                    halves.pixels()[i] = x < 32 ? columns.pixels()[i] : rows.pixels()[i];
                }
            }
        }
        int[] all = {PngWriter.SUB, PngWriter.UP, PngWriter.AVERAGE, PngWriter.PAETH};
        assertEquals(PngWriter.UP, PngWriter.sample(columns, all).filter());
        assertEquals(PngWriter.PAETH, PngWriter.sample(halves, all).filter());
        assertRoundTrip(halves, PngWriter.write(halves, 1));
    }

    private static void assertRoundTrip(PixelRaster raster, byte[] png) {
        int width = raster.width();
        int channels = raster.channels();
        BufferedImage back = TestImages.read(png);
        assertEquals(width, back.getWidth());
        assertEquals(raster.height(), back.getHeight());
        assertEquals(channels == 4, back.getColorModel().hasAlpha());
        byte[] p = raster.pixels();
        for (int y = 0; y < raster.height(); y++) {
            for (int x = 0; x < width; x++) {
                int i = (y * width + x) * channels;
                int argb = back.getRGB(x, y);
                int expected = (channels == 4 ? (p[i + 3] & 0xFF) << 24 : 0xFF000000)
                        | (p[i] & 0xFF) << 16 | (p[i + 1] & 0xFF) << 8 | (p[i + 2] & 0xFF);
                assertEquals(expected, argb, "pixel " + x + "," + y);
            }
        }
    }

    @Test
    void flatGraphicsStayCompact() {
        // a flat image compresses hugely with string matching; Huffman-only coding could not go below 1/8
        PixelRaster flat = PixelRaster.allocate(2000, 1000, 3);
        java.util.Arrays.fill(flat.pixels(), (byte) 200);
        byte[] png = PngWriter.write(flat, 1);
        assertEquals(true, png.length < flat.pixels().length / 100, png.length + " bytes");
        BufferedImage back = TestImages.read(png);
        assertEquals(0xFFC8C8C8, back.getRGB(1999, 999));
    }
}
