package io.lamaserve.imaging;

/**
 * Counts the scans (SOS markers) of a JPEG file without decoding it. A progressive JPEG can declare thousands of tiny
 * scans, each of which makes the decoder walk the whole image again: a CPU "bomb" that a pixel limit does not catch.
 * Inside entropy-coded data a 0xFF byte is always followed by 0x00 or a restart marker, so every 0xFF 0xDA in the
 * file is a real start-of-scan.
 */
final class JpegScans {

    /** Progressive files from cameras and encoders use about 10; libjpeg-turbo's own safeguard is in the hundreds. */
    static final int MAX_SCANS = 256;

    private JpegScans() {
    }

    static int count(byte[] jpeg) {
        int scans = 0;
        for (int i = 0, end = jpeg.length - 1; i < end; i++) {
            if (jpeg[i] == (byte) 0xFF && jpeg[i + 1] == (byte) 0xDA) {
                scans++;
                i++;
            }
        }
        return scans;
    }

    /** @throws BadImageException when the file has more scans than {@link #MAX_SCANS} */
    static void check(String role, byte[] jpeg) {
        int scans = count(jpeg);
        if (scans > MAX_SCANS) {
            throw new BadImageException(role + ": JPEG has " + scans + " scans, at most " + MAX_SCANS + " are accepted");
        }
    }
}
