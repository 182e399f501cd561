package io.lamaserve.imaging;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * A baseline JPEG encoded as horizontal strips in parallel and joined into one scan with restart markers. DCT,
 * quantization and chroma subsampling work on blocks inside one MCU (minimum coded unit, 16×16 pixels with 4:2:0
 * chroma), so strips whose height is a multiple of the MCU height code exactly the blocks the whole image would;
 * only the entropy coder's running state (the DC predictions) crosses strip boundaries, and a restart marker
 * resets it, which is what encoding a strip on its own assumes. The result decodes to the same pixels as the image
 * encoded in one piece, with a few bytes more per strip. Each strip goes through ImageIO's writer with the same
 * settings, so the tables of every strip are the same; if they ever are not, or the image is too small to split,
 * the image is encoded in one piece.
 */
final class JpegStrips {

    /** Below this many pixels per strip, splitting costs more than it saves. */
    static final int MIN_STRIP_PIXELS = 1 << 17;

    private static final int SOI = 0xD8;
    private static final int EOI = 0xD9;
    private static final int SOF0 = 0xC0;
    private static final int DRI = 0xDD;
    private static final int RST0 = 0xD0;
    private static final int MAX_RESTART_INTERVAL = 0xFFFF;
    /** The tallest MCU ImageIO's writer makes (2×2 luma blocks per chroma block); strips are cut to multiples of it. */
    private static final int MCU_SIDE = 16;

    private JpegStrips() {
    }

    /** The raster's RGB as JPEG at {@code quality} (1..100), in as many strips as the cores allow now. */
    static byte[] encode(PixelRaster raster, int quality) {
        return encode(raster, quality, CodecThreads.partsFor((long) raster.width() * raster.height(), MIN_STRIP_PIXELS));
    }

    /** As {@link #encode(PixelRaster, int)} in at most {@code strips} strips. */
    static byte[] encode(PixelRaster raster, int quality, int strips) {
        BufferedImage image = ImageEncoder.wrap(raster, false);
        int width = raster.width();
        int height = raster.height();
        int mcuRows = (height + MCU_SIDE - 1) / MCU_SIDE;
        int mcusPerRow = (width + MCU_SIDE - 1) / MCU_SIDE;
        int rowsPerStrip = (mcuRows + strips - 1) / Math.max(1, strips);
        // the restart interval, in MCUs, is a 16-bit field
        rowsPerStrip = Math.min(rowsPerStrip, MAX_RESTART_INTERVAL / mcusPerRow);
        if (strips <= 1 || rowsPerStrip < 1 || rowsPerStrip >= mcuRows) {
            return ImageEncoder.writeJpeg(image, quality);
        }
        int stripHeight = rowsPerStrip * MCU_SIDE;
        List<Callable<byte[]>> parts = new ArrayList<>();
        for (int y = 0; y < height; y += stripHeight) {
            int top = y;
            int rows = Math.min(stripHeight, height - y);
            parts.add(() -> ImageEncoder.writeJpeg(image.getSubimage(0, top, width, rows), quality));
        }
        byte[] joined = join(CodecThreads.run(parts), height, stripHeight);
        return joined != null ? joined : ImageEncoder.writeJpeg(image, quality);
    }

    /**
     * One JPEG from the strips' files: the first strip's tables and frame header (with the full height), a restart
     * interval of one strip, then every strip's entropy-coded data with a restart marker between strips. Null when
     * the strips do not fit together (other tables, another MCU size, an unexpected layout).
     */
    static byte[] join(List<byte[]> strips, int height, int stripHeight) {
        Layout first = Layout.of(strips.getFirst());
        if (first == null || first.mcuHeight() == 0 || stripHeight % first.mcuHeight() != 0) {
            return null;
        }
        int restartInterval = (stripHeight / first.mcuHeight()) * first.mcusPerRow();
        if (restartInterval > MAX_RESTART_INTERVAL) {
            return null;
        }
        // every strip's header matches the first's, so its entropy-coded data starts where the first's does
        for (byte[] strip : strips) {
            Layout layout = Layout.of(strip);
            if (layout == null || !sameTablesAndWidth(strips.getFirst(), first, strip, layout)) {
                return null;
            }
        }
        byte[] header = Arrays.copyOfRange(strips.getFirst(), 2, first.scanHeaderStart());
        int size = 2 + header.length + 6 + (first.scanStart() - first.scanHeaderStart()) + 2 * strips.size() + 2;
        for (byte[] strip : strips) {
            size += strip.length;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        out.write(0xFF);
        out.write(SOI);
        header[first.heightAt() - 2] = (byte) (height >> 8);
        header[first.heightAt() - 1] = (byte) height;
        out.writeBytes(header);
        out.writeBytes(new byte[] {(byte) 0xFF, (byte) DRI, 0, 4, (byte) (restartInterval >> 8), (byte) restartInterval});
        out.write(strips.getFirst(), first.scanHeaderStart(), first.scanStart() - first.scanHeaderStart());
        for (int i = 0; i < strips.size(); i++) {
            byte[] strip = strips.get(i);
            out.write(strip, first.scanStart(), strip.length - 2 - first.scanStart());
            if (i < strips.size() - 1) {
                out.write(0xFF);
                out.write(RST0 + i % 8);
            }
        }
        out.write(0xFF);
        out.write(EOI);
        return out.toByteArray();
    }

    /** Everything before the scan must match, except the frame's height. */
    private static boolean sameTablesAndWidth(byte[] a, Layout la, byte[] b, Layout lb) {
        if (la.scanStart() != lb.scanStart() || la.heightAt() != lb.heightAt()) {
            return false;
        }
        for (int i = 0; i < la.scanStart(); i++) {
            if (i != la.heightAt() && i != la.heightAt() + 1 && a[i] != b[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Where things are in a baseline JPEG as ImageIO writes it: the frame height field, the start of the scan header
     * (SOS), the start of the entropy-coded data, and the MCU size from the frame's sampling factors. The file must
     * end with EOI right after the data, with no restart markers of its own.
     */
    record Layout(int heightAt, int scanHeaderStart, int scanStart, int mcuWidth, int mcuHeight, int width) {

        int mcusPerRow() {
            return (width + mcuWidth - 1) / mcuWidth;
        }

        static Layout of(byte[] jpeg) {
            if (jpeg.length < 4 || (jpeg[0] & 0xFF) != 0xFF || (jpeg[1] & 0xFF) != SOI
                    || (jpeg[jpeg.length - 2] & 0xFF) != 0xFF || (jpeg[jpeg.length - 1] & 0xFF) != EOI) {
                return null;
            }
            int heightAt = -1;
            int mcuWidth = 0;
            int mcuHeight = 0;
            int width = 0;
            JpegSegments segments = new JpegSegments(jpeg);
            while (segments.next()) {
                int marker = segments.marker();
                int body = segments.body();
                if (segments.length() < 2 || segments.end() > jpeg.length) {
                    return null;
                }
                if (marker == SOF0) {
                    heightAt = body + 1;
                    width = ((jpeg[body + 3] & 0xFF) << 8) | (jpeg[body + 4] & 0xFF);
                    int components = jpeg[body + 5] & 0xFF;
                    int maxH = 0;
                    int maxV = 0;
                    for (int c = 0; c < components; c++) {
                        int sampling = jpeg[body + 7 + 3 * c] & 0xFF;
                        maxH = Math.max(maxH, sampling >> 4);
                        maxV = Math.max(maxV, sampling & 0x0F);
                    }
                    mcuWidth = 8 * maxH;
                    mcuHeight = 8 * maxV;
                } else if (marker == JpegSegments.SOS) {
                    if (heightAt < 0 || mcuWidth == 0) {
                        return null;
                    }
                    return new Layout(heightAt, segments.start(), segments.end(), mcuWidth, mcuHeight, width);
                } else if (marker == DRI || (marker >= 0xC1 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8
                        && marker != 0xCC)) {
                    return null; // restart markers of its own, or not baseline
                }
            }
            return null;
        }
    }
}
