package io.lamaserve.api;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A {@code multipart/form-data} body (RFC 7578) split into its parts, in memory. The binary endpoint reads the body
 * as one array and parses it here rather than letting the REST layer spool each file part to a temporary file and
 * read it back: for a 650 KB upload that round trip through the file system was most of the request's receive
 * time. A part's bytes are copied out once, when asked for.
 */
final class FormParts {

    /** A form field's name, the file name the client gave (or null), its media type (or null) and where its bytes are. */
    record Part(String name, String fileName, String mediaType, byte[] body, int offset, int length) {

        byte[] bytes() {
            return Arrays.copyOfRange(body, offset, offset + length);
        }

        String text() {
            return new String(body, offset, length, StandardCharsets.UTF_8);
        }
    }

    /** Headers of one part end within this many bytes; real clients send a few hundred. */
    private static final int MAX_PART_HEADER_BYTES = 8192;
    private static final int MAX_PARTS = 64;
    private static final byte[] CRLF = {'\r', '\n'};
    /** After a delimiter: the form ends here. */
    private static final byte[] CLOSE = {'-', '-'};
    private static final byte[] HEADERS_END = {'\r', '\n', '\r', '\n'};

    private final Map<String, Part> parts;

    private FormParts(Map<String, Part> parts) {
        this.parts = parts;
    }

    /** The part named {@code name}, or null if the form has none. */
    Part part(String name) {
        return parts.get(name);
    }

    /**
     * @param contentType the request's Content-Type header, which carries the boundary
     * @param body        the whole request body
     * @throws BadRequestException when the header has no boundary, or the body is not a well-formed form
     */
    static FormParts parse(String contentType, byte[] body) {
        byte[] delimiter = ("\r\n--" + boundary(contentType)).getBytes(StandardCharsets.ISO_8859_1);
        // the first delimiter may start the body, without the CRLF that precedes every later one
        int pos;
        if (startsWith(body, 0, delimiter, 2)) {
            pos = delimiter.length - 2;
        } else {
            int at = indexOf(body, delimiter, 0);
            if (at < 0) {
                throw new BadRequestException("multipart body: the boundary from Content-Type never occurs in the body");
            }
            pos = at + delimiter.length;
        }
        Map<String, Part> parts = new LinkedHashMap<>();
        while (true) {
            if (startsWith(body, pos, CLOSE, 0)) {
                return new FormParts(parts);
            }
            pos = skipLinearWhitespace(body, pos);
            if (!startsWith(body, pos, CRLF, 0)) {
                throw new BadRequestException("multipart body: a boundary line is not followed by a line break");
            }
            // from the line break just read, so that a part without headers (blank line at once) is seen as such
            int headersEnd = indexOf(body, HEADERS_END, pos);
            pos += 2;
            if (headersEnd < 0 || headersEnd - pos > MAX_PART_HEADER_BYTES) {
                throw new BadRequestException("multipart body: a part's headers do not end within "
                        + MAX_PART_HEADER_BYTES + " bytes");
            }
            String headers = headersEnd < pos ? "" : new String(body, pos, headersEnd - pos, StandardCharsets.UTF_8);
            int content = headersEnd + HEADERS_END.length;
            int next = indexOf(body, delimiter, content);
            if (next < 0) {
                throw new BadRequestException("multipart body ends before its closing boundary");
            }
            Part part = part(headers, body, content, next - content);
            if (parts.putIfAbsent(part.name(), part) != null) {
                throw new BadRequestException("multipart part \"" + part.name() + "\" is sent more than once");
            }
            if (parts.size() > MAX_PARTS) {
                throw new BadRequestException("multipart body has more than " + MAX_PARTS + " parts");
            }
            pos = next + delimiter.length;
        }
    }

    private static Part part(String headers, byte[] body, int offset, int length) {
        String disposition = null;
        String mediaType = null;
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String field = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            if (field.equals("content-disposition")) {
                disposition = value;
            } else if (field.equals("content-type")) {
                mediaType = value;
            }
        }
        if (disposition == null || !disposition.toLowerCase(Locale.ROOT).startsWith("form-data")) {
            throw new BadRequestException("multipart body: a part has no \"Content-Disposition: form-data\" header");
        }
        String name = parameter(disposition, "name");
        if (name == null || name.isEmpty()) {
            throw new BadRequestException("multipart body: a part's Content-Disposition has no name");
        }
        return new Part(name, parameter(disposition, "filename"), mediaType, body, offset, length);
    }

    /** The boundary parameter of a {@code multipart/form-data} media type. */
    static String boundary(String contentType) {
        if (contentType == null || !contentType.strip().toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            throw new BadRequestException("expected Content-Type multipart/form-data, got " + contentType);
        }
        String boundary = parameter(contentType, "boundary");
        // RFC 2046: 1 to 70 characters
        if (boundary == null || boundary.isEmpty() || boundary.length() > 70) {
            throw new BadRequestException("Content-Type multipart/form-data needs a boundary parameter of 1 to 70 characters");
        }
        return boundary;
    }

    /**
     * The value of {@code ;name=value} in a header, unquoted; null if absent. Parameter names match
     * case-insensitively; a quoted value may contain {@code ;} and backslash-escaped characters.
     */
    static String parameter(String header, String name) {
        int i = header.indexOf(';');
        while (i >= 0 && i < header.length()) {
            i++;
            int eq = header.indexOf('=', i);
            int semi = header.indexOf(';', i);
            if (eq < 0 || (semi >= 0 && semi < eq)) {
                i = semi;
                continue;
            }
            String key = header.substring(i, eq).strip();
            int v = eq + 1;
            String value;
            int end;
            if (v < header.length() && header.charAt(v) == '"') {
                StringBuilder quoted = new StringBuilder();
                end = v + 1;
                while (end < header.length() && header.charAt(end) != '"') {
                    char ch = header.charAt(end);
                    if (ch == '\\' && end + 1 < header.length()) {
                        ch = header.charAt(++end);
                    }
                    quoted.append(ch);
                    end++;
                }
                value = quoted.toString();
                end = header.indexOf(';', end);
            } else {
                end = header.indexOf(';', v);
                value = (end < 0 ? header.substring(v) : header.substring(v, end)).strip();
            }
            if (key.equalsIgnoreCase(name)) {
                return value;
            }
            i = end;
        }
        return null;
    }

    private static int skipLinearWhitespace(byte[] body, int pos) {
        while (pos < body.length && (body[pos] == ' ' || body[pos] == '\t')) {
            pos++;
        }
        return pos;
    }

    private static boolean startsWith(byte[] body, int pos, byte[] prefix, int from) {
        int n = prefix.length - from;
        if (pos < 0 || pos + n > body.length) {
            return false;
        }
        for (int k = 0; k < n; k++) {
            if (body[pos + k] != prefix[from + k]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Where {@code needle} first occurs in {@code haystack} at or after {@code from}, or -1. Boyer-Moore-Horspool:
     * the part delimiter is tens of bytes long, so the search steps over most of an image's bytes instead of
     * looking at each one.
     */
    static int indexOf(byte[] haystack, byte[] needle, int from) {
        int last = needle.length - 1;
        // how far the window may move when its last byte is b: from b's last place in the needle (before its end)
        int[] shift = new int[256];
        Arrays.fill(shift, needle.length);
        for (int k = 0; k < last; k++) {
            shift[needle[k] & 0xFF] = last - k;
        }
        int end = haystack.length - needle.length;
        for (int i = Math.max(0, from); i <= end; i += shift[haystack[i + last] & 0xFF]) {
            int k = last;
            while (k >= 0 && haystack[i + k] == needle[k]) {
                k--;
            }
            if (k < 0) {
                return i;
            }
        }
        return -1;
    }
}
