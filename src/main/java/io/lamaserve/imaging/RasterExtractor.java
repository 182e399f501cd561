package io.lamaserve.imaging;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorConvertOp;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.awt.image.SampleModel;

/**
 * Turns whatever ImageIO decoded into an 8-bit RGB(A) {@link PixelRaster}, reading sample values as they are stored
 * (no colour management, like PIL's {@code convert("RGB")}): gray is replicated into R, G and B, palettes are looked
 * up, 16-bit samples keep their high byte, and alpha is kept when the source has any.
 */
final class RasterExtractor {

    private RasterExtractor() {
    }

    static PixelRaster extract(BufferedImage image) {
        ColorModel cm = image.getColorModel();
        int spaceType = cm.getColorSpace().getType();
        if (!(cm instanceof IndexColorModel) && spaceType != ColorSpace.TYPE_RGB && spaceType != ColorSpace.TYPE_GRAY) {
            // CMYK and other exotic spaces: let the colour management convert them to sRGB
            return extract(toSrgb(image));
        }
        PixelRaster fast = interleavedBytes(image);
        return fast != null ? fast : byRows(image);
    }

    /** The common case: 8-bit samples interleaved in one byte array (JPEG, 8-bit PNG). */
    private static PixelRaster interleavedBytes(BufferedImage image) {
        Raster raster = image.getRaster();
        ColorModel cm = image.getColorModel();
        if (!(cm instanceof ComponentColorModel) || !(raster.getDataBuffer() instanceof DataBufferByte buffer)
                || !(raster.getSampleModel() instanceof PixelInterleavedSampleModel sm)
                || buffer.getNumBanks() != 1 || raster.getParent() != null
                || raster.getSampleModelTranslateX() != 0 || raster.getSampleModelTranslateY() != 0) {
            return null;
        }
        int bands = sm.getNumBands();
        for (int b = 0; b < bands; b++) {
            if (sm.getSampleSize(b) != 8) {
                return null;
            }
        }
        boolean gray = cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY;
        boolean alpha = cm.hasAlpha();
        if (cm.isAlphaPremultiplied() || bands != (gray ? 1 : 3) + (alpha ? 1 : 0)) {
            return null;
        }
        int w = image.getWidth();
        int h = image.getHeight();
        int channels = alpha ? 4 : 3;
        byte[] src = buffer.getData();
        int[] off = sm.getBandOffsets();
        int pixelStride = sm.getPixelStride();
        int scanline = sm.getScanlineStride();
        byte[] dst = new byte[w * h * channels];
        int o = 0;
        if (gray) {
            int g0 = off[0];
            int a0 = alpha ? off[1] : 0;
            for (int y = 0; y < h; y++) {
                int s = buffer.getOffset() + y * scanline;
                for (int x = 0; x < w; x++, s += pixelStride) {
                    byte v = src[s + g0];
                    dst[o++] = v;
                    dst[o++] = v;
                    dst[o++] = v;
                    if (alpha) {
                        dst[o++] = src[s + a0];
                    }
                }
            }
        } else {
            int r0 = off[0];
            int g0 = off[1];
            int b0 = off[2];
            int a0 = alpha ? off[3] : 0;
            for (int y = 0; y < h; y++) {
                int s = buffer.getOffset() + y * scanline;
                if (alpha) {
                    for (int x = 0; x < w; x++, s += pixelStride) {
                        dst[o++] = src[s + r0];
                        dst[o++] = src[s + g0];
                        dst[o++] = src[s + b0];
                        dst[o++] = src[s + a0];
                    }
                } else {
                    for (int x = 0; x < w; x++, s += pixelStride) {
                        dst[o++] = src[s + r0];
                        dst[o++] = src[s + g0];
                        dst[o++] = src[s + b0];
                    }
                }
            }
        }
        return new PixelRaster(w, h, channels, dst);
    }

    /** Everything else (palettes, 16-bit, packed pixels, bit-packed gray), one row of samples at a time. */
    private static PixelRaster byRows(BufferedImage image) {
        Raster raster = image.getRaster();
        ColorModel cm = image.getColorModel();
        SampleModel sm = raster.getSampleModel();
        int w = image.getWidth();
        int h = image.getHeight();
        int bands = sm.getNumBands();
        int[] row = new int[w * bands];
        byte[] dst;
        int channels;
        if (cm instanceof IndexColorModel palette) {
            int size = palette.getMapSize();
            byte[] r = new byte[size];
            byte[] g = new byte[size];
            byte[] b = new byte[size];
            byte[] a = new byte[size];
            palette.getReds(r);
            palette.getGreens(g);
            palette.getBlues(b);
            palette.getAlphas(a);
            channels = palette.hasAlpha() ? 4 : 3;
            dst = new byte[w * h * channels];
            int o = 0;
            for (int y = 0; y < h; y++) {
                raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    int i = Math.min(row[x], size - 1);
                    dst[o++] = r[i];
                    dst[o++] = g[i];
                    dst[o++] = b[i];
                    if (channels == 4) {
                        dst[o++] = a[i];
                    }
                }
            }
            return new PixelRaster(w, h, channels, dst);
        }
        boolean gray = cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY;
        boolean alpha = cm.hasAlpha();
        int colourBands = gray ? 1 : 3;
        if (bands < colourBands + (alpha ? 1 : 0)) {
            throw new BadImageException("image: unsupported sample layout (" + bands + " bands)");
        }
        int[] shift = new int[bands];
        for (int band = 0; band < bands; band++) {
            shift[band] = sm.getSampleSize(band) - 8;
        }
        channels = alpha ? 4 : 3;
        dst = new byte[w * h * channels];
        int o = 0;
        int alphaBand = alpha ? bands - 1 : -1;
        for (int y = 0; y < h; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
            for (int x = 0, s = 0; x < w; x++, s += bands) {
                if (gray) {
                    byte v = (byte) scale(row[s], shift[0]);
                    dst[o++] = v;
                    dst[o++] = v;
                    dst[o++] = v;
                } else {
                    dst[o++] = (byte) scale(row[s], shift[0]);
                    dst[o++] = (byte) scale(row[s + 1], shift[1]);
                    dst[o++] = (byte) scale(row[s + 2], shift[2]);
                }
                if (alpha) {
                    dst[o++] = (byte) scale(row[s + alphaBand], shift[alphaBand]);
                }
            }
        }
        return new PixelRaster(w, h, channels, dst);
    }

    /** Brings a sample of any depth to 8 bits: high byte for deeper samples, bit replication for shallower. */
    private static int scale(int sample, int shift) {
        if (shift >= 0) {
            return sample >>> shift;
        }
        int bits = 8 + shift;
        int max = (1 << bits) - 1;
        return max == 0 ? 0 : sample * 255 / max;
    }

    private static BufferedImage toSrgb(BufferedImage image) {
        boolean alpha = image.getColorModel().hasAlpha();
        BufferedImage target = new BufferedImage(image.getWidth(), image.getHeight(),
                alpha ? BufferedImage.TYPE_4BYTE_ABGR : BufferedImage.TYPE_3BYTE_BGR);
        new ColorConvertOp(null).filter(image, target);
        return target;
    }
}
