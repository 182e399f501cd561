package io.lamaserve.imaging;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads the EXIF orientation tag (0x0112) from a JPEG's APP1 segment or a PNG's eXIf chunk without decoding the
 * image, and applies it to a decoded raster the way PIL's {@code ImageOps.exif_transpose} does.
 * Values: 1 = as stored, 2 = mirrored, 3 = 180°, 4 = flipped, 5 = transposed, 6 = needs 90° clockwise,
 * 7 = transversed, 8 = needs 90° counter-clockwise. Anything missing or malformed counts as 1.
 */
final class ExifOrientation {

    static final int NORMAL = 1;
    private static final int TAG_ORIENTATION = 0x0112;

    private ExifOrientation() {
    }

    /** The orientation stored in the file, 1..8. */
    static int read(ImageFormat format, byte[] file) {
        try {
            return switch (format) {
                case JPEG -> fromJpeg(file);
                case PNG -> fromPng(file);
                default -> NORMAL;
            };
        } catch (IndexOutOfBoundsException truncated) {
            // a damaged header is the decoder's business; orientation just stays neutral
            return NORMAL;
        }
    }

    /** Whether the orientation swaps width and height. */
    static boolean swapsAxes(int orientation) {
        return orientation >= 5 && orientation <= 8;
    }

    private static int fromJpeg(byte[] b) {
        JpegSegments segments = new JpegSegments(b);
        // the walk ends at the first scan: no EXIF after the header
        while (segments.next() && segments.marker() != JpegSegments.SOS) {
            int body = segments.body();
            if (segments.marker() == 0xE1 && segments.length() >= 8 && body + 6 <= b.length
                    && b[body] == 'E' && b[body + 1] == 'x' && b[body + 2] == 'i' && b[body + 3] == 'f'
                    && b[body + 4] == 0 && b[body + 5] == 0) {
                return fromTiff(b, body + 6, Math.min(b.length, segments.end()));
            }
        }
        return NORMAL;
    }

    private static int fromPng(byte[] b) {
        int pos = 8;
        while (pos + 8 <= b.length) {
            int length = ByteBuffer.wrap(b, pos, 4).getInt();
            if (length < 0) {
                return NORMAL;
            }
            int type = ByteBuffer.wrap(b, pos + 4, 4).getInt();
            int data = pos + 8;
            if (type == 0x65584966) { // "eXIf"
                return fromTiff(b, data, Math.min(b.length, data + length));
            }
            if (type == 0x49444154 || type == 0x49454E44) { // "IDAT", "IEND"
                return NORMAL;
            }
            pos = data + length + 4;
        }
        return NORMAL;
    }

    /** Walks IFD0 of a TIFF structure that occupies {@code b[start, end)}. */
    private static int fromTiff(byte[] b, int start, int end) {
        if (end - start < 8) {
            return NORMAL;
        }
        ByteBuffer tiff = ByteBuffer.wrap(b, start, end - start).slice();
        if (b[start] == 'I' && b[start + 1] == 'I') {
            tiff.order(ByteOrder.LITTLE_ENDIAN);
        } else if (b[start] == 'M' && b[start + 1] == 'M') {
            tiff.order(ByteOrder.BIG_ENDIAN);
        } else {
            return NORMAL;
        }
        if (tiff.getShort(2) != 42) {
            return NORMAL;
        }
        long ifd = Integer.toUnsignedLong(tiff.getInt(4));
        if (ifd + 2 > tiff.limit()) {
            return NORMAL;
        }
        int entries = Short.toUnsignedInt(tiff.getShort((int) ifd));
        for (int i = 0; i < entries; i++) {
            int entry = (int) ifd + 2 + 12 * i;
            if (entry + 12 > tiff.limit()) {
                return NORMAL;
            }
            if (Short.toUnsignedInt(tiff.getShort(entry)) == TAG_ORIENTATION) {
                int type = Short.toUnsignedInt(tiff.getShort(entry + 2));
                int value = type == 3 ? Short.toUnsignedInt(tiff.getShort(entry + 8))
                        : type == 4 ? tiff.getInt(entry + 8) : NORMAL;
                return value >= 1 && value <= 8 ? value : NORMAL;
            }
        }
        return NORMAL;
    }

    /** The raster as it should be displayed; the same object when the orientation is 1. */
    static PixelRaster apply(PixelRaster in, int orientation) {
        if (orientation == NORMAL) {
            return in;
        }
        int w = in.width();
        int h = in.height();
        int c = in.channels();
        boolean swap = swapsAxes(orientation);
        int ow = swap ? h : w;
        int oh = swap ? w : h;
        byte[] src = in.pixels();
        byte[] dst = new byte[src.length];
        // source index = base + x' * stepX + y' * stepY, in pixels
        int base;
        int stepX;
        int stepY;
        switch (orientation) {
            case 2 -> { base = w - 1; stepX = -1; stepY = w; }
            case 3 -> { base = (h - 1) * w + w - 1; stepX = -1; stepY = -w; }
            case 4 -> { base = (h - 1) * w; stepX = 1; stepY = -w; }
            case 5 -> { base = 0; stepX = w; stepY = 1; }
            case 6 -> { base = (h - 1) * w; stepX = -w; stepY = 1; }
            case 7 -> { base = (h - 1) * w + w - 1; stepX = -w; stepY = -1; }
            case 8 -> { base = w - 1; stepX = w; stepY = -1; }
            default -> throw new IllegalArgumentException("orientation " + orientation);
        }
        int out = 0;
        for (int y = 0; y < oh; y++) {
            int s = base + y * stepY;
            if (c == 3) {
                for (int x = 0; x < ow; x++, s += stepX, out += 3) {
                    int si = s * 3;
                    dst[out] = src[si];
                    dst[out + 1] = src[si + 1];
                    dst[out + 2] = src[si + 2];
                }
            } else {
                for (int x = 0; x < ow; x++, s += stepX, out += 4) {
                    int si = s * 4;
                    dst[out] = src[si];
                    dst[out + 1] = src[si + 1];
                    dst[out + 2] = src[si + 2];
                    dst[out + 3] = src[si + 3];
                }
            }
        }
        return new PixelRaster(ow, oh, c, dst);
    }
}
