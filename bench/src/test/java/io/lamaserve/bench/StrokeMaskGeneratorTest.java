package io.lamaserve.bench;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StrokeMaskGeneratorTest {

    @Test
    void masksAreBinaryNonEmptyAndWithinTheAreaBound() {
        for (ImageSize size : List.of(new ImageSize(512, 512), new ImageSize(1024, 768), new ImageSize(300, 40))) {
            for (MaskStyle style : List.of(MaskStyle.THICK, MaskStyle.THIN)) {
                Random random = new Random(3);
                for (int i = 0; i < 30; i++) {
                    BufferedImage mask = StrokeMaskGenerator.draw(size, style, random);

                    assertEquals(size.width(), mask.getWidth());
                    assertEquals(size.height(), mask.getHeight());
                    double coverage = StrokeMaskGenerator.coverage(mask);
                    assertTrue(coverage > 0, style.name() + " mask empty at " + size);
                    assertTrue(coverage <= MaskStyle.MAX_AREA || size.height() < 64,
                            style.name() + " covers " + coverage + " at " + size);
                    for (byte b : pixels(mask)) {
                        assertTrue(b == 0 || b == (byte) 255, "mask value " + (b & 0xff));
                    }
                }
            }
        }
    }

    @Test
    void thinStrokesHaveFarMoreEdgePerMaskedPixelThanThickOnes() {
        ImageSize size = new ImageSize(512, 512);
        double thick = meanEdgeRatio(size, MaskStyle.THICK);
        double thin = meanEdgeRatio(size, MaskStyle.THIN);

        // Brushes of 5-24 px against 5-254 px: narrow strokes are mostly edge.
        assertTrue(thin > 2.5 * thick, "edge ratio thin " + thin + " vs thick " + thick);
        assertTrue(thin > 0.1, "thin edge ratio " + thin);
    }

    @Test
    void coverageScalesWithImageSize() {
        // Strokes scale with the short side, so a bigger image is covered about as much as a 512 one.
        double small = meanCoverage(new ImageSize(512, 512), MaskStyle.THICK);
        double large = meanCoverage(new ImageSize(1024, 1024), MaskStyle.THICK);

        assertEquals(small, large, small * 0.35);
    }

    @Test
    void sameSeedSameMask() {
        ImageSize size = new ImageSize(256, 192);
        byte[] first = pixels(StrokeMaskGenerator.draw(size, MaskStyle.THICK, new Random(9)));
        byte[] second = pixels(StrokeMaskGenerator.draw(size, MaskStyle.THICK, new Random(9)));
        byte[] other = pixels(StrokeMaskGenerator.draw(size, MaskStyle.THICK, new Random(10)));

        assertArrayEquals(first, second);
        assertFalse(java.util.Arrays.equals(first, other));
    }

    private static double meanCoverage(ImageSize size, MaskStyle style) {
        Random random = new Random(1);
        double sum = 0;
        int n = 40;
        for (int i = 0; i < n; i++) {
            sum += StrokeMaskGenerator.coverage(StrokeMaskGenerator.draw(size, style, random));
        }
        return sum / n;
    }

    /** Masked pixels with an unmasked 4-neighbour, per masked pixel, averaged over 20 masks. */
    private static double meanEdgeRatio(ImageSize size, MaskStyle style) {
        Random random = new Random(2);
        double sum = 0;
        int n = 20;
        for (int i = 0; i < n; i++) {
            byte[] p = pixels(StrokeMaskGenerator.draw(size, style, random));
            int w = size.width();
            int h = size.height();
            long set = 0;
            long edge = 0;
            for (int y = 1; y < h - 1; y++) {
                for (int x = 1; x < w - 1; x++) {
                    int k = y * w + x;
                    if (p[k] != 0) {
                        set++;
                        if (p[k - 1] == 0 || p[k + 1] == 0 || p[k - w] == 0 || p[k + w] == 0) {
                            edge++;
                        }
                    }
                }
            }
            sum += (double) edge / Math.max(1, set);
        }
        return sum / n;
    }

    private static byte[] pixels(BufferedImage mask) {
        return ((DataBufferByte) mask.getRaster().getDataBuffer()).getData();
    }
}
