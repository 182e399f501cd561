package io.lamaserve.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.random.RandomGenerator;

/**
 * Draws photo-like test images: a smooth two-colour gradient with low-frequency ripples, a handful of
 * shaded shapes, and per-pixel sensor-like noise. Flat synthetic images compress far better than photos;
 * the noise keeps PNG sizes (and so upload and decode cost) in a realistic range.
 */
public final class SyntheticImage {

    private static final double NOISE_SIGMA = 4.0;

    private SyntheticImage() {
    }

    /** Draws a {@code size} RGB image; the same generator state gives the same image. */
    public static BufferedImage draw(ImageSize size, RandomGenerator random) {
        BufferedImage image = new BufferedImage(size.width(), size.height(), BufferedImage.TYPE_INT_RGB);
        paintBackground(image, random);
        paintShapes(image, random);
        addNoise(image, random);
        return image;
    }

    private static void paintBackground(BufferedImage image, RandomGenerator random) {
        int width = image.getWidth();
        int height = image.getHeight();
        int[] pixels = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
        Color top = randomColor(random);
        Color bottom = randomColor(random);
        // Two slow ripples per channel stand in for lighting variation across a scene.
        double fx1 = (0.5 + random.nextDouble() * 2) * 2 * Math.PI / width;
        double fy1 = (0.5 + random.nextDouble() * 2) * 2 * Math.PI / height;
        double fx2 = (0.5 + random.nextDouble() * 3) * 2 * Math.PI / width;
        double phase = random.nextDouble() * 2 * Math.PI;
        for (int y = 0; y < height; y++) {
            double t = (double) y / Math.max(1, height - 1);
            double r0 = top.getRed() + t * (bottom.getRed() - top.getRed());
            double g0 = top.getGreen() + t * (bottom.getGreen() - top.getGreen());
            double b0 = top.getBlue() + t * (bottom.getBlue() - top.getBlue());
            double rowWave = Math.sin(fy1 * y + phase);
            for (int x = 0; x < width; x++) {
                double wave = 18 * Math.sin(fx1 * x) * rowWave + 10 * Math.cos(fx2 * x + phase);
                pixels[y * width + x] = rgb(r0 + wave, g0 + 0.7 * wave, b0 - 0.5 * wave);
            }
        }
    }

    private static void paintShapes(BufferedImage image, RandomGenerator random) {
        int width = image.getWidth();
        int height = image.getHeight();
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            int shapes = 6 + random.nextInt(8);
            for (int i = 0; i < shapes; i++) {
                double w = width * (0.05 + random.nextDouble() * 0.35);
                double h = height * (0.05 + random.nextDouble() * 0.35);
                double x = random.nextDouble() * (width - w);
                double y = random.nextDouble() * (height - h);
                g.setPaint(new GradientPaint((float) x, (float) y, randomColor(random),
                        (float) (x + w), (float) (y + h), randomColor(random)));
                switch (random.nextInt(3)) {
                    case 0 -> g.fill(new Ellipse2D.Double(x, y, w, h));
                    case 1 -> g.fill(new RoundRectangle2D.Double(x, y, w, h, w / 5, h / 5));
                    default -> g.fill(randomPolygon(x, y, w, h, random));
                }
                if (random.nextBoolean()) {
                    g.setColor(randomColor(random).darker());
                    g.setStroke(new BasicStroke((float) (1 + random.nextDouble() * 4)));
                    g.drawLine((int) x, (int) y, (int) (x + w), (int) (y + h * random.nextDouble()));
                }
            }
        } finally {
            g.dispose();
        }
    }

    private static Polygon randomPolygon(double x, double y, double w, double h, RandomGenerator random) {
        Polygon polygon = new Polygon();
        int corners = 3 + random.nextInt(4);
        for (int k = 0; k < corners; k++) {
            double angle = 2 * Math.PI * k / corners + random.nextDouble() * 0.5;
            polygon.addPoint((int) (x + w / 2 + Math.cos(angle) * w / 2), (int) (y + h / 2 + Math.sin(angle) * h / 2));
        }
        return polygon;
    }

    private static void addNoise(BufferedImage image, RandomGenerator random) {
        int[] pixels = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < pixels.length; i++) {
            int p = pixels[i];
            pixels[i] = rgb(((p >> 16) & 0xff) + random.nextGaussian() * NOISE_SIGMA,
                    ((p >> 8) & 0xff) + random.nextGaussian() * NOISE_SIGMA,
                    (p & 0xff) + random.nextGaussian() * NOISE_SIGMA);
        }
    }

    private static Color randomColor(RandomGenerator random) {
        return new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256));
    }

    private static int rgb(double r, double g, double b) {
        return (clamp(r) << 16) | (clamp(g) << 8) | clamp(b);
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }
}
