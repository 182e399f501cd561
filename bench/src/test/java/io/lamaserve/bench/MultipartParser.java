package io.lamaserve.bench;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A strict reader of multipart/form-data bodies, used by the fake server to check what the client sent. */
final class MultipartParser {

    /** One part: its disposition fields, content type and bytes. */
    record Part(String name, String fileName, String contentType, byte[] content) {
    }

    private static final Pattern NAME = Pattern.compile("name=\"([^\"]*)\"");
    private static final Pattern FILE_NAME = Pattern.compile("filename=\"([^\"]*)\"");

    private MultipartParser() {
    }

    /** Parts by name; throws if the body does not follow RFC 7578 framing. */
    static Map<String, Part> parse(String contentType, byte[] body) {
        if (contentType == null || !contentType.startsWith("multipart/form-data; boundary=")) {
            throw new IllegalArgumentException("not multipart: " + contentType);
        }
        String boundary = contentType.substring(contentType.indexOf('=') + 1);
        // ISO-8859-1 maps every byte to one char and back, so binary content survives.
        String text = new String(body, StandardCharsets.ISO_8859_1);
        String delimiter = "--" + boundary;
        if (!text.startsWith(delimiter + "\r\n") || !text.endsWith("\r\n" + delimiter + "--\r\n")) {
            throw new IllegalArgumentException("bad multipart framing");
        }
        String inner = text.substring(delimiter.length() + 2, text.length() - (delimiter.length() + 6));
        Map<String, Part> parts = new LinkedHashMap<>();
        for (String chunk : inner.split(Pattern.quote("\r\n" + delimiter + "\r\n"), -1)) {
            int headerEnd = chunk.indexOf("\r\n\r\n");
            if (headerEnd < 0) {
                throw new IllegalArgumentException("part without header block");
            }
            String headers = chunk.substring(0, headerEnd);
            String disposition = null;
            String type = null;
            for (String line : headers.split("\r\n")) {
                String lower = line.toLowerCase();
                if (lower.startsWith("content-disposition: form-data;")) {
                    disposition = line;
                } else if (lower.startsWith("content-type: ")) {
                    type = line.substring("content-type: ".length());
                } else {
                    throw new IllegalArgumentException("unexpected part header: " + line);
                }
            }
            if (disposition == null) {
                throw new IllegalArgumentException("part without Content-Disposition");
            }
            Matcher name = NAME.matcher(disposition);
            if (!name.find()) {
                throw new IllegalArgumentException("part without name");
            }
            Matcher fileName = FILE_NAME.matcher(disposition);
            byte[] content = chunk.substring(headerEnd + 4).getBytes(StandardCharsets.ISO_8859_1);
            parts.put(name.group(1), new Part(name.group(1), fileName.find() ? fileName.group(1) : null, type, content));
        }
        return parts;
    }
}
