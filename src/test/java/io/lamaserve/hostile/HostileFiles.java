package io.lamaserve.hostile;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Builds the unusual and broken files of the hostile-input suite: valid but exotic encodings (16-bit, palette with
 * transparency, CMYK, animated), and damaged or lying ones (truncated, corrupt, a header that declares a huge image).
 */
final class HostileFiles {

    static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private HostileFiles() {
    }

    /** A noisy RGB photo; every pixel differs, so any accidental change is visible. */
    static BufferedImage photo(int width, int height, long seed) {
        Random random = new Random(seed);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        return image;
    }

    /** Black with a white rectangle (x, y, w, h) to fill. */
    static BufferedImage mask(int width, int height, int x, int y, int w, int h) {
        BufferedImage mask = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = mask.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(x, y, w, h);
        g.dispose();
        return mask;
    }

    static BufferedImage solid(int width, int height, int rgb) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(rgb));
        g.fillRect(0, 0, width, height);
        g.dispose();
        return image;
    }

    /** Every colour sample black; the rectangle to fill is opaque, the rest fully transparent. */
    static BufferedImage alphaOnlyMask(int width, int height, int x, int y, int w, int h) {
        BufferedImage mask = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        for (int yy = y; yy < y + h; yy++) {
            for (int xx = x; xx < x + w; xx++) {
                mask.setRGB(xx, yy, 0xFF000000);
            }
        }
        return mask;
    }

    static byte[] encode(BufferedImage image, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format + " and " + image);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The same photo with 16 bits per RGB sample (each 8-bit value v stored as v * 257). */
    static byte[] png16(BufferedImage photo) {
        ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = model.createCompatibleWritableRaster(photo.getWidth(), photo.getHeight());
        for (int y = 0; y < photo.getHeight(); y++) {
            for (int x = 0; x < photo.getWidth(); x++) {
                int rgb = photo.getRGB(x, y);
                raster.setPixel(x, y, new int[]{((rgb >> 16) & 0xff) * 257, ((rgb >> 8) & 0xff) * 257, (rgb & 0xff) * 257});
            }
        }
        return encode(new BufferedImage(model, raster, false, null), "png");
    }

    /** A 4-colour palette image whose entry 0 is fully transparent and entry 1 half transparent. */
    static BufferedImage paletteWithTransparency(int width, int height) {
        byte[] r = {0, (byte) 200, 30, (byte) 250};
        byte[] g = {0, 40, (byte) 180, (byte) 250};
        byte[] b = {0, 40, 60, 10};
        byte[] a = {0, (byte) 128, (byte) 255, (byte) 255};
        IndexColorModel palette = new IndexColorModel(2, 4, r, g, b, a);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_INDEXED, palette);
        WritableRaster raster = image.getRaster();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                raster.setSample(x, y, 0, (x / 7 + y / 5) % 4);
            }
        }
        return image;
    }

    /**
     * A four-component JPEG without an Adobe marker, which readers (and PIL) take as CMYK. The JDK's writer
     * writes a 4-band raster as it is.
     */
    static byte[] cmykJpeg(int width, int height) {
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, width, height, 4, null);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                raster.setPixel(x, y, new int[]{x * 255 / width, y * 255 / height, 60, 20});
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(raster, null, null), writer.getDefaultWriteParam());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** A looping GIF whose frames differ; only the first is inpainted. */
    static byte[] animatedGif(BufferedImage... frames) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.prepareWriteSequence(null);
            for (BufferedImage frame : frames) {
                ImageTypeSpecifier type = ImageTypeSpecifier.createFromRenderedImage(frame);
                IIOMetadata metadata = writer.getDefaultImageMetadata(type, null);
                String format = metadata.getNativeMetadataFormatName();
                IIOMetadataNode root = (IIOMetadataNode) metadata.getAsTree(format);
                IIOMetadataNode control = new IIOMetadataNode("GraphicControlExtension");
                control.setAttribute("disposalMethod", "none");
                control.setAttribute("userInputFlag", "FALSE");
                control.setAttribute("transparentColorFlag", "FALSE");
                control.setAttribute("delayTime", "10");
                control.setAttribute("transparentColorIndex", "0");
                root.appendChild(control);
                metadata.setFromTree(format, root);
                writer.writeToSequence(new IIOImage(frame, null, metadata), null);
            }
            writer.endWriteSequence();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** A grey image whose pixels take few colours, so GIF's 256-colour palette keeps them exactly. */
    static BufferedImage posterized(int width, int height, int shade) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_INDEXED);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.BLACK);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.WHITE);
        for (int x = shade % 8; x < width; x += 8) {
            g.fillRect(x, 0, 3, height);
        }
        g.dispose();
        return image;
    }

    /**
     * A valid PNG that declares {@code width}×{@code height} RGB pixels but carries only a few bytes of (zero)
     * data: a few hundred bytes that would expand to width × height × 3 bytes if anyone decoded it.
     */
    static byte[] pngDeclaring(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(PNG_SIGNATURE);
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        DataOutputStream data = new DataOutputStream(header);
        try {
            data.writeInt(width);
            data.writeInt(height);
            data.write(new byte[]{8, 2, 0, 0, 0});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.writeBytes(chunk("IHDR", header.toByteArray()));
        Deflater deflater = new Deflater();
        deflater.setInput(new byte[4096]);
        deflater.finish();
        byte[] compressed = new byte[256];
        int length = deflater.deflate(compressed);
        deflater.end();
        out.writeBytes(chunk("IDAT", Arrays.copyOf(compressed, length)));
        out.writeBytes(chunk("IEND", new byte[0]));
        return out.toByteArray();
    }

    static byte[] chunk(String type, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DataOutputStream stream = new DataOutputStream(out);
        CRC32 crc = new CRC32();
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        crc.update(name);
        crc.update(data);
        try {
            stream.writeInt(data.length);
            stream.write(name);
            stream.write(data);
            stream.writeInt((int) crc.getValue());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] truncated(byte[] file, int keep) {
        return Arrays.copyOf(file, keep);
    }

    /** Overwrites the compressed pixel data of the first IDAT chunk with a repeating junk pattern. */
    static byte[] corruptPngData(byte[] png) {
        byte[] copy = png.clone();
        int at = indexOf(copy, "IDAT".getBytes(StandardCharsets.US_ASCII));
        int length = ((copy[at - 4] & 0xff) << 24) | ((copy[at - 3] & 0xff) << 16) | ((copy[at - 2] & 0xff) << 8) | (copy[at - 1] & 0xff);
        for (int i = at + 4 + 2; i < at + 4 + length; i++) {
            copy[i] = (byte) (0xA5 ^ i);
        }
        return copy;
    }

    /** Keeps the first marker (so it is still sniffed as JPEG) but replaces the next 64 bytes (headers) with junk. */
    static byte[] corruptJpegHeader(byte[] jpeg) {
        byte[] copy = jpeg.clone();
        for (int i = 4; i < 68 && i < copy.length; i++) {
            copy[i] = (byte) (0x3C + i * 7);
        }
        return copy;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalArgumentException("not found");
    }
}
