package io.lamaserve.imaging;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Damaged files must end as a 400 or 413 with a message, never as another exception (a 500). */
class CorruptInputTest {

    @Test
    void randomlyDamagedFilesAreInputErrorsOrDecode() {
        ImagePipeline pipeline = new ImagePipeline();
        byte[] mask = TestImages.png(TestImages.mask(48, 32, new int[] {4, 4, 8, 8}));
        byte[][] originals = {
                TestImages.png(TestImages.noise(48, 32, 1)),
                TestImages.jpeg(TestImages.noise(48, 32, 2), 0.8f),
                TestImages.write(TestImages.noise(48, 32, 3), "gif"),
                TestImages.write(TestImages.noise(48, 32, 4), "bmp"),
                TestImages.write(TestImages.noise(48, 32, 5), "tiff"),
        };
        Random random = new Random(99);
        int rejected = 0;
        for (byte[] original : originals) {
            for (int attempt = 0; attempt < 150; attempt++) {
                byte[] damaged = original.clone();
                int flips = 1 + random.nextInt(8);
                for (int f = 0; f < flips; f++) {
                    // keep the signature so the damage reaches the decoder
                    int at = 4 + random.nextInt(damaged.length - 4);
                    damaged[at] = (byte) random.nextInt(256);
                }
                if (random.nextInt(4) == 0) {
                    damaged = java.util.Arrays.copyOf(damaged, 4 + random.nextInt(damaged.length - 4));
                }
                try {
                    PreparedRequest request = pipeline.prepare(damaged, mask, RegionOptions.IOPAINT_DEFAULTS, 64,
                            TestImages.DEFAULT_LIMITS);
                    TestImages.paintOutputs(request, 1, 2, 3);
                    pipeline.complete(request, null, 90);
                } catch (ImageInputException expected) {
                    rejected++;
                    assertTrue(expected.getMessage() != null && expected.getMessage().startsWith("image")
                            || expected.getMessage().startsWith("Image size"), expected.getMessage());
                }
            }
        }
        assertTrue(rejected > 0, "some damage must be detected");
    }
}
