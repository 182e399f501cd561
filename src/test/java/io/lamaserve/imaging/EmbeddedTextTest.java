package io.lamaserve.imaging;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.Deflater;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddedTextTest {

    private static final String PARAMETERS = "a red barn, snow\nNegative prompt: blurry\nSteps: 20, Sampler: Euler a";

    @Test
    void readsPlainLatin1Text() {
        byte[] png = withChunk(TestImages.png(TestImages.noise(4, 3, 1)), "tEXt", join(latin1("parameters"), new byte[] {0},
                latin1("caf\u00e9 " + PARAMETERS)));
        assertEquals(Optional.of("caf\u00e9 " + PARAMETERS), EmbeddedText.find(png, "parameters", "file"));
    }

    @Test
    void readsCompressedText() {
        byte[] png = withChunk(TestImages.png(TestImages.noise(4, 3, 1)), "zTXt", join(latin1("parameters"), new byte[] {0, 0},
                deflate(latin1(PARAMETERS))));
        assertEquals(Optional.of(PARAMETERS), EmbeddedText.find(png, "parameters", "file"));
    }

    @Test
    void readsInternationalTextCompressedOrNot() {
        String text = "\u732b, " + PARAMETERS;
        byte[] plain = join(latin1("parameters"), new byte[] {0, 0, 0}, latin1("ja"), new byte[] {0},
                text("\u30d1\u30e9\u30e1\u30fc\u30bf"), new byte[] {0}, text(text));
        byte[] compressed = join(latin1("parameters"), new byte[] {0, 1, 0}, latin1("ja"), new byte[] {0}, new byte[] {0},
                deflate(text(text)));
        byte[] image = TestImages.png(TestImages.noise(4, 3, 1));
        assertEquals(Optional.of(text), EmbeddedText.find(withChunk(image, "iTXt", plain), "parameters", "file"));
        assertEquals(Optional.of(text), EmbeddedText.find(withChunk(image, "iTXt", compressed), "parameters", "file"));
    }

    @Test
    void otherKeywordsAndOtherFormatsHoldNothing() {
        byte[] png = withChunk(TestImages.png(TestImages.noise(4, 3, 1)), "tEXt", join(latin1("parametersX"), new byte[] {0},
                latin1(PARAMETERS)));
        assertEquals(Optional.empty(), EmbeddedText.find(png, "parameters", "file"));
        assertEquals(Optional.empty(), EmbeddedText.find(TestImages.png(TestImages.noise(4, 3, 1)), "parameters", "file"));
        assertEquals(Optional.empty(), EmbeddedText.find(TestImages.jpeg(TestImages.noise(4, 3, 1), 0.9f), "parameters", "file"));
    }

    @Test
    void refusesWhatIsNotAnImage() {
        BadImageException e = assertThrows(BadImageException.class,
                () -> EmbeddedText.find(latin1("hello, world"), "parameters", "file"));
        assertTrue(e.getMessage().startsWith("file: not a PNG"), e.getMessage());
    }

    @Test
    void refusesBrokenAndOversizedCompressedText() {
        byte[] image = TestImages.png(TestImages.noise(4, 3, 1));
        byte[] garbage = join(latin1("parameters"), new byte[] {0, 0}, latin1("not zlib at all"));
        assertThrows(BadImageException.class,
                () -> EmbeddedText.find(withChunk(image, "zTXt", garbage), "parameters", "file"));

        byte[] zeros = new byte[EmbeddedText.MAX_TEXT_BYTES + 1];
        byte[] bomb = join(latin1("parameters"), new byte[] {0, 0}, deflate(zeros));
        BadImageException e = assertThrows(BadImageException.class,
                () -> EmbeddedText.find(withChunk(image, "zTXt", bomb), "parameters", "file"));
        assertTrue(e.getMessage().contains("once inflated"), e.getMessage());
    }

    @Test
    void aTruncatedFileYieldsWhatWasReadBeforeTheCut() {
        byte[] png = withChunk(TestImages.png(TestImages.noise(4, 3, 1)), "tEXt", join(latin1("parameters"), new byte[] {0},
                latin1(PARAMETERS)));
        // signature, IHDR chunk, the text chunk's length and type, then its data
        int textEnd = 8 + 25 + 8 + "parameters".length() + 1 + PARAMETERS.length();
        assertEquals(Optional.of(PARAMETERS), EmbeddedText.find(Arrays.copyOf(png, textEnd), "parameters", "file"));
        assertEquals(Optional.empty(), EmbeddedText.find(Arrays.copyOf(png, textEnd - 3), "parameters", "file"));
    }

    /** The PNG with the chunk inserted after IHDR, where encoders put text. */
    private static byte[] withChunk(byte[] png, String type, byte[] data) {
        byte[] chunk = TestImages.chunk(type, data);
        int afterIhdr = 8 + 8 + 13 + 4;
        ByteBuffer out = ByteBuffer.allocate(png.length + chunk.length);
        out.put(png, 0, afterIhdr).put(chunk).put(png, afterIhdr, png.length - afterIhdr);
        return out.array();
    }

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] deflate(byte[] data) {
        Deflater deflater = new Deflater();
        deflater.setInput(data);
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        return out.toByteArray();
    }

    private static byte[] join(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
