package io.lamaserve.imaging;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A JPEG made of strips decodes, through ImageIO's independent decoder, to exactly the pixels of the same image
 * encoded in one piece: the strips code the same blocks, and the restart markers reset what a strip's own encoding
 * assumed.
 */
class JpegStripsTest {

    @Test
    void stripsDecodeToThePixelsOfTheWholeImage() {
        for (int[] size : new int[][] {{512, 512}, {333, 257}, {1000, 40}, {17, 700}, {640, 481}}) {
            for (int channels : new int[] {3, 4}) {
                PixelRaster raster = photo(size[0], size[1], channels, size[0] * 7L + size[1]);
                int[] whole = pixels(ImageEncoder.writeJpeg(ImageEncoder.wrap(raster, false), 95));
                for (int strips : new int[] {2, 3, 5, 8, 9, 100}) {
                    byte[] jpeg = JpegStrips.encode(raster, 95, strips);
                    BufferedImage back = TestImages.read(jpeg);
                    assertEquals(size[0], back.getWidth());
                    assertEquals(size[1], back.getHeight());
                    assertArrayEquals(whole, pixels(jpeg), size[0] + "x" + size[1] + ", " + strips + " strips");
                }
            }
        }
    }

    @Test
    void theJoinedFileHasOneScanWithARestartMarkerBetweenStrips() {
        PixelRaster raster = photo(256, 256, 3, 1);
        byte[] jpeg = JpegStrips.encode(raster, 100, 4); // 16 MCU rows: strips of 4 rows (64 px), 3 restart markers
        int restarts = 0;
        int scans = 0;
        for (int i = 0; i + 1 < jpeg.length; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF) {
                int marker = jpeg[i + 1] & 0xFF;
                if (marker >= 0xD0 && marker <= 0xD7) {
                    assertEquals(0xD0 + restarts % 8, marker, "restart markers count 0..7 in turn");
                    restarts++;
                } else if (marker == 0xDA) {
                    scans++;
                }
            }
        }
        assertEquals(3, restarts);
        assertEquals(1, scans);
        // restart interval: 4 MCU rows of 16 MCUs
        JpegStrips.Layout layout = JpegStrips.Layout.of(jpeg);
        assertTrue(layout == null, "a joined file has its own restart interval, which Layout refuses to take apart");
    }

    @Test
    void singleMcuRowsAndSingleStripsAreEncodedInOnePiece() {
        PixelRaster small = photo(64, 16, 3, 2); // one MCU row: nothing to split
        assertArrayEquals(ImageEncoder.writeJpeg(ImageEncoder.wrap(small, false), 90), JpegStrips.encode(small, 90, 8));
        PixelRaster raster = photo(300, 300, 3, 3);
        assertArrayEquals(ImageEncoder.writeJpeg(ImageEncoder.wrap(raster, false), 90), JpegStrips.encode(raster, 90, 1));
        // below MIN_STRIP_PIXELS per strip the automatic choice does not split
        PixelRaster below = photo(300, 400, 3, 5);
        assertArrayEquals(ImageEncoder.writeJpeg(ImageEncoder.wrap(below, false), 90), JpegStrips.encode(below, 90));
    }

    @Test
    void stripsWithOtherTablesAreNotJoined() {
        PixelRaster raster = photo(64, 64, 3, 4);
        BufferedImage image = ImageEncoder.wrap(raster, false);
        byte[] top = ImageEncoder.writeJpeg(image.getSubimage(0, 0, 64, 32), 90);
        byte[] bottomOtherQuality = ImageEncoder.writeJpeg(image.getSubimage(0, 32, 64, 32), 50);
        assertNull(JpegStrips.join(List.of(top, bottomOtherQuality), 64, 32));
    }

    private static int[] pixels(byte[] jpeg) {
        BufferedImage image = TestImages.read(jpeg);
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }

    /** Gradients with noise: busy enough that every block has AC coefficients. */
    private static PixelRaster photo(int width, int height, int channels, long seed) {
        PixelRaster raster = PixelRaster.allocate(width, height, channels);
        Random random = new Random(seed);
        byte[] px = raster.pixels();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = (y * width + x) * channels;
                px[i] = (byte) (x + random.nextInt(20));
                px[i + 1] = (byte) (y * 2 + random.nextInt(20));
                px[i + 2] = (byte) ((x ^ y) + random.nextInt(20));
                if (channels == 4) {
                    px[i + 3] = (byte) 200;
                }
            }
        }
        return raster;
    }
}
