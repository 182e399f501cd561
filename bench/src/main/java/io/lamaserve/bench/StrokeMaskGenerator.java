package io.lamaserve.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.random.RandomGenerator;

/**
 * Draws binary inpainting masks (0 = keep, 255 = fill) as chains of round-capped brush strokes, the way
 * LaMa's random irregular mask generator does: each chain starts at a random point and takes 1-5 segments
 * with a random heading, length and brush width; alternate chains turn the other way.
 */
public final class StrokeMaskGenerator {

    private static final int MAX_ATTEMPTS = 20;
    private static final int MAX_ANGLE = 4;
    private static final double REFERENCE_SIDE = 512.0;

    private StrokeMaskGenerator() {
    }

    /**
     * Draws a mask for an image of {@code size}. Draws that cover nothing or more than
     * {@link MaskStyle#MAX_AREA} are redrawn (a few times, then the last draw is trimmed to one stroke chain).
     */
    public static BufferedImage draw(ImageSize size, MaskStyle style, RandomGenerator random) {
        BufferedImage mask = null;
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            mask = random.nextDouble() < style.boxProbability()
                    ? drawBoxes(size, random)
                    : drawStrokes(size, style, random, style.minStrokes()
                            + random.nextInt(style.maxStrokes() - style.minStrokes() + 1));
            double area = coverage(mask);
            if (area > 0 && area <= MaskStyle.MAX_AREA) {
                return mask;
            }
        }
        // Pathological sizes (tiny images): fall back to a single chain, still non-empty.
        return drawStrokes(size, style, random, 1);
    }

    /** Fraction of mask pixels that are set (non-zero). */
    public static double coverage(BufferedImage mask) {
        byte[] data = ((DataBufferByte) mask.getRaster().getDataBuffer()).getData();
        long set = 0;
        for (byte b : data) {
            if (b != 0) {
                set++;
            }
        }
        return (double) set / data.length;
    }

    private static BufferedImage drawStrokes(ImageSize size, MaskStyle style, RandomGenerator random, int chains) {
        double scale = Math.min(size.width(), size.height()) / REFERENCE_SIDE;
        BufferedImage mask = new BufferedImage(size.width(), size.height(), BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = fillGraphics(mask);
        try {
            for (int chain = 0; chain < chains; chain++) {
                double x = random.nextInt(size.width());
                double y = random.nextInt(size.height());
                int segments = 1 + random.nextInt(5);
                for (int s = 0; s < segments; s++) {
                    // Headings are whole radians plus 0.01, as in LaMa's generator.
                    double angle = 0.01 + random.nextInt(MAX_ANGLE);
                    if (chain % 2 == 0) {
                        angle = 2 * Math.PI - angle;
                    }
                    double length = (10 + random.nextInt(style.maxLength())) * scale;
                    float brush = (float) Math.max(1, (5 + random.nextInt(style.maxWidth())) * scale);
                    double endX = clamp(x + length * Math.cos(angle), size.width());
                    double endY = clamp(y + length * Math.sin(angle), size.height());
                    g.setStroke(new BasicStroke(brush, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                    g.drawLine((int) x, (int) y, (int) endX, (int) endY);
                    x = endX;
                    y = endY;
                }
            }
        } finally {
            g.dispose();
        }
        return mask;
    }

    private static BufferedImage drawBoxes(ImageSize size, RandomGenerator random) {
        double scale = Math.min(size.width(), size.height()) / REFERENCE_SIDE;
        int minSide = Math.max(1, (int) (30 * scale));
        int maxSide = Math.max(minSide + 1, (int) (300 * scale));
        BufferedImage mask = new BufferedImage(size.width(), size.height(), BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = fillGraphics(mask);
        try {
            int boxes = 1 + random.nextInt(4);
            for (int i = 0; i < boxes; i++) {
                int w = Math.min(size.width(), minSide + random.nextInt(maxSide - minSide));
                int h = Math.min(size.height(), minSide + random.nextInt(maxSide - minSide));
                int x = random.nextInt(size.width() - w + 1);
                int y = random.nextInt(size.height() - h + 1);
                g.fillRect(x, y, w, h);
            }
        } finally {
            g.dispose();
        }
        return mask;
    }

    private static Graphics2D fillGraphics(BufferedImage mask) {
        Graphics2D g = mask.createGraphics();
        // Masks must stay strictly binary: no anti-aliased grey edges.
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
        g.setColor(Color.WHITE);
        return g;
    }

    private static double clamp(double value, int limit) {
        return Math.max(0, Math.min(limit - 1, value));
    }
}
