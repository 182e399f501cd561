package io.lamaserve.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds a {@code multipart/form-data} body (RFC 7578) with file and text parts. */
public final class MultipartBody {

    private final String boundary;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** A body whose parts are separated by {@code boundary}; it must not occur inside any part. */
    public MultipartBody(String boundary) {
        this.boundary = boundary;
    }

    /** Adds a file part. */
    public MultipartBody file(String name, String fileName, String mediaType, byte[] content) {
        writeAscii("--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"" + name + "\"; filename=\"" + fileName + "\"\r\n"
                + "Content-Type: " + mediaType + "\r\n\r\n");
        out.writeBytes(content);
        writeAscii("\r\n");
        return this;
    }

    /** Adds a plain text field. */
    public MultipartBody field(String name, String value) {
        writeAscii("--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"" + name + "\"\r\n\r\n");
        out.writeBytes(value.getBytes(StandardCharsets.UTF_8));
        writeAscii("\r\n");
        return this;
    }

    /** Content-Type header value for this body. */
    public String contentType() {
        return "multipart/form-data; boundary=" + boundary;
    }

    /** Closes the body and returns its bytes. */
    public byte[] finish() {
        writeAscii("--" + boundary + "--\r\n");
        return out.toByteArray();
    }

    private void writeAscii(String text) {
        out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
    }
}
