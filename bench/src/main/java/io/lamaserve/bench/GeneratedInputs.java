package io.lamaserve.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The built-in input set: for every requested size, {@code masksPerSize} pairs of a synthetic photo-like
 * image and a brush-stroke mask, alternating thick and thin strokes. Everything derives from one seed, so two
 * runs with the same seed send byte-identical requests.
 */
public final class GeneratedInputs {

    private GeneratedInputs() {
    }

    /** Draws and PNG-encodes the set; the work happens here, before any request is timed. */
    public static List<InputPair> create(List<ImageSize> sizes, int masksPerSize, long seed) {
        if (masksPerSize < 1) {
            throw new IllegalArgumentException("masks per size must be at least 1, got " + masksPerSize);
        }
        Random random = new Random(seed);
        List<InputPair> pairs = new ArrayList<>();
        for (ImageSize size : sizes) {
            byte[] image = ImageFiles.png(SyntheticImage.draw(size, random));
            for (int i = 0; i < masksPerSize; i++) {
                MaskStyle style = i % 2 == 0 ? MaskStyle.THICK : MaskStyle.THIN;
                byte[] mask = ImageFiles.png(StrokeMaskGenerator.draw(size, style, random));
                String name = size + "-" + style.name() + "-" + i;
                pairs.add(new InputPair(name, size.width(), size.height(), image, "image/png", mask));
            }
        }
        return pairs;
    }
}
