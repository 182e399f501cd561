package io.lamaserve.imaging;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;

/**
 * Encodes a {@link PixelRaster} as PNG (8-bit RGB or RGBA, with {@link PngWriter}) or JPEG (RGB, alpha dropped, with
 * ImageIO's writer wrapping the pixel array without copying it, in parallel strips by {@link JpegStrips}).
 */
final class ImageEncoder {

    /** zlib level of PNG output: the fastest level; higher levels cost much more time for a few percent of size. */
    static final int PNG_DEFLATE_LEVEL = 1;

    private ImageEncoder() {
    }

    /**
     * @param jpegQuality 1..100, used for JPEG only
     */
    static byte[] encode(PixelRaster raster, OutputFormat format, int jpegQuality) {
        return switch (format) {
            case PNG -> PngWriter.write(raster, PNG_DEFLATE_LEVEL);
            case JPEG -> JpegStrips.encode(raster, jpegQuality);
        };
    }

    /** The image as baseline JPEG through ImageIO's writer; alpha, if any, is not written. */
    static byte[] writeJpeg(BufferedImage image, int quality) {
        return write(image, "jpeg", jpegParam(quality));
    }

    /** A BufferedImage view of the raster: RGB(A) byte-interleaved, sRGB, alpha not premultiplied. */
    static BufferedImage wrap(PixelRaster raster, boolean withAlpha) {
        int c = raster.channels();
        int[] bands = withAlpha ? new int[] {0, 1, 2, 3} : new int[] {0, 1, 2};
        DataBufferByte buffer = new DataBufferByte(raster.pixels(), raster.pixels().length);
        WritableRaster view = Raster.createInterleavedRaster(buffer, raster.width(), raster.height(),
                raster.width() * c, c, bands, null);
        ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), withAlpha,
                false, withAlpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        return new BufferedImage(model, view, false, null);
    }

    private static byte[] write(BufferedImage image, String format, ParamSetter setter) {
        ImageWriter writer = writerFor(format);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(image.getWidth() * image.getHeight());
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            setter.apply(param);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("encoding " + format + " failed", e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** Prefers the JDK's own writer, so added ImageIO plugins do not change the output. */
    private static ImageWriter writerFor(String format) {
        ImageWriter chosen = null;
        for (Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName(format); it.hasNext(); ) {
            ImageWriter candidate = it.next();
            if (chosen == null || candidate.getClass().getName().startsWith("com.sun.imageio.")) {
                chosen = candidate;
            }
        }
        if (chosen == null) {
            throw new IllegalStateException("no ImageIO writer for " + format);
        }
        return chosen;
    }

    private static ParamSetter jpegParam(int quality) {
        return param -> {
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality / 100f);
        };
    }

    @FunctionalInterface
    private interface ParamSetter {
        void apply(ImageWriteParam param);
    }
}
