package io.lamaserve.imaging;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.Adler32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The banded stream is a standard zlib stream: java.util.zip's inflater, which checks the Adler-32, reads it back. */
class BandedZlibTest {

    @Test
    void combinedAdlerEqualsTheChecksumOfTheWhole() {
        Random random = new Random(3);
        for (int trial = 0; trial < 200; trial++) {
            byte[] data = new byte[random.nextInt(300_000)];
            random.nextBytes(data);
            if (trial % 2 == 0) {
                Arrays.fill(data, 0, data.length / 2, (byte) 0xFF); // long runs of large bytes push B past the modulus
            }
            int cut = data.length == 0 ? 0 : random.nextInt(data.length + 1);
            long combined = BandedZlib.combineAdler(adler(data, 0, cut), adler(data, cut, data.length), data.length - cut);
            assertEquals(adler(data, 0, data.length), combined, "cut at " + cut + " of " + data.length);
        }
    }

    @Test
    void anyNumberOfBandsInflatesToTheSameBytes() throws DataFormatException {
        byte[] data = new byte[700_001];
        Random random = new Random(5);
        for (int i = 0; i < data.length; i++) {
            // some structure for string matching, some noise
            data[i] = (byte) (i % 1000 < 500 ? i / 7 : random.nextInt(256));
        }
        for (int strategy : new int[]{Deflater.DEFAULT_STRATEGY, Deflater.HUFFMAN_ONLY}) {
            for (int level : new int[]{1, 6, 9}) {
                for (int bands : new int[]{1, 2, 3, 8, 17}) {
                    byte[] zlib = BandedZlib.compress(slices(data), bands, 4096, level, strategy);
                    assertEquals(0, ((zlib[0] & 0xFF) * 256 + (zlib[1] & 0xFF)) % 31, "header check");
                    assertArrayEquals(data, inflate(zlib), bands + " bands, level " + level);
                }
            }
        }
    }

    @Test
    void emptyAndTinyBandsAreValid() throws DataFormatException {
        byte[] data = {1, 2, 3};
        // more bands than bytes: some bands are empty
        assertArrayEquals(data, inflate(BandedZlib.compress(slices(data), 5, 2, 1, Deflater.DEFAULT_STRATEGY)));
        assertArrayEquals(new byte[0], inflate(BandedZlib.compress(slices(new byte[0]), 2, 2, 1, Deflater.DEFAULT_STRATEGY)));
    }

    /** Band i of n: the i-th n-th of the data, handed out in pieces of at most the buffer's size. */
    private static BandedZlib.Bands slices(byte[] data) {
        return (index, count) -> new BandedZlib.Band() {
            int next = (int) ((long) data.length * index / count);
            final int end = (int) ((long) data.length * (index + 1) / count);

            @Override
            public int next(byte[] buffer) {
                int n = Math.min(buffer.length, end - next);
                System.arraycopy(data, next, buffer, 0, n);
                next += n;
                return n;
            }
        };
    }

    private static long adler(byte[] data, int from, int to) {
        Adler32 adler = new Adler32();
        adler.update(data, from, to - from);
        return adler.getValue();
    }

    private static byte[] inflate(byte[] zlib) throws DataFormatException {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(zlib);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[1 << 16];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && !inflater.finished() && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new DataFormatException("truncated stream");
                }
                out.write(buffer, 0, n);
            }
            assertEquals(0, inflater.getRemaining(), "bytes after the end of the stream");
            return out.toByteArray();
        } finally {
            inflater.end();
        }
    }
}
