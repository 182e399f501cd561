package io.lamaserve.imaging;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;
import java.util.zip.Deflater;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DeflaterPoolTest {

    @Test
    void aReusedCompressorWritesWhatAFreshOneWrites() {
        byte[] data = new byte[200_000];
        Random random = new Random(4);
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i % 600 < 300 ? i / 5 : random.nextInt(256));
        }
        DeflaterPool pool = new DeflaterPool(1, 2);
        byte[] fresh = compress(pool, data, Deflater.DEFAULT_STRATEGY);
        // the same compressor again, after a use with another strategy and other data, left half done
        Deflater used = pool.take(Deflater.HUFFMAN_ONLY);
        used.setInput(Arrays.copyOf(data, 1000));
        used.deflate(new byte[100]);
        pool.give(used);
        assertArrayEquals(fresh, compress(pool, data, Deflater.DEFAULT_STRATEGY));
        assertArrayEquals(compress(new DeflaterPool(1, 0), data, Deflater.HUFFMAN_ONLY),
                compress(pool, data, Deflater.HUFFMAN_ONLY));
    }

    @Test
    void keepsAtMostMaxIdleAndReusesThem() {
        DeflaterPool pool = new DeflaterPool(1, 1);
        Deflater first = pool.take(Deflater.DEFAULT_STRATEGY);
        Deflater second = pool.take(Deflater.DEFAULT_STRATEGY);
        assertNotSame(first, second);
        pool.give(first);
        pool.give(second); // beyond max idle: freed
        assertEquals(1, pool.idle());
        assertSame(first, pool.take(Deflater.DEFAULT_STRATEGY));
        assertEquals(0, pool.idle());
        // the freed one cannot be used any more
        assertThrows(IllegalStateException.class, () -> second.deflate(new byte[16]));
    }

    @Test
    void rejectsLevelsZlibDoesNotHave() {
        assertThrows(IllegalArgumentException.class, () -> DeflaterPool.forLevel(10));
        assertThrows(IllegalArgumentException.class, () -> new DeflaterPool(-1, 1));
    }

    private static byte[] compress(DeflaterPool pool, byte[] data, int strategy) {
        Deflater deflater = pool.take(strategy);
        try {
            deflater.setInput(data);
            deflater.finish();
            byte[] out = new byte[data.length + 1024];
            int n = 0;
            while (!deflater.finished()) {
                n += deflater.deflate(out, n, out.length - n);
            }
            return Arrays.copyOf(out, n);
        } finally {
            pool.give(deflater);
        }
    }
}
