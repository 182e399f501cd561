package io.lamaserve.bench;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Loads image/mask pairs from a directory. Convention: every image {@code NAME.png} (or {@code .jpg},
 * {@code .jpeg}) has its mask next to it as {@code NAME_mask.png}; files ending in {@code _mask} are masks,
 * images without a mask are an error. Files are sent exactly as stored, not re-encoded.
 */
public final class InputDirectory {

    private static final String MASK_SUFFIX = "_mask";

    private InputDirectory() {
    }

    /** Reads all pairs in {@code dir}, sorted by name. */
    public static List<InputPair> load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("input directory does not exist: " + dir);
        }
        List<Path> images;
        try (Stream<Path> files = Files.list(dir)) {
            images = files.filter(Files::isRegularFile)
                    .filter(p -> mediaType(p) != null)
                    .filter(p -> !stem(p).endsWith(MASK_SUFFIX))
                    .sorted()
                    .toList();
        }
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no .png/.jpg images in " + dir);
        }
        List<InputPair> pairs = new ArrayList<>();
        for (Path imagePath : images) {
            Path maskPath = imagePath.resolveSibling(stem(imagePath) + MASK_SUFFIX + ".png");
            if (!Files.isRegularFile(maskPath)) {
                throw new IllegalArgumentException("image " + imagePath.getFileName() + " has no mask " + maskPath.getFileName());
            }
            byte[] image = Files.readAllBytes(imagePath);
            byte[] mask = Files.readAllBytes(maskPath);
            BufferedImage decodedImage = decode(imagePath, image);
            BufferedImage decodedMask = decode(maskPath, mask);
            if (decodedImage.getWidth() != decodedMask.getWidth() || decodedImage.getHeight() != decodedMask.getHeight()) {
                throw new IllegalArgumentException("mask " + maskPath.getFileName() + " is "
                        + decodedMask.getWidth() + "x" + decodedMask.getHeight() + " but image is "
                        + decodedImage.getWidth() + "x" + decodedImage.getHeight());
            }
            pairs.add(new InputPair(stem(imagePath), decodedImage.getWidth(), decodedImage.getHeight(),
                    image, mediaType(imagePath), mask));
        }
        return pairs;
    }

    private static BufferedImage decode(Path path, byte[] bytes) throws IOException {
        BufferedImage image = ImageIO.read(new java.io.ByteArrayInputStream(bytes));
        if (image == null) {
            throw new IllegalArgumentException("not a readable image: " + path);
        }
        return image;
    }

    private static String stem(Path path) {
        String name = path.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    private static String mediaType(Path path) {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".png")) {
            return "image/png";
        }
        if (name.endsWith(".jpg") || name.endsWith(".jpeg")) {
            return "image/jpeg";
        }
        return null;
    }
}
