package io.lamaserve.imaging;

import io.lamaserve.config.TestConfig;
import io.lamaserve.tile.Tile;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;

/** Synthetic images and files for the imaging tests, built with plain ImageIO and hand-written bytes. */
final class TestImages {

    /** The service's image limits with nothing configured. */
    static final ImageLimits DEFAULT_LIMITS = new ImageLimits(TestConfig.defaults().limits().maxPixels());

    private TestImages() {
    }

    /** Random RGB noise, so every pixel differs from its neighbours and any misplaced byte shows. */
    static BufferedImage noise(int width, int height, long seed) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(seed);
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                row[x] = random.nextInt(1 << 24);
            }
            image.setRGB(0, y, width, 1, row, 0, width);
        }
        return image;
    }

    /** RGBA noise with alpha varying too. */
    static BufferedImage noiseWithAlpha(int width, int height, long seed) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        Random random = new Random(seed);
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                row[x] = random.nextInt();
            }
            image.setRGB(0, y, width, 1, row, 0, width);
        }
        return image;
    }

    static BufferedImage filled(int width, int height, int rgb) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[width];
        Arrays.fill(row, rgb);
        for (int y = 0; y < height; y++) {
            image.setRGB(0, y, width, 1, row, 0, width);
        }
        return image;
    }

    static void fillRect(BufferedImage image, int x, int y, int w, int h, int argb) {
        for (int yy = y; yy < y + h; yy++) {
            for (int xx = x; xx < x + w; xx++) {
                image.setRGB(xx, yy, argb);
            }
        }
    }

    /** A gray mask (TYPE_BYTE_GRAY), black, with white rectangles {x, y, w, h}. */
    static BufferedImage mask(int width, int height, int[]... rects) {
        BufferedImage mask = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        for (int[] r : rects) {
            fillRect(mask, r[0], r[1], r[2], r[3], 0xFFFFFFFF);
        }
        return mask;
    }

    static boolean inAny(int x, int y, int[]... rects) {
        for (int[] r : rects) {
            if (x >= r[0] && x < r[0] + r[2] && y >= r[1] && y < r[1] + r[3]) {
                return true;
            }
        }
        return false;
    }

    static byte[] png(BufferedImage image) {
        return write(image, "png");
    }

    static byte[] jpeg(BufferedImage image, float quality) {
        return write(image, "jpeg", param -> {
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
        });
    }

    /** The image written by ImageIO's first writer for {@code format}, its write parameters set by {@code setup}. */
    static byte[] write(BufferedImage image, String format, java.util.function.Consumer<ImageWriteParam> setup) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            setup.accept(param);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    static byte[] write(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no writer for " + format + " / " + image);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static BufferedImage read(byte[] bytes) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
            if (image == null) {
                throw new IllegalStateException("unreadable");
            }
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A minimal big-endian TIFF structure holding only IFD0 with the orientation tag. */
    static byte[] exifTiff(int orientation) {
        ByteBuffer tiff = ByteBuffer.allocate(26);
        tiff.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8);
        tiff.putShort((short) 1);
        tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        tiff.putInt(0);
        return tiff.array();
    }

    /** The JPEG with an APP1 Exif segment carrying the orientation inserted right after SOI. */
    static byte[] withJpegOrientation(byte[] jpeg, int orientation) {
        byte[] tiff = exifTiff(orientation);
        int length = 2 + 6 + tiff.length;
        ByteBuffer out = ByteBuffer.allocate(jpeg.length + 2 + length);
        out.put(jpeg, 0, 2);
        out.put((byte) 0xFF).put((byte) 0xE1).putShort((short) length);
        out.put(new byte[] {'E', 'x', 'i', 'f', 0, 0}).put(tiff);
        out.put(jpeg, 2, jpeg.length - 2);
        return out.array();
    }

    /** The PNG with an eXIf chunk carrying the orientation inserted after IHDR. */
    static byte[] withPngOrientation(byte[] png, int orientation) {
        byte[] chunk = chunk("eXIf", exifTiff(orientation));
        int afterIhdr = 8 + 8 + 13 + 4;
        ByteBuffer out = ByteBuffer.allocate(png.length + chunk.length);
        out.put(png, 0, afterIhdr).put(chunk).put(png, afterIhdr, png.length - afterIhdr);
        return out.array();
    }

    /**
     * A PNG whose IHDR declares the given size (8-bit RGB) followed by a tiny IDAT that holds no valid image data:
     * decoding it would fail, reading its header does not.
     */
    static byte[] pngHeaderOnly(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(13);
        ihdr.putInt(width).putInt(height).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        byte[] idat = chunk("IDAT", new byte[] {0x78, (byte) 0x9C, 0x03, 0x00});
        byte[] head = chunk("IHDR", ihdr.array());
        byte[] end = chunk("IEND", new byte[0]);
        ByteBuffer out = ByteBuffer.allocate(8 + head.length + idat.length + end.length);
        out.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A}).put(head).put(idat).put(end);
        return out.array();
    }

    static byte[] chunk(String type, byte[] data) {
        ByteBuffer out = ByteBuffer.allocate(12 + data.length);
        byte[] name = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        out.putInt(data.length).put(name).put(data);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        out.putInt((int) crc.getValue());
        return out.array();
    }

    /** Stands in for the engine: every output pixel of every tile becomes one colour. */
    static void paintOutputs(PreparedRequest request, int r, int g, int b) {
        for (Tile tile : request.tiles()) {
            float[] out = tile.output();
            int plane = out.length / 3;
            Arrays.fill(out, 0, plane, r);
            Arrays.fill(out, plane, 2 * plane, g);
            Arrays.fill(out, 2 * plane, 3 * plane, b);
        }
    }

    /** Stands in for a model that changes nothing: output = input × 255. */
    static void echoOutputs(PreparedRequest request) {
        for (Tile tile : request.tiles()) {
            float[] in = tile.image();
            float[] out = tile.output();
            for (int i = 0; i < in.length; i++) {
                out[i] = in[i] * 255f;
            }
        }
    }
}
