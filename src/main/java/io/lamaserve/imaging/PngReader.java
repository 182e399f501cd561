package io.lamaserve.imaging;

import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A direct decoder for the PNGs clients send most: 8-bit gray, gray + alpha, RGB or RGBA, not interlaced, without a
 * transparency chunk. It inflates the image data and unfilters it straight into the pipeline's interleaved raster,
 * where ImageIO builds a BufferedImage that {@link RasterExtractor} then copies out. Samples come out as stored, as
 * from ImageIO (gamma and colour chunks are not applied; gray is replicated into R, G and B).
 *
 * <p>Anything else (palettes, 16-bit samples, interlacing, a tRNS chunk, unknown critical chunks), and any file it
 * finds damaged, it leaves to ImageIO by answering null, so errors and unusual files behave exactly as before. The
 * caller has already checked the dimensions against the pixel limit.
 */
final class PngReader {

    private static final int IHDR = type("IHDR");
    private static final int IDAT = type("IDAT");
    private static final int IEND = type("IEND");
    private static final int TRNS = type("tRNS");
    private static final int PLTE = type("PLTE");

    private PngReader() {
    }

    /** The raster, or null when this file is ImageIO's to decode. */
    static PixelRaster read(byte[] png) {
        int pos = 8; // after the signature, which sniffing has checked
        int width = 0;
        int height = 0;
        int samples = 0;
        int[] idatOffsets = new int[16];
        int[] idatLengths = new int[16];
        int idats = 0;
        boolean header = false;
        while (true) {
            if (pos + 12 > png.length) {
                return null; // no IEND: truncated
            }
            int length = readInt(png, pos);
            int type = readInt(png, pos + 4);
            int data = pos + 8;
            if (length < 0 || length > png.length - data - 4) {
                return null;
            }
            if (!header) {
                if (type != IHDR || length != 13) {
                    return null;
                }
                width = readInt(png, data);
                height = readInt(png, data + 4);
                int bitDepth = png[data + 8];
                int colourType = png[data + 9];
                samples = switch (colourType) {
                    case 0 -> 1;
                    case 2 -> 3;
                    case 4 -> 2;
                    case 6 -> 4;
                    default -> 0;
                };
                boolean plain = png[data + 10] == 0 && png[data + 11] == 0 && png[data + 12] == 0;
                if (width <= 0 || height <= 0 || bitDepth != 8 || samples == 0 || !plain) {
                    return null;
                }
                header = true;
            } else if (type == IDAT) {
                if (idats == idatOffsets.length) {
                    idatOffsets = java.util.Arrays.copyOf(idatOffsets, idats * 2);
                    idatLengths = java.util.Arrays.copyOf(idatLengths, idats * 2);
                }
                idatOffsets[idats] = data;
                idatLengths[idats] = length;
                idats++;
            } else if (type == IEND) {
                break;
            } else if (type == TRNS || (isCritical(type) && type != PLTE)) {
                return null;
            }
            pos = data + length + 4; // CRCs are not checked, as ImageIO does not check them either
        }
        long rawBytes = ((long) width * samples + 1) * height;
        long rasterBytes = (long) width * height * (samples == 2 || samples == 4 ? 4 : 3);
        if (idats == 0 || Math.max(rawBytes, rasterBytes) > Integer.MAX_VALUE - 16) {
            return null;
        }
        byte[] raw = inflate(png, idatOffsets, idatLengths, idats, (int) rawBytes);
        return raw == null ? null : unfilter(raw, width, height, samples);
    }

    /** Exactly {@code size} bytes of the zlib stream spread over the IDAT chunks, or null if it is short or broken. */
    private static byte[] inflate(byte[] png, int[] offsets, int[] lengths, int count, int size) {
        byte[] raw = new byte[size];
        Inflater inflater = new Inflater();
        try {
            int filled = 0;
            int next = 0;
            while (filled < size) {
                int n = inflater.inflate(raw, filled, size - filled);
                filled += n;
                if (n == 0) {
                    if (inflater.finished() || inflater.needsDictionary()) {
                        return null;
                    }
                    if (inflater.needsInput()) {
                        if (next == count) {
                            return null;
                        }
                        inflater.setInput(png, offsets[next], lengths[next]);
                        next++;
                    }
                }
            }
            return raw;
        } catch (DataFormatException e) {
            return null;
        } finally {
            inflater.end();
        }
    }

    /** Undoes the row filters into an RGB(A) raster; null for an unknown filter type. */
    private static PixelRaster unfilter(byte[] raw, int width, int height, int samples) {
        int stride = width * samples;
        boolean alpha = samples == 2 || samples == 4;
        PixelRaster raster = PixelRaster.allocate(width, height, alpha ? 4 : 3);
        byte[] out = raster.pixels();
        // RGB and RGBA rows are laid out as the raster's, so they are unfiltered in place there; gray rows go
        // through two row buffers and are then spread over R, G and B
        boolean direct = samples >= 3;
        byte[] rows = direct ? out : new byte[2 * stride];
        byte[] zeros = new byte[stride];
        for (int y = 0; y < height; y++) {
            int src = y * (stride + 1);
            int dst = direct ? y * stride : (y & 1) * stride;
            byte[] above = y == 0 ? zeros : rows;
            int up = y == 0 ? 0 : direct ? dst - stride : ((y - 1) & 1) * stride;
            if (!unfilterRow(raw[src], raw, src + 1, rows, dst, above, up, stride, samples)) {
                return null;
            }
            if (!direct) {
                spreadGray(rows, dst, out, y * width * (alpha ? 4 : 3), width, alpha);
            }
        }
        return raster;
    }

    private static boolean unfilterRow(int filter, byte[] raw, int r, byte[] d, int o, byte[] above, int u, int stride,
                                       int bpp) {
        switch (filter) {
            case 0 -> System.arraycopy(raw, r, d, o, stride);
            case 1 -> {
                System.arraycopy(raw, r, d, o, bpp);
                for (int i = bpp; i < stride; i++) {
                    d[o + i] = (byte) (raw[r + i] + d[o + i - bpp]);
                }
            }
            case 2 -> {
                for (int i = 0; i < stride; i++) {
                    d[o + i] = (byte) (raw[r + i] + above[u + i]);
                }
            }
            case 3 -> {
                for (int i = 0; i < bpp; i++) {
                    d[o + i] = (byte) (raw[r + i] + ((above[u + i] & 0xFF) >> 1));
                }
                for (int i = bpp; i < stride; i++) {
                    d[o + i] = (byte) (raw[r + i] + (((d[o + i - bpp] & 0xFF) + (above[u + i] & 0xFF)) >> 1));
                }
            }
            case 4 -> {
                for (int i = 0; i < bpp; i++) {
                    d[o + i] = (byte) (raw[r + i] + above[u + i]);
                }
                for (int i = bpp; i < stride; i++) {
                    int predictor = Paeth.predict(d[o + i - bpp] & 0xFF, above[u + i] & 0xFF,
                            above[u + i - bpp] & 0xFF);
                    d[o + i] = (byte) (raw[r + i] + predictor);
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private static void spreadGray(byte[] row, int from, byte[] out, int to, int width, boolean alpha) {
        if (alpha) {
            for (int x = 0, s = from, o = to; x < width; x++, s += 2, o += 4) {
                byte v = row[s];
                out[o] = v;
                out[o + 1] = v;
                out[o + 2] = v;
                out[o + 3] = row[s + 1];
            }
        } else {
            for (int x = 0, s = from, o = to; x < width; x++, s++, o += 3) {
                byte v = row[s];
                out[o] = v;
                out[o + 1] = v;
                out[o + 2] = v;
            }
        }
    }

    /** Critical chunks have an upper-case first letter: a decoder that does not know one must not guess. */
    private static boolean isCritical(int type) {
        return (type & 0x20000000) == 0 && type != IHDR && type != IDAT && type != IEND;
    }

    private static int readInt(byte[] b, int at) {
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }

    private static int type(String name) {
        return name.charAt(0) << 24 | name.charAt(1) << 16 | name.charAt(2) << 8 | name.charAt(3);
    }
}
