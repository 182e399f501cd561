package io.lamaserve.imaging;

/**
 * Walks the marker segments of a JPEG header, from after SOI up to and including the first start-of-scan: each
 * segment's marker, where it starts, where its body starts and its length field. Fill bytes and markers without a
 * length (TEM, RST0-7) are skipped. The walk ends at EOI, at a byte that is not a marker (a damaged header) or at
 * the end of the data. Lengths are not checked against the file: callers that read a body bound it themselves.
 */
final class JpegSegments {

    static final int SOS = 0xDA;
    private static final int EOI = 0xD9;

    private final byte[] jpeg;
    private int pos = 2;
    private int marker;
    private int start;
    private int length;

    JpegSegments(byte[] jpeg) {
        this.jpeg = jpeg;
    }

    /** Moves to the next segment; false when the header ends (see the class comment). */
    boolean next() {
        if (marker == SOS) {
            return false;
        }
        while (pos + 4 <= jpeg.length) {
            if ((jpeg[pos] & 0xFF) != 0xFF) {
                return false;
            }
            int m = jpeg[pos + 1] & 0xFF;
            if (m == 0xFF) {
                pos++; // fill byte
                continue;
            }
            if (m == EOI) {
                return false;
            }
            if (m == 0x01 || (m >= 0xD0 && m <= 0xD7)) {
                pos += 2;
                continue;
            }
            marker = m;
            start = pos;
            length = ((jpeg[pos + 2] & 0xFF) << 8) | (jpeg[pos + 3] & 0xFF);
            pos = end();
            return true;
        }
        return false;
    }

    int marker() {
        return marker;
    }

    /** Offset of the segment's 0xFF. */
    int start() {
        return start;
    }

    /** Offset of the segment's body, after the marker and the length field. */
    int body() {
        return start + 4;
    }

    /** The segment's length field: its body plus the two bytes of the field itself. */
    int length() {
        return length;
    }

    /** Offset just after the segment (for SOS: where the entropy-coded data begins). */
    int end() {
        return start + 2 + length;
    }
}
