package io.lamaserve.imaging;

import org.junit.jupiter.api.Test;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Inputs other than 8-bit RGB: each comes back as an 8-bit RGB(A) PNG with its pixels read as stored. */
class ImageFormatsTest {

    private final ImagePipeline pipeline = new ImagePipeline();

    private BufferedImage roundTrip(byte[] image, int width, int height, int[] rect) {
        PreparedRequest request = pipeline.prepare(image, TestImages.png(TestImages.mask(width, height, rect)),
                RegionOptions.IOPAINT_DEFAULTS, 64, TestImages.DEFAULT_LIMITS);
        TestImages.paintOutputs(request, 10, 200, 30);
        EncodedImage result = pipeline.complete(request, null, 100);
        assertEquals("image/png", result.mediaType());
        return TestImages.read(result.bytes());
    }

    @Test
    void grayscaleBecomesRgbWithEqualChannels() {
        BufferedImage gray = new BufferedImage(40, 30, BufferedImage.TYPE_BYTE_GRAY);
        int[] samples = new int[40 * 30];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (i * 7) & 0xFF;
        }
        gray.getRaster().setSamples(0, 0, 40, 30, 0, samples);
        BufferedImage out = roundTrip(TestImages.png(gray), 40, 30, new int[] {0, 0, 2, 2});
        assertEquals(0x0AC81E, out.getRGB(1, 1) & 0xFFFFFF);
        int v = samples[10 * 40 + 20];
        assertEquals(v << 16 | v << 8 | v, out.getRGB(20, 10) & 0xFFFFFF, "gray value kept as stored, not gamma-converted");
    }

    @Test
    void paletteWithTransparencyBecomesRgba() {
        byte[] r = {(byte) 255, 0, 0, 0};
        byte[] g = {0, (byte) 255, 0, 0};
        byte[] b = {0, 0, (byte) 255, 0};
        byte[] a = {(byte) 255, (byte) 255, (byte) 255, 0};
        IndexColorModel palette = new IndexColorModel(8, 4, r, g, b, a);
        BufferedImage indexed = new BufferedImage(30, 20, BufferedImage.TYPE_BYTE_INDEXED, palette);
        int[] samples = new int[30 * 20];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = i % 4;
        }
        indexed.getRaster().setSamples(0, 0, 30, 20, 0, samples);
        BufferedImage out = roundTrip(TestImages.png(indexed), 30, 20, new int[] {0, 19, 30, 1});
        assertTrue(out.getColorModel().hasAlpha());
        assertEquals(0xFFFF0000, out.getRGB(0, 0));
        assertEquals(0xFF00FF00, out.getRGB(1, 0));
        assertEquals(0xFF0000FF, out.getRGB(2, 0));
        assertEquals(0, out.getRGB(3, 0) >>> 24, "transparent palette entry stays transparent");
    }

    @Test
    void sixteenBitRgbKeepsTheHighByte() {
        ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = model.createCompatibleWritableRaster(20, 10);
        for (int y = 0; y < 10; y++) {
            for (int x = 0; x < 20; x++) {
                raster.setPixel(x, y, new int[] {x * 3000 + 255, y * 6000, 65535 - x * 3000});
            }
        }
        BufferedImage deep = new BufferedImage(model, raster, false, null);
        byte[] png = TestImages.png(deep);
        assertEquals(16, png[24], "the test file really is 16-bit");
        BufferedImage out = roundTrip(png, 20, 10, new int[] {0, 0, 1, 1});
        assertEquals(8, out.getColorModel().getComponentSize(0), "8-bit output");
        int p = out.getRGB(7, 5);
        assertEquals((7 * 3000 + 255) >> 8, p >> 16 & 0xFF);
        assertEquals((5 * 6000) >> 8, p >> 8 & 0xFF);
        assertEquals((65535 - 7 * 3000) >> 8, p & 0xFF);
    }

    @Test
    void sixteenBitGrayKeepsTheHighByte() {
        BufferedImage deep = new BufferedImage(20, 10, BufferedImage.TYPE_USHORT_GRAY);
        for (int x = 0; x < 20; x++) {
            for (int y = 0; y < 10; y++) {
                deep.getRaster().setSample(x, y, 0, x * 3000 + 17);
            }
        }
        BufferedImage out = roundTrip(TestImages.png(deep), 20, 10, new int[] {0, 0, 1, 1});
        int v = (13 * 3000 + 17) >> 8;
        assertEquals(v << 16 | v << 8 | v, out.getRGB(13, 4) & 0xFFFFFF);
    }

    @Test
    void gifAndBmpAnswerAsPng() {
        BufferedImage image = TestImages.noise(50, 40, 3);
        BufferedImage bmpOut = roundTrip(TestImages.write(image, "bmp"), 50, 40, new int[] {0, 0, 3, 3});
        assertEquals(image.getRGB(30, 30), bmpOut.getRGB(30, 30));
        BufferedImage gif = TestImages.filled(50, 40, 0x336699);
        BufferedImage gifOut = roundTrip(TestImages.write(gif, "gif"), 50, 40, new int[] {0, 0, 3, 3});
        assertEquals(0x0AC81E, gifOut.getRGB(1, 1) & 0xFFFFFF);
        assertEquals(TestImages.read(TestImages.write(gif, "gif")).getRGB(30, 30), gifOut.getRGB(30, 30));
    }

    @Test
    void cmykJpegIsDecodedToRgb() throws IOException {
        // the JDK writes a 4-band raster as a 4-channel JPEG; an Adobe APP14 marker makes it CMYK. Adobe stores
        // inverted ink (255 = none): left half full cyan, right half no ink
        WritableRaster cmyk = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 32, 16, 4, null);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 32; x++) {
                cmyk.setPixel(x, y, x < 16 ? new int[] {0, 255, 255, 255} : new int[] {255, 255, 255, 255});
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(cmyk, null, null), null);
        } finally {
            writer.dispose();
        }
        byte[] plain = bytes.toByteArray();
        byte[] adobe = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0};
        byte[] file = new byte[plain.length + adobe.length];
        System.arraycopy(plain, 0, file, 0, 2);
        System.arraycopy(adobe, 0, file, 2, adobe.length);
        System.arraycopy(plain, 2, file, 2 + adobe.length, plain.length - 2);
        DecodedImage decoded = ImageDecoder.decode("image", file, TestImages.DEFAULT_LIMITS);
        assertEquals(32, decoded.width());
        assertEquals(16, decoded.height());
        assertFalse(decoded.raster().hasAlpha());
        byte[] p = decoded.raster().pixels();
        int left = (8 * 32 + 4) * 3;
        int right = (8 * 32 + 28) * 3;
        assertTrue((p[left] & 0xFF) < 80 && (p[left + 1] & 0xFF) > 180 && (p[left + 2] & 0xFF) > 180, "cyan");
        for (int c = 0; c < 3; c++) {
            assertTrue((p[right + c] & 0xFF) > 235, "white");
        }
    }

    @Test
    void grayWithAlphaBecomesRgba() {
        ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
                Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster raster = model.createCompatibleWritableRaster(16, 8);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 16; x++) {
                raster.setPixel(x, y, new int[] {x * 16, y * 30});
            }
        }
        byte[] png = TestImages.png(new BufferedImage(model, raster, false, null));
        assertEquals(4, png[25], "the test file really is gray + alpha");
        BufferedImage out = roundTrip(png, 16, 8, new int[] {0, 0, 1, 1});
        int p = out.getRGB(9, 5);
        assertEquals(5 * 30, p >>> 24);
        assertEquals(9 * 16, p & 0xFF);
        assertEquals(9 * 16, p >> 16 & 0xFF);
    }

    @Test
    void tiffWithAlphaAnswersAsRgbaPng() {
        BufferedImage image = TestImages.noiseWithAlpha(40, 30, 4);
        BufferedImage out = roundTrip(TestImages.write(image, "tiff"), 40, 30, new int[] {0, 0, 2, 2});
        assertTrue(out.getColorModel().hasAlpha());
        assertEquals(image.getRGB(20, 20), out.getRGB(20, 20));
        assertEquals(image.getRGB(1, 1) >>> 24, out.getRGB(1, 1) >>> 24);
    }

    @Test
    void mirrorPaddingRepeatsTheEdgeAndHandlesOnePixel() {
        assertEquals("[0, 1, 2, 2, 1, 0, 0, 1]", java.util.Arrays.toString(TileFiller.mirrorTable(8, 3)));
        assertEquals("[0, 0, 0, 0]", java.util.Arrays.toString(TileFiller.mirrorTable(4, 1)));
        assertEquals("[0, 1, 1, 0, 0, 1]", java.util.Arrays.toString(TileFiller.mirrorTable(6, 2)));
    }
}
