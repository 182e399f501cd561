package io.lamaserve.imaging;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.zip.Adler32;
import java.util.zip.Deflater;

/**
 * One zlib stream (RFC 1950) made of bands compressed independently and in parallel. Each band is raw deflate data
 * that ends on a byte boundary (a sync flush; the last band finishes the stream), so the bands simply follow each
 * other; the stream's Adler-32 is combined from the bands' own. A band starts without the previous band's window,
 * which costs a few bytes of back-references at each boundary, and nothing with Huffman-only coding.
 *
 * <p>The bands share the cores with other encodings through {@link CodecThreads}.
 */
final class BandedZlib {

    /** Produces a band's uncompressed bytes, piece by piece, in order. */
    interface Band {
        /**
         * Writes the next piece of the band into {@code buffer} from index 0 and returns its length; 0 when the band
         * is complete.
         */
        int next(byte[] buffer);
    }

    /** Makes band {@code index} of {@code count}. */
    interface Bands {
        Band band(int index, int count);
    }

    /** Below this many uncompressed bytes per band, splitting costs more than it saves. */
    static final int MIN_BAND_BYTES = 1 << 17;

    private static final int ADLER_BASE = 65521;
    private BandedZlib() {
    }

    /**
     * How many bands to cut {@code totalBytes} into now: at most one per {@link #MIN_BAND_BYTES}, and the cores
     * {@link CodecThreads} can spare.
     */
    static int bandsFor(long totalBytes) {
        return CodecThreads.partsFor(totalBytes, MIN_BAND_BYTES);
    }

    /**
     * Compresses {@code count} bands into one zlib stream.
     *
     * @param bufferBytes size of the piece buffer each band is given
     */
    static byte[] compress(Bands bands, int count, int bufferBytes, int level, int strategy) {
        if (count < 1) {
            throw new IllegalArgumentException("bands: " + count);
        }
        List<Callable<Compressed>> work = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int index = i;
            work.add(() -> compressBand(bands.band(index, count), index == count - 1, bufferBytes, level, strategy));
        }
        return assemble(CodecThreads.run(work), level);
    }

    private record Compressed(byte[] deflated, long adler, long length) {
    }

    private static Compressed compressBand(Band band, boolean last, int bufferBytes, int level, int strategy) {
        DeflaterPool deflaters = DeflaterPool.forLevel(level);
        Deflater deflater = deflaters.take(strategy);
        try {
            byte[] input = new byte[bufferBytes];
            byte[] output = new byte[Math.max(1 << 12, bufferBytes / 2)];
            ByteArrayOutputStream deflated = new ByteArrayOutputStream(bufferBytes);
            Adler32 adler = new Adler32();
            long length = 0;
            for (int n = band.next(input); n > 0; n = band.next(input)) {
                adler.update(input, 0, n);
                length += n;
                deflater.setInput(input, 0, n);
                while (!deflater.needsInput()) {
                    deflated.write(output, 0, deflater.deflate(output, 0, output.length, Deflater.NO_FLUSH));
                }
            }
            if (last) {
                deflater.finish();
                while (!deflater.finished()) {
                    deflated.write(output, 0, deflater.deflate(output));
                }
            } else {
                // a sync flush ends the band on a byte boundary; a full output buffer means more is pending
                int written;
                do {
                    written = deflater.deflate(output, 0, output.length, Deflater.SYNC_FLUSH);
                    deflated.write(output, 0, written);
                } while (written == output.length);
            }
            return new Compressed(deflated.toByteArray(), adler.getValue(), length);
        } finally {
            deflaters.give(deflater);
        }
    }

    private static byte[] assemble(List<Compressed> parts, int level) {
        int size = 2 + 4;
        for (Compressed part : parts) {
            size += part.deflated().length;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        int cmf = 0x78; // deflate, 32 KB window
        int flevel = level <= 1 ? 0 : level < 6 ? 1 : level == 6 ? 2 : 3;
        int flg = flevel << 6;
        flg += (31 - ((cmf << 8) + flg) % 31) % 31; // header check: CMF·256 + FLG is a multiple of 31
        out.write(cmf);
        out.write(flg);
        long adler = 1;
        for (Compressed part : parts) {
            out.writeBytes(part.deflated());
            adler = combineAdler(adler, part.adler(), part.length());
        }
        out.write((int) (adler >>> 24));
        out.write((int) (adler >>> 16));
        out.write((int) (adler >>> 8));
        out.write((int) adler);
        return out.toByteArray();
    }

    /**
     * The Adler-32 of two byte sequences one after the other, from each one's own checksum and the second one's
     * length. With A = 1 + the sum of the bytes and B = the sum of the running values of A: the second part's
     * running A values are each raised by A₁ − 1, so A = A₁ + A₂ − 1 and B = B₁ + B₂ + length₂ · (A₁ − 1), modulo 65521.
     */
    static long combineAdler(long first, long second, long secondLength) {
        long a1 = first & 0xFFFF;
        long b1 = (first >>> 16) & 0xFFFF;
        long a2 = second & 0xFFFF;
        long b2 = (second >>> 16) & 0xFFFF;
        long a = Math.floorMod(a1 + a2 - 1, ADLER_BASE);
        long b = Math.floorMod(b1 + b2 + (secondLength % ADLER_BASE) * Math.floorMod(a1 - 1, ADLER_BASE), ADLER_BASE);
        return (b << 16) | a;
    }
}
