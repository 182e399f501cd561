package io.lamaserve.api;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.Random;

/** Synthetic photos and masks for the HTTP tests. */
final class TestImages {

    private TestImages() {
    }

    /** A smooth gradient with noise, so every pixel differs and an accidental change is visible. */
    static BufferedImage photo(int width, int height, int type, long seed) {
        Random random = new Random(seed);
        BufferedImage image = new BufferedImage(width, height, type);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = (x * 255 / Math.max(1, width - 1) + random.nextInt(16)) & 0xff;
                int g = (y * 255 / Math.max(1, height - 1) + random.nextInt(16)) & 0xff;
                int b = ((x + y) * 127 / Math.max(1, width + height) + random.nextInt(32)) & 0xff;
                int a = type == BufferedImage.TYPE_INT_ARGB ? 64 + (x * 191 / Math.max(1, width - 1)) : 255;
                image.setRGB(x, y, (a << 24) | (r << 16) | (g << 8) | b);
            }
        }
        return image;
    }

    /** IOPaint's web client mask: transparent black, with opaque white strokes where the image is to be filled. */
    static BufferedImage strokeMask(int width, int height, int[][] strokes, int thickness) {
        BufferedImage mask = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        Graphics2D graphics = mask.createGraphics();
        graphics.setColor(Color.WHITE);
        graphics.setStroke(new BasicStroke(thickness, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        for (int[] stroke : strokes) {
            graphics.drawLine(stroke[0], stroke[1], stroke[2], stroke[3]);
        }
        graphics.dispose();
        return mask;
    }

    static byte[] encode(BufferedImage image, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no writer for " + format);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static BufferedImage decode(byte[] bytes) {
        try {
            return ImageIO.read(new java.io.ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** U rotated a quarter turn counter-clockwise: what a camera stores for an upright U with EXIF orientation 6. */
    static BufferedImage storedForOrientation6(BufferedImage upright) {
        BufferedImage stored = new BufferedImage(upright.getHeight(), upright.getWidth(), upright.getType());
        for (int y = 0; y < upright.getHeight(); y++) {
            for (int x = 0; x < upright.getWidth(); x++) {
                stored.setRGB(y, upright.getWidth() - 1 - x, upright.getRGB(x, y));
            }
        }
        return stored;
    }

    /** A PNG with an eXIf chunk holding only the orientation tag, placed right after IHDR. */
    static byte[] pngWithOrientation(BufferedImage image, int orientation) {
        byte[] png = encode(image, "png");
        java.nio.ByteBuffer tiff = java.nio.ByteBuffer.allocate(26);
        tiff.put(new byte[]{'M', 'M', 0, 42}).putInt(8).putShort((short) 1)
                .putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0)
                .putInt(0);
        byte[] data = tiff.array();
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update("eXIf".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        crc.update(data);
        java.nio.ByteBuffer chunk = java.nio.ByteBuffer.allocate(12 + data.length);
        chunk.putInt(data.length).put("eXIf".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).put(data)
                .putInt((int) crc.getValue());
        int afterHeader = 8 + 25;
        byte[] out = new byte[png.length + chunk.capacity()];
        System.arraycopy(png, 0, out, 0, afterHeader);
        System.arraycopy(chunk.array(), 0, out, afterHeader, chunk.capacity());
        System.arraycopy(png, afterHeader, out, afterHeader + chunk.capacity(), png.length - afterHeader);
        return out;
    }

    static String dataUrl(byte[] bytes, String mime) {
        return "data:" + mime + ";base64," + Base64.getEncoder().encodeToString(bytes);
    }

    /** True where the mask image counts as "fill": luminance above 127 (what the server thresholds). */
    static boolean painted(BufferedImage mask, int x, int y) {
        int argb = mask.getRGB(x, y);
        int alpha = argb >>> 24;
        int r = (argb >> 16) & 0xff;
        int g = (argb >> 8) & 0xff;
        int b = argb & 0xff;
        return alpha > 0 && (r * 299 + g * 587 + b * 114) / 1000 > 127;
    }
}
