package io.lamaserve.imaging;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** PngWriter's files read back through ImageIO's independent decoder with every byte intact. */
class PngWriterTest {

    @Test
    void rgbAndRgbaRoundTripExactly() {
        for (int channels : new int[] {3, 4}) {
            for (int[] size : new int[][] {{1, 1}, {7, 3}, {300, 200}, {1000, 700}}) {
                PixelRaster raster = PixelRaster.allocate(size[0], size[1], channels);
                new Random(size[0] * 31L + channels).nextBytes(raster.pixels());
                // smooth rows too, so that Sub, Up and Paeth all get chosen somewhere
                for (int i = 0; i < raster.pixels().length / 2; i++) {
                    raster.pixels()[i] = (byte) (i / 97);
                }
                BufferedImage back = TestImages.read(PngWriter.write(raster, 1));
                assertEquals(size[0], back.getWidth());
                assertEquals(size[1], back.getHeight());
                assertEquals(channels == 4, back.getColorModel().hasAlpha());
                byte[] p = raster.pixels();
                for (int y = 0; y < size[1]; y++) {
                    for (int x = 0; x < size[0]; x++) {
                        int i = (y * size[0] + x) * channels;
                        int argb = back.getRGB(x, y);
                        int expected = (channels == 4 ? (p[i + 3] & 0xFF) << 24 : 0xFF000000)
                                | (p[i] & 0xFF) << 16 | (p[i + 1] & 0xFF) << 8 | (p[i + 2] & 0xFF);
                        assertEquals(expected, argb, "pixel " + x + "," + y);
                    }
                }
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
