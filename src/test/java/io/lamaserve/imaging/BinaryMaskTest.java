package io.lamaserve.imaging;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BinaryMaskTest {

    private static BinaryMask fromPng(BufferedImage image) {
        return BinaryMask.of(ImageDecoder.decode("mask", TestImages.png(image), TestImages.DEFAULT_LIMITS).raster());
    }

    @Test
    void grayIsThresholdedStrictlyAbove127() {
        BufferedImage gray = new BufferedImage(4, 1, BufferedImage.TYPE_BYTE_GRAY);
        int[] values = {0, 127, 128, 255};
        gray.getRaster().setSamples(0, 0, 4, 1, 0, values);
        BinaryMask mask = fromPng(gray);
        assertEquals(0, mask.bits()[0]);
        assertEquals(0, mask.bits()[1]);
        assertEquals(1, mask.bits()[2]);
        assertEquals(1, mask.bits()[3]);
    }

    @Test
    void colourUsesItu601Luminance() {
        // L = 0.299 R + 0.587 G + 0.114 B: red 76, green 150, blue 29, white 255, (128,128,128) 128
        BufferedImage rgb = new BufferedImage(5, 1, BufferedImage.TYPE_INT_RGB);
        int[] pixels = {0xFF0000, 0x00FF00, 0x0000FF, 0xFFFFFF, 0x808080};
        rgb.setRGB(0, 0, 5, 1, pixels, 0, 5);
        BinaryMask mask = fromPng(rgb);
        assertEquals(0, mask.bits()[0], "red");
        assertEquals(1, mask.bits()[1], "green");
        assertEquals(0, mask.bits()[2], "blue");
        assertEquals(1, mask.bits()[3], "white");
        assertEquals(1, mask.bits()[4], "mid gray 128");
        assertEquals(76, BinaryMask.luma(255, 0, 0));
        assertEquals(150, BinaryMask.luma(0, 255, 0));
        assertEquals(29, BinaryMask.luma(0, 0, 255));
    }

    @Test
    void iopaintWebClientMaskUsesColourNotAlpha() {
        // transparent black background, opaque white strokes
        BufferedImage rgba = new BufferedImage(4, 1, BufferedImage.TYPE_INT_ARGB);
        rgba.setRGB(0, 0, 4, 1, new int[] {0x00000000, 0xFFFFFFFF, 0x00000000, 0xFFFFFFFF}, 0, 4);
        assertEquals("[0, 1, 0, 1]", java.util.Arrays.toString(fromPng(rgba).bits()));
        // a white pixel is fill even when transparent: PIL's L conversion ignores alpha
        rgba.setRGB(0, 0, 0x00FFFFFF);
        assertEquals(1, fromPng(rgba).bits()[0]);
    }

    @Test
    void blackMaskWithVaryingAlphaUsesAlpha() {
        BufferedImage rgba = new BufferedImage(4, 1, BufferedImage.TYPE_INT_ARGB);
        rgba.setRGB(0, 0, 4, 1, new int[] {0x00000000, 0xFF000000, 0x80000000, 0x7F000000}, 0, 4);
        assertEquals("[0, 1, 1, 0]", java.util.Arrays.toString(fromPng(rgba).bits()));
    }

    @Test
    void oneBitMaskWorks() {
        BufferedImage binary = new BufferedImage(20, 3, BufferedImage.TYPE_BYTE_BINARY);
        TestImages.fillRect(binary, 5, 1, 9, 1, 0xFFFFFFFF);
        byte[] png = TestImages.png(binary);
        assertEquals(1, png[24], "the test file really is 1-bit");
        BinaryMask mask = fromPng(binary);
        int set = 0;
        for (int i = 0; i < mask.bits().length; i++) {
            boolean inside = i / 20 == 1 && i % 20 >= 5 && i % 20 < 14;
            assertEquals(inside ? 1 : 0, mask.bits()[i], "pixel " + i);
            set += mask.bits()[i];
        }
        assertEquals(9, set);
    }

    @Test
    void emptyMaskIsEmpty() {
        assertTrue(fromPng(TestImages.mask(30, 20)).isEmpty());
        assertTrue(!fromPng(TestImages.mask(30, 20, new int[] {29, 19, 1, 1})).isEmpty());
    }
}
