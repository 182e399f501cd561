package io.lamaserve.api.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Maps request paths onto the files of one directory, and never onto anything outside it: dot segments, encoded
 * or not, are refused before the file system is asked, and a file that is a link to somewhere outside is not
 * found. Hidden files (names starting with a dot) are not served either.
 */
final class WebDirectory {

    static final String INDEX = "index.html";

    /** A request path this directory refuses to map: it tries to leave the directory or cannot name a file. */
    static final class RefusedPathException extends Exception {
        RefusedPathException(String message) {
            super(message);
        }
    }

    private final Path root;

    private WebDirectory(Path root) {
        this.root = root;
    }

    /**
     * @throws IllegalArgumentException when {@code dir} is not a readable directory, with a message for the operator
     */
    static WebDirectory of(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("lama.web.dir: " + dir.toAbsolutePath() + " is not a directory");
        }
        try {
            return new WebDirectory(dir.toRealPath());
        } catch (IOException e) {
            throw new IllegalArgumentException("lama.web.dir: " + dir.toAbsolutePath() + " cannot be read: " + e.getMessage(), e);
        }
    }

    Path root() {
        return root;
    }

    /**
     * The file a request path names (a directory's {@value #INDEX} for the directory), or empty when there is none.
     *
     * @param rawPath the path as it came in the request line, percent-encoded, without the query
     * @throws RefusedPathException for a path with a dot segment, a backslash, a NUL or a broken percent escape
     */
    Optional<Path> resolve(String rawPath) throws RefusedPathException {
        String path = PercentDecoding.decode(rawPath);
        if (!path.startsWith("/")) {
            throw new RefusedPathException("the path must start with /");
        }
        if (path.indexOf('\\') >= 0 || path.indexOf('\0') >= 0) {
            throw new RefusedPathException("the path holds a backslash or a NUL character");
        }
        StringBuilder relative = new StringBuilder();
        for (String segment : path.substring(1).split("/", -1)) {
            if (segment.equals("..") || segment.equals(".")) {
                throw new RefusedPathException("the path holds a \"" + segment + "\" segment");
            }
            if (segment.isEmpty()) {
                continue; // "//" and a trailing "/" name the same place as one "/"
            }
            if (segment.startsWith(".")) {
                return Optional.empty();
            }
            relative.append(relative.isEmpty() ? "" : "/").append(segment);
        }
        Path candidate;
        try {
            candidate = root.resolve(relative.toString()).normalize();
        } catch (InvalidPathException e) {
            throw new RefusedPathException("the path names no file: " + e.getReason());
        }
        if (Files.isDirectory(candidate)) {
            candidate = candidate.resolve(INDEX);
        }
        return inside(candidate);
    }

    /** The file as it really is on disk, links followed, if it is a regular file within the directory. */
    private Optional<Path> inside(Path candidate) {
        if (!candidate.startsWith(root) || !Files.isRegularFile(candidate)) {
            return Optional.empty();
        }
        try {
            Path real = candidate.toRealPath();
            return real.startsWith(root) && Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)
                    ? Optional.of(real) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
