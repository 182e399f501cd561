package io.lamaserve.imaging;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** PngReader against ImageIO's decoder (through {@link RasterExtractor}) on the same files. */
class PngReaderTest {

    @Test
    void decodesWhatImageIoDecodesForEveryColourTypeItHandles() throws IOException {
        for (int[] size : new int[][] {{1, 1}, {5, 3}, {257, 130}}) {
            BufferedImage[] images = {
                    TestImages.noise(size[0], size[1], 3),                         // RGB
                    TestImages.noiseWithAlpha(size[0], size[1], 4),                // RGBA
                    gray(size[0], size[1], false),
                    gray(size[0], size[1], true)};
            for (BufferedImage image : images) {
                byte[] png = TestImages.png(image);
                PixelRaster fast = PngReader.read(png);
                assertNotNull(fast, "handled: " + image.getColorModel());
                assertRasterEquals(imageIo(png), fast);
            }
        }
    }

    @Test
    void undoesEveryFilterType() {
        // ImageIO's writer chooses filters itself; PngWriter can be told to use each one on every row
        PixelRaster raster = PixelRaster.allocate(301, 77, 4);
        new Random(8).nextBytes(raster.pixels());
        for (int i = 0; i < raster.pixels().length / 3; i++) {
            raster.pixels()[i] = (byte) (i / 50); // smooth rows, where predictor ties occur
        }
        for (int filter : new int[] {PngWriter.SUB, PngWriter.UP, PngWriter.AVERAGE, PngWriter.PAETH}) {
            PixelRaster back = PngReader.read(PngWriter.write(raster, 1, filter));
            assertNotNull(back);
            assertArrayEquals(raster.pixels(), back.pixels(), "filter " + filter);
        }
    }

    @Test
    void leavesOtherPngsToImageIo() {
        BufferedImage rgb = TestImages.noise(40, 30, 5);
        assertNull(PngReader.read(TestImages.write(rgb, "png",
                param -> param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT))), "interlaced (Adam7)");
        BufferedImage indexed = new BufferedImage(40, 30, BufferedImage.TYPE_BYTE_INDEXED);
        indexed.getGraphics().drawImage(rgb, 0, 0, null);
        assertNull(PngReader.read(TestImages.png(indexed)), "palette");
        BufferedImage deep = new BufferedImage(40, 30, BufferedImage.TYPE_USHORT_GRAY);
        assertNull(PngReader.read(TestImages.png(deep)), "16-bit");
        byte[] png = TestImages.png(rgb);
        assertNull(PngReader.read(withChunkAfterHeader(png, "tRNS", new byte[6])), "transparent colour key");
        assertNull(PngReader.read(withChunkAfterHeader(png, "ABCD", new byte[2])), "unknown critical chunk");
        assertNotNull(PngReader.read(withChunkAfterHeader(png, "abCD", new byte[2])), "ancillary chunks are skipped");
    }

    @Test
    void damagedFilesAreLeftToImageIo() {
        byte[] png = TestImages.png(TestImages.noise(64, 48, 6));
        for (int cut : new int[] {20, 40, png.length / 2, png.length - 13}) {
            assertNull(PngReader.read(Arrays.copyOf(png, cut)), "truncated at " + cut);
        }
        byte[] badFilter = PngWriter.write(new PixelRaster(2, 2, 3, new byte[12]), 1, PngWriter.UP);
        // the zlib stream of four zero bytes per row is stored, so corrupting it breaks the checksum or the filter
        byte[] corrupt = badFilter.clone();
        for (int i = 41; i < corrupt.length - 16; i++) {
            corrupt[i] ^= 0x5A;
        }
        assertNull(PngReader.read(corrupt));
        byte[] hugeLength = png.clone();
        hugeLength[33] = 0x7F; // the first chunk after IHDR claims 2 GB
        assertNull(PngReader.read(hugeLength));
    }

    private static PixelRaster imageIo(byte[] png) throws IOException {
        return RasterExtractor.extract(ImageIO.read(new ByteArrayInputStream(png)));
    }

    private static void assertRasterEquals(PixelRaster expected, PixelRaster actual) {
        assertEquals(expected.width(), actual.width());
        assertEquals(expected.height(), actual.height());
        assertEquals(expected.channels(), actual.channels());
        assertArrayEquals(expected.pixels(), actual.pixels());
    }

    private static BufferedImage gray(int width, int height, boolean alpha) {
        ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), alpha, false,
                alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        WritableRaster raster = model.createCompatibleWritableRaster(width, height);
        Random random = new Random(width * 7L + (alpha ? 1 : 0));
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                for (int b = 0; b < raster.getNumBands(); b++) {
                    raster.setSample(x, y, b, random.nextInt(256));
                }
            }
        }
        return new BufferedImage(model, raster, false, null);
    }

    /** The file with one more chunk right after IHDR (which ends at byte 33). */
    private static byte[] withChunkAfterHeader(byte[] png, String type, byte[] data) {
        byte[] chunk = TestImages.chunk(type, data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, 33);
        out.writeBytes(chunk);
        out.write(png, 33, png.length - 33);
        return out.toByteArray();
    }
}
