package io.lamaserve.imaging;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.Adler32;
import java.util.zip.Deflater;

/**
 * One zlib stream (RFC 1950) made of bands compressed independently and in parallel. Each band is raw deflate data
 * that ends on a byte boundary (a sync flush; the last band finishes the stream), so the bands simply follow each
 * other; the stream's Adler-32 is combined from the bands' own. A band starts without the previous band's window,
 * which costs a few bytes of back-references at each boundary, and nothing with Huffman-only coding.
 *
 * <p>Bands run on a pool of their own, one thread per core, so that they never queue ahead of other parallel work
 * (the GPU executors copy tiles on the common pool). Under load the cores are busy with other requests anyway, so
 * the number of bands shrinks as more streams are compressed at once: a lone request gets every core, concurrent
 * ones share them ({@link #bandsFor}).
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
    private static final AtomicInteger STREAMS_IN_PROGRESS = new AtomicInteger();
    // made on first use, so that a native image's build never holds a pool
    private static volatile ForkJoinPool pool;

    private BandedZlib() {
    }

    /**
     * How many bands to cut {@code totalBytes} into now: at most one per {@link #MIN_BAND_BYTES}, and the
     * processors shared among the streams being compressed at this moment.
     */
    static int bandsFor(long totalBytes) {
        return bandsFor(totalBytes, Runtime.getRuntime().availableProcessors(), STREAMS_IN_PROGRESS.get());
    }

    /** {@link #bandsFor(long)} for {@code cores} processors while {@code inProgress} other streams are compressed. */
    static int bandsFor(long totalBytes, int cores, int inProgress) {
        int bySize = (int) Math.max(1, Math.min(Integer.MAX_VALUE, totalBytes / MIN_BAND_BYTES));
        // this stream is about to join the ones in progress
        int share = Math.max(1, cores / (inProgress + 1));
        return Math.min(bySize, share);
    }

    /** Streams being compressed now. */
    static int streamsInProgress() {
        return STREAMS_IN_PROGRESS.get();
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
        STREAMS_IN_PROGRESS.incrementAndGet();
        try {
            Compressed[] parts = new Compressed[count];
            if (count == 1) {
                parts[0] = compressBand(bands.band(0, 1), true, bufferBytes, level, strategy);
            } else {
                List<Callable<Compressed>> work = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    int index = i;
                    work.add(() -> compressBand(bands.band(index, count), index == count - 1, bufferBytes, level, strategy));
                }
                List<Future<Compressed>> done;
                try {
                    done = pool().invokeAll(work);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CancellationException("interrupted while compressing");
                }
                for (int i = 0; i < count; i++) {
                    parts[i] = result(done.get(i));
                }
            }
            return assemble(parts, level);
        } finally {
            STREAMS_IN_PROGRESS.decrementAndGet();
        }
    }

    private static Compressed result(Future<Compressed> band) {
        switch (band.state()) {
            case SUCCESS:
                return band.resultNow();
            case FAILED:
                Throwable failure = band.exceptionNow();
                if (failure instanceof RuntimeException e) {
                    throw e;
                }
                if (failure instanceof Error e) {
                    throw e;
                }
                throw new IllegalStateException(failure);
            default:
                throw new CancellationException("a band was not compressed");
        }
    }

    private static ForkJoinPool pool() {
        ForkJoinPool current = pool;
        if (current == null) {
            synchronized (BandedZlib.class) {
                current = pool;
                if (current == null) {
                    current = new ForkJoinPool(Runtime.getRuntime().availableProcessors(), p -> {
                        ForkJoinWorkerThread thread = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
                        thread.setName("png-deflate-" + thread.getPoolIndex());
                        return thread;
                    }, null, false);
                    pool = current;
                }
            }
        }
        return current;
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

    private static byte[] assemble(Compressed[] parts, int level) {
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
