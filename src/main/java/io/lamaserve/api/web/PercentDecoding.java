package io.lamaserve.api.web;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict percent-decoding of a URL path (RFC 3986): every {@code %XX} becomes its byte, the bytes are read as
 * UTF-8, and a broken escape or invalid UTF-8 is an error rather than passed on (unlike URLDecoder, {@code +}
 * stays a plus: that rule belongs to form bodies, not paths).
 */
final class PercentDecoding {

    private PercentDecoding() {
    }

    static String decode(String raw) throws WebDirectory.RefusedPathException {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '%') {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            int high = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
            int low = high < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
            if (low < 0) {
                throw new WebDirectory.RefusedPathException("the path holds a broken percent escape at character " + i);
            }
            bytes.write(high * 16 + low);
            i += 2;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new WebDirectory.RefusedPathException("the path's percent escapes are not UTF-8");
        }
    }
}
