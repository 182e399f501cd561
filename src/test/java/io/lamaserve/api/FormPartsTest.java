package io.lamaserve.api;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FormPartsTest {

    private static final String TYPE = "multipart/form-data; boundary=XyZ";

    @Test
    void partsComeBackByteForByte() {
        Random random = new Random(4);
        for (int round = 0; round < 200; round++) {
            // binary content that contains CRs, LFs and dashes, and sometimes a near-copy of the delimiter
            byte[] image = new byte[random.nextInt(5000)];
            random.nextBytes(image);
            if (image.length > 20 && round % 3 == 0) {
                System.arraycopy("\r\n--XyY".getBytes(StandardCharsets.ISO_8859_1), 0, image, 7, 7);
            }
            byte[] mask = new byte[random.nextInt(3)];
            random.nextBytes(mask);
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if (round % 2 == 0) {
                write(body, "a preamble that clients may send\r\n");
            }
            write(body, "--XyZ\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a;b.png\"\r\n"
                    + "Content-Type: image/png\r\n\r\n");
            body.writeBytes(image);
            write(body, "\r\n--XyZ\r\ncontent-disposition: form-data; name=mask\r\n\r\n");
            body.writeBytes(mask);
            write(body, "\r\n--XyZ\r\nContent-Disposition: form-data; name=\"quality\"\r\n\r\n80\r\n--XyZ--\r\nepilogue");

            FormParts form = FormParts.parse(TYPE, body.toByteArray());
            assertArrayEquals(image, form.part("image").bytes());
            assertEquals("a;b.png", form.part("image").fileName());
            assertEquals("image/png", form.part("image").mediaType());
            assertArrayEquals(mask, form.part("mask").bytes());
            assertNull(form.part("mask").fileName());
            assertEquals("80", form.part("quality").text());
            assertNull(form.part("format"));
        }
    }

    @Test
    void boundaryFromTheContentType() {
        assertEquals("a b", FormParts.boundary("Multipart/Form-Data; charset=utf-8; BOUNDARY=\"a b\""));
        assertEquals("simple", FormParts.boundary("multipart/form-data;boundary=simple"));
        assertTrue(assertThrows(BadRequestException.class, () -> FormParts.boundary("multipart/form-data"))
                .getMessage().contains("boundary"));
        assertTrue(assertThrows(BadRequestException.class, () -> FormParts.boundary("application/json"))
                .getMessage().contains("multipart/form-data"));
        assertEquals("x\"y", FormParts.parameter("form-data; name=\"x\\\"y\"", "name"));
    }

    @Test
    void malformedBodiesAreRefusedWithWhatIsWrong() {
        assertMessage("never occurs", "no boundary here");
        assertMessage("closing boundary", "--XyZ\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\nabc");
        assertMessage("headers do not end", "--XyZ\r\nContent-Disposition: form-data; name=\"image\"");
        assertMessage("Content-Disposition", "--XyZ\r\nContent-Type: image/png\r\n\r\nabc\r\n--XyZ--");
        assertMessage("Content-Disposition", "--XyZ\r\n\r\nabc\r\n--XyZ--");
        assertMessage("no name", "--XyZ\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\nabc\r\n--XyZ--");
        assertMessage("more than once", "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n"
                + "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n2\r\n--XyZ--");
        assertMessage("line break", "--XyZjunk\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ--");
    }

    @Test
    void arbitraryBytesFailOnlyWithABadRequest() {
        Random random = new Random(11);
        String[] pieces = {"--XyZ", "\r\n", "--", "Content-Disposition: form-data; name=", "\"image\"", ";", "x", "\r\n\r\n"};
        for (int round = 0; round < 5000; round++) {
            StringBuilder body = new StringBuilder();
            for (int k = random.nextInt(12); k > 0; k--) {
                body.append(pieces[random.nextInt(pieces.length)]);
            }
            try {
                FormParts form = FormParts.parse(TYPE, body.toString().getBytes(StandardCharsets.ISO_8859_1));
                FormParts.Part image = form.part("image");
                if (image != null) {
                    assertTrue(image.bytes().length <= body.length());
                }
            } catch (BadRequestException expected) {
                // the designed outcome: a 400 that says what was wrong
            }
        }
    }

    private static void assertMessage(String expected, String body) {
        BadRequestException e = assertThrows(BadRequestException.class,
                () -> FormParts.parse(TYPE, body.getBytes(StandardCharsets.ISO_8859_1)));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static void write(ByteArrayOutputStream out, String text) {
        out.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The plain search the fast one must agree with. */
    private static int naiveIndexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i <= haystack.length - needle.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (haystack[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void theSearchFindsWhatAPlainSearchFinds() {
        Random random = new Random(11);
        for (int round = 0; round < 2000; round++) {
            // a small alphabet makes near-misses and overlapping candidates common
            int alphabet = 2 + random.nextInt(4);
            byte[] needle = new byte[1 + random.nextInt(8)];
            for (int k = 0; k < needle.length; k++) {
                needle[k] = (byte) ('a' + random.nextInt(alphabet));
            }
            byte[] haystack = new byte[random.nextInt(64)];
            for (int k = 0; k < haystack.length; k++) {
                haystack[k] = (byte) ('a' + random.nextInt(alphabet));
            }
            int from = random.nextInt(haystack.length + 2) - 1;
            assertEquals(naiveIndexOf(haystack, needle, from), FormParts.indexOf(haystack, needle, from),
                    () -> new String(needle, StandardCharsets.ISO_8859_1) + " in "
                            + new String(haystack, StandardCharsets.ISO_8859_1) + " from " + from);
        }
        byte[] delimiter = "\r\n--boundary".getBytes(StandardCharsets.ISO_8859_1);
        byte[] body = new byte[100_000];
        new Random(3).nextBytes(body);
        System.arraycopy(delimiter, 0, body, 99_000, delimiter.length);
        assertEquals(naiveIndexOf(body, delimiter, 0), FormParts.indexOf(body, delimiter, 0));
        assertEquals(-1, FormParts.indexOf(body, delimiter, 99_001));
    }
}
