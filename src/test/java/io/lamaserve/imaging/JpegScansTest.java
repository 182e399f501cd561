package io.lamaserve.imaging;

import org.junit.jupiter.api.Test;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JpegScansTest {

    @Test
    void baselineHasOneScanAndProgressiveSeveral() throws IOException {
        assertEquals(1, JpegScans.count(TestImages.jpeg(TestImages.noise(64, 64, 1), 0.9f)));
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            writer.write(null, new IIOImage(TestImages.noise(64, 64, 2), null, null), param);
        } finally {
            writer.dispose();
        }
        byte[] progressive = bytes.toByteArray();
        int scans = JpegScans.count(progressive);
        assertTrue(scans > 1 && scans <= JpegScans.MAX_SCANS, scans + " scans");
        assertEquals(64, ImageDecoder.decode("image", progressive, ImageLimits.DEFAULT).width());
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
                () -> ImageDecoder.decode("image", bomb.toByteArray(), ImageLimits.DEFAULT));
        assertEquals("image: JPEG has 3001 scans, at most 256 are accepted", e.getMessage());
    }
}
