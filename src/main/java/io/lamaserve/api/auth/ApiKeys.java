package io.lamaserve.api.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The accepted API keys, kept only as SHA-256 digests. A presented key is compared with every digest in constant
 * time and without stopping at the first match, so neither the response time nor an early exit tells an attacker
 * how much of a guess was right or which key matched. Hashing first also makes keys of different lengths take the
 * same time.
 */
public final class ApiKeys {

    private final List<byte[]> digests;

    /**
     * @param keys the accepted keys; blank entries are ignored
     * @throws IllegalArgumentException when no key is left
     */
    public ApiKeys(Collection<String> keys) {
        List<byte[]> accepted = new ArrayList<>();
        for (String key : keys) {
            if (key != null && !key.isBlank()) {
                accepted.add(sha256(key.strip()));
            }
        }
        if (accepted.isEmpty()) {
            throw new IllegalArgumentException("no API key configured");
        }
        this.digests = List.copyOf(accepted);
    }

    /** True when {@code presented} is one of the accepted keys; null or blank is never accepted. */
    public boolean accepts(String presented) {
        if (presented == null || presented.isBlank()) {
            return false;
        }
        byte[] candidate = sha256(presented.strip());
        boolean match = false;
        for (byte[] digest : digests) {
            // no short-circuit: every key is compared whatever the outcome
            match |= MessageDigest.isEqual(digest, candidate);
        }
        return match;
    }

    public int size() {
        return digests.size();
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
