package io.lamaserve.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** SHA-256 as lower-case hex: the identity of a model file. */
public final class Sha256 {

    private static final Pattern HEX_64 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final int BUFFER = 1 << 20;

    private Sha256() {
    }

    /** A fresh digest; SHA-256 is mandatory in every JDK, so its absence is a broken runtime. */
    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    public static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The whole file's hash. */
    public static String of(Path file) throws IOException {
        MessageDigest digest = newDigest();
        update(digest, file, Long.MAX_VALUE);
        return hex(digest);
    }

    /** Feeds the first {@code length} bytes of {@code file} (or all of it, if shorter) into {@code digest}. */
    public static void update(MessageDigest digest, Path file, long length) throws IOException {
        byte[] buffer = new byte[BUFFER];
        long remaining = length;
        try (InputStream in = Files.newInputStream(file)) {
            int read;
            while (remaining > 0 && (read = in.read(buffer, 0, (int) Math.min(buffer.length, remaining))) > 0) {
                digest.update(buffer, 0, read);
                remaining -= read;
            }
        }
    }

    /** Whether {@code text} is a SHA-256 written as 64 hex digits. */
    public static boolean isHex(String text) {
        return text != null && HEX_64.matcher(text).matches();
    }
}
