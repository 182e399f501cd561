package io.lamaserve.bench;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeneratedInputsTest {

    private static final List<ImageSize> SIZES = List.of(new ImageSize(320, 240), new ImageSize(200, 200));

    @Test
    void everySizeGetsDecodablePairsOfMatchingSize() throws Exception {
        List<InputPair> pairs = GeneratedInputs.create(SIZES, 3, 42);

        assertEquals(6, pairs.size());
        for (InputPair pair : pairs) {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(pair.image()));
            BufferedImage mask = ImageIO.read(new ByteArrayInputStream(pair.mask()));
            assertEquals(pair.width(), image.getWidth());
            assertEquals(pair.height(), image.getHeight());
            assertEquals(pair.width(), mask.getWidth());
            assertEquals(pair.height(), mask.getHeight());
            assertEquals(BufferedImage.TYPE_BYTE_GRAY, mask.getType());
            assertEquals("image/png", pair.imageMediaType());
        }
        assertEquals(List.of("320x240-thick-0", "320x240-thin-1", "320x240-thick-2"),
                pairs.subList(0, 3).stream().map(InputPair::name).toList());
    }

    @Test
    void imagesCompressLikePhotosNotLikeFlatGraphics() {
        InputPair pair = GeneratedInputs.create(List.of(new ImageSize(256, 256)), 1, 1).getFirst();
        double bytesPerPixel = (double) pair.image().length / (256 * 256);

        // Flat synthetic colours compress to well under 0.1 B/px; camera photos land around 1-2 B/px as PNG.
        assertTrue(bytesPerPixel > 0.8, "PNG bytes per pixel " + bytesPerPixel);
    }

    @Test
    void sameSeedGivesIdenticalBytes() {
        List<InputPair> first = GeneratedInputs.create(SIZES, 2, 5);
        List<InputPair> second = GeneratedInputs.create(SIZES, 2, 5);

        for (int i = 0; i < first.size(); i++) {
            assertArrayEquals(first.get(i).image(), second.get(i).image());
            assertArrayEquals(first.get(i).mask(), second.get(i).mask());
        }
    }
}
