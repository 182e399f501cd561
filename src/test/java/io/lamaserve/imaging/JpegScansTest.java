package io.lamaserve.imaging;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageWriteParam;
import java.io.ByteArrayOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JpegScansTest {

    @Test
    void baselineHasOneScanAndProgressiveSeveral() {
        assertEquals(1, JpegScans.count(TestImages.jpeg(TestImages.noise(64, 64, 1), 0.9f)));
        byte[] progressive = TestImages.write(TestImages.noise(64, 64, 2), "jpeg",
                param -> param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT));
        int scans = JpegScans.count(progressive);
        assertTrue(scans > 1 && scans <= JpegScans.MAX_SCANS, scans + " scans");
        assertEquals(64, ImageDecoder.decode("image", progressive, TestImages.DEFAULT_LIMITS).width());
    }

    @Test
    void aFileWithThousandsOfScansIsRefusedBeforeDecoding() {
        byte[] jpeg = TestImages.jpeg(TestImages.noise(64, 64, 3), 0.9f);
        // append empty scan headers after the real data; the decoder would stop at EOI, the count does not
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        bomb.write(jpeg, 0, jpeg.length - 2);
        for (int i = 0; i < 3000; i++) {
            bomb.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xDA, 0, 8, 1, 1, 0, 0, 63, 0});
        }
        bomb.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xD9});
        BadImageException e = assertThrows(BadImageException.class,
                () -> ImageDecoder.decode("image", bomb.toByteArray(), TestImages.DEFAULT_LIMITS));
        assertEquals("image: JPEG has 3001 scans, at most 256 are accepted", e.getMessage());
    }
}
