package io.lamaserve.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InputDirectoryTest {

    @TempDir
    Path dir;

    @Test
    void pairsImagesWithTheirMasksAndKeepsBytesAsStored() throws Exception {
        write("street.png", 64, 48, BufferedImage.TYPE_INT_RGB, "png");
        write("street_mask.png", 64, 48, BufferedImage.TYPE_BYTE_GRAY, "png");
        write("beach.jpg", 32, 32, BufferedImage.TYPE_INT_RGB, "jpg");
        write("beach_mask.png", 32, 32, BufferedImage.TYPE_BYTE_GRAY, "png");
        Files.writeString(dir.resolve("notes.txt"), "ignored");

        List<InputPair> pairs = InputDirectory.load(dir);

        assertEquals(List.of("beach", "street"), pairs.stream().map(InputPair::name).toList());
        assertEquals("image/jpeg", pairs.get(0).imageMediaType());
        assertEquals(32, pairs.get(0).width());
        assertEquals("image/png", pairs.get(1).imageMediaType());
        assertEquals(48, pairs.get(1).height());
        assertArrayEquals(Files.readAllBytes(dir.resolve("street.png")), pairs.get(1).image());
        assertArrayEquals(Files.readAllBytes(dir.resolve("street_mask.png")), pairs.get(1).mask());
    }

    @Test
    void imageWithoutMaskIsAnError() throws Exception {
        write("lonely.png", 8, 8, BufferedImage.TYPE_INT_RGB, "png");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InputDirectory.load(dir));
        assertTrue(e.getMessage().contains("lonely_mask.png"), e.getMessage());
    }

    @Test
    void maskOfAnotherSizeIsAnError() throws Exception {
        write("a.png", 8, 8, BufferedImage.TYPE_INT_RGB, "png");
        write("a_mask.png", 8, 9, BufferedImage.TYPE_BYTE_GRAY, "png");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InputDirectory.load(dir));
        assertTrue(e.getMessage().contains("8x9"), e.getMessage());
    }

    @Test
    void emptyOrMissingDirectoryIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> InputDirectory.load(dir));
        assertThrows(IllegalArgumentException.class, () -> InputDirectory.load(dir.resolve("nope")));
    }

    private void write(String name, int width, int height, int type, String format) throws Exception {
        ImageIO.write(new BufferedImage(width, height, type), format, dir.resolve(name).toFile());
    }
}
