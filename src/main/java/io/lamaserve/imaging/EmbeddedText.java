package io.lamaserve.imaging;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Text an image file carries under a keyword: PNG's {@code tEXt}, {@code zTXt} and {@code iTXt} chunks, where
 * Stable Diffusion front ends store their generation parameters (keyword {@code parameters}). Other formats carry
 * no such text here.
 */
public final class EmbeddedText {

    /** Inflated text beyond this is not generation parameters but a decompression bomb. */
    static final int MAX_TEXT_BYTES = 1 << 20;

    private static final int TEXT = chunkType("tEXt");
    private static final int COMPRESSED_TEXT = chunkType("zTXt");
    private static final int INTERNATIONAL_TEXT = chunkType("iTXt");
    private static final int IEND = chunkType("IEND");

    private EmbeddedText() {
    }

    /**
     * The first text stored under {@code keyword}, or empty when the file has none.
     *
     * @param role what the file is to the client ("file", "image"), for messages
     * @throws BadImageException when the bytes are not an image of an accepted format, or its text cannot be read
     */
    public static Optional<String> find(byte[] file, String keyword, String role) {
        ImageFormat format = ImageFormat.sniff(file);
        if (format == null) {
            throw new BadImageException(role + ": not a " + ImageFormat.ACCEPTED + " file");
        }
        return format == ImageFormat.PNG ? inPng(file, keyword, role) : Optional.empty();
    }

    private static Optional<String> inPng(byte[] png, String keyword, String role) {
        byte[] wanted = keyword.getBytes(StandardCharsets.ISO_8859_1);
        int pos = 8; // after the signature
        while (pos + 8 <= png.length) {
            int length = readInt(png, pos);
            int type = readInt(png, pos + 4);
            int data = pos + 8;
            if (length < 0 || length > png.length - data) {
                // a truncated file: the text chunks read so far are all there is, as for a decoder that stops here
                return Optional.empty();
            }
            if (type == IEND) {
                return Optional.empty();
            }
            boolean text = type == TEXT || type == COMPRESSED_TEXT || type == INTERNATIONAL_TEXT;
            if (text && keywordMatches(png, data, length, wanted)) {
                return Optional.of(decode(png, type, data + wanted.length + 1, data + length, role, keyword));
            }
            pos = data + length + 4; // skip the CRC
        }
        return Optional.empty();
    }

    private static boolean keywordMatches(byte[] png, int data, int length, byte[] keyword) {
        if (length <= keyword.length || png[data + keyword.length] != 0) {
            return false;
        }
        for (int i = 0; i < keyword.length; i++) {
            if (png[data + i] != keyword[i]) {
                return false;
            }
        }
        return true;
    }

    /** The text after the keyword's NUL, from {@code from} to {@code end}, per the chunk type's layout. */
    private static String decode(byte[] png, int type, int from, int end, String role, String keyword) {
        if (type == TEXT) {
            return new String(png, from, end - from, StandardCharsets.ISO_8859_1);
        }
        if (type == COMPRESSED_TEXT) {
            // one byte of compression method (0 = zlib), then the compressed Latin-1 text
            return new String(inflate(png, from + 1, end, role, keyword), StandardCharsets.ISO_8859_1);
        }
        // iTXt: compression flag, compression method, language tag NUL, translated keyword NUL, UTF-8 text
        if (end - from < 2) {
            throw new BadImageException(role + ": its \"" + keyword + "\" text chunk is cut short");
        }
        boolean compressed = png[from] != 0;
        int pos = skipPastNul(png, from + 2, end, role, keyword);
        pos = skipPastNul(png, pos, end, role, keyword);
        return compressed
                ? new String(inflate(png, pos, end, role, keyword), StandardCharsets.UTF_8)
                : new String(png, pos, end - pos, StandardCharsets.UTF_8);
    }

    private static int skipPastNul(byte[] png, int from, int end, String role, String keyword) {
        for (int i = from; i < end; i++) {
            if (png[i] == 0) {
                return i + 1;
            }
        }
        throw new BadImageException(role + ": its \"" + keyword + "\" text chunk is cut short");
    }

    private static byte[] inflate(byte[] png, int from, int end, String role, String keyword) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(png, from, end - from);
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new BadImageException(role + ": its \"" + keyword + "\" text chunk is cut short");
                }
                text.write(buffer, 0, n);
                if (text.size() > MAX_TEXT_BYTES) {
                    throw new BadImageException(role + ": its \"" + keyword + "\" text is over "
                            + MAX_TEXT_BYTES + " bytes once inflated");
                }
            }
            return text.toByteArray();
        } catch (DataFormatException e) {
            throw new BadImageException(role + ": its \"" + keyword + "\" text chunk is not valid zlib data", e);
        } finally {
            inflater.end();
        }
    }

    private static int readInt(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }

    private static int chunkType(String name) {
        byte[] b = name.getBytes(StandardCharsets.US_ASCII);
        return readInt(b, 0);
    }
}
