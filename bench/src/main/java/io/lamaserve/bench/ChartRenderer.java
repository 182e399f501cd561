package io.lamaserve.bench;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Draws result charts with Java2D (headless): for each load mode present, a row with two panels,
 * throughput against load and p99 latency against load, one line per run, overlaid. Load is concurrency
 * for closed-loop steps and offered request rate for open-loop steps; a wide load range uses a log2 axis.
 */
public final class ChartRenderer {

    static final int PANEL_WIDTH = 640;
    static final int PANEL_HEIGHT = 430;
    private static final int TITLE_HEIGHT = 36;
    private static final int LEFT = 78;
    private static final int RIGHT = 22;
    private static final int TOP = 34;
    private static final int BOTTOM = 56;
    private static final Color[] PALETTE = {
            new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
            new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf)};

    private ChartRenderer() {
    }

    /** Colour of the i-th run's line. */
    static Color colour(int runIndex) {
        return PALETTE[runIndex % PALETTE.length];
    }

    /** Renders {@code runs} into a PNG at {@code file}. */
    public static void write(List<RunResult> runs, String title, Path file) throws IOException {
        BufferedImage image = render(runs, title);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer available");
        }
    }

    /** Renders {@code runs} into an image. */
    public static BufferedImage render(List<RunResult> runs, String title) {
        List<String> modes = new ArrayList<>();
        for (String mode : List.of(StepResult.CLOSED, StepResult.OPEN)) {
            if (runs.stream().anyMatch(r -> !r.steps(mode).isEmpty())) {
                modes.add(mode);
            }
        }
        if (modes.isEmpty()) {
            throw new IllegalArgumentException("no steps to chart");
        }
        BufferedImage image = new BufferedImage(2 * PANEL_WIDTH, TITLE_HEIGHT + modes.size() * PANEL_HEIGHT,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            g.drawString(title, LEFT, 24);
            for (int row = 0; row < modes.size(); row++) {
                String mode = modes.get(row);
                String xLabel = mode.equals(StepResult.CLOSED) ? "concurrency (clients)" : "offered rate (req/s)";
                int y = TITLE_HEIGHT + row * PANEL_HEIGHT;
                drawPanel(g, 0, y, runs, mode, "Throughput, " + mode + " loop", xLabel, "images/s",
                        StepResult::throughput);
                drawPanel(g, PANEL_WIDTH, y, runs, mode, "p99 latency, " + mode + " loop", xLabel, "ms",
                        StepResult::p99Ms);
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    private static void drawPanel(Graphics2D g, int originX, int originY, List<RunResult> runs, String mode,
                                  String title, String xLabel, String yLabel, Function<StepResult, Double> metric) {
        int plotX = originX + LEFT;
        int plotY = originY + TOP;
        int plotW = PANEL_WIDTH - LEFT - RIGHT;
        int plotH = PANEL_HEIGHT - TOP - BOTTOM;

        TreeSet<Double> loads = new TreeSet<>();
        double yMax = 0;
        for (RunResult run : runs) {
            for (StepResult step : run.steps(mode)) {
                loads.add(step.load());
                Double value = metric.apply(step);
                if (value != null) {
                    yMax = Math.max(yMax, value);
                }
            }
        }
        Axis xAxis = Axis.forLoads(loads);
        double yTop = niceCeiling(yMax);

        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.setColor(Color.BLACK);
        g.drawString(title, plotX, originY + 20);

        // Grid and y ticks
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        FontMetrics fm = g.getFontMetrics();
        for (int i = 0; i <= 5; i++) {
            double value = yTop * i / 5;
            int py = plotY + plotH - (int) Math.round(plotH * value / yTop);
            g.setColor(new Color(0xe6e6e6));
            g.drawLine(plotX, py, plotX + plotW, py);
            g.setColor(Color.DARK_GRAY);
            String text = format(value);
            g.drawString(text, plotX - 6 - fm.stringWidth(text), py + fm.getAscent() / 2 - 1);
        }
        // x ticks: one per load level, skipping labels that would overlap
        int lastLabelEnd = Integer.MIN_VALUE;
        for (double load : loads) {
            int px = plotX + (int) Math.round(plotW * xAxis.position(load));
            g.setColor(new Color(0xe6e6e6));
            g.drawLine(px, plotY, px, plotY + plotH);
            String text = format(load);
            int textX = px - fm.stringWidth(text) / 2;
            if (textX > lastLabelEnd + 4) {
                g.setColor(Color.DARK_GRAY);
                g.drawString(text, textX, plotY + plotH + fm.getAscent() + 4);
                lastLabelEnd = textX + fm.stringWidth(text);
            }
        }
        g.setColor(Color.BLACK);
        g.drawRect(plotX, plotY, plotW, plotH);

        // Axis labels
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        fm = g.getFontMetrics();
        String xText = xLabel + (xAxis.logarithmic() ? ", log scale" : "");
        g.drawString(xText, plotX + (plotW - fm.stringWidth(xText)) / 2, plotY + plotH + 36);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2, originX + 18, plotY + plotH / 2.0);
        g.drawString(yLabel, originX + 18 - fm.stringWidth(yLabel) / 2, plotY + plotH / 2 + 4);
        g.setTransform(saved);

        // One line per run
        for (int r = 0; r < runs.size(); r++) {
            Path2D.Double line = new Path2D.Double();
            boolean started = false;
            List<int[]> points = new ArrayList<>();
            for (StepResult step : sortedByLoad(runs.get(r).steps(mode))) {
                Double value = metric.apply(step);
                if (value == null) {
                    continue; // no successful request, no latency to draw
                }
                double px = plotX + plotW * xAxis.position(step.load());
                double py = plotY + plotH - plotH * value / yTop;
                if (started) {
                    line.lineTo(px, py);
                } else {
                    line.moveTo(px, py);
                    started = true;
                }
                points.add(new int[]{(int) Math.round(px), (int) Math.round(py)});
            }
            g.setColor(colour(r));
            g.setStroke(new BasicStroke(2.2f));
            g.draw(line);
            for (int[] p : points) {
                g.fillOval(p[0] - 4, p[1] - 4, 8, 8);
            }
            g.setStroke(new BasicStroke(1f));
        }
        drawLegend(g, runs, plotX + 10, plotY + 10);
    }

    private static void drawLegend(Graphics2D g, List<RunResult> runs, int x, int y) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        int width = runs.stream().mapToInt(r -> fm.stringWidth(r.label())).max().orElse(0) + 40;
        int height = runs.size() * 18 + 8;
        g.setColor(new Color(255, 255, 255, 220));
        g.fillRect(x, y, width, height);
        g.setColor(Color.GRAY);
        g.drawRect(x, y, width, height);
        for (int r = 0; r < runs.size(); r++) {
            int rowY = y + 16 + r * 18;
            g.setColor(colour(r));
            g.setStroke(new BasicStroke(2.2f));
            g.drawLine(x + 6, rowY - 4, x + 26, rowY - 4);
            g.setStroke(new BasicStroke(1f));
            g.setColor(Color.BLACK);
            g.drawString(runs.get(r).label(), x + 32, rowY);
        }
    }

    private static List<StepResult> sortedByLoad(List<StepResult> steps) {
        return steps.stream().sorted((a, b) -> Double.compare(a.load(), b.load())).toList();
    }

    /** Smallest 1/2/5 x 10^k at or above {@code value} (at least 1). */
    static double niceCeiling(double value) {
        if (!(value > 0)) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[]{1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= value) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String format(double value) {
        if (value == Math.rint(value)) {
            return Long.toString((long) value);
        }
        return String.format(Locale.ROOT, value < 10 ? "%.2f" : "%.1f", value);
    }

    /** Maps a load level to [0, 1] across the plot width. */
    private record Axis(double min, double max, boolean logarithmic) {

        static Axis forLoads(TreeSet<Double> loads) {
            double min = loads.first();
            double max = loads.last();
            boolean log = min > 0 && max / min >= 8;
            return new Axis(min, max, log);
        }

        double position(double load) {
            if (max == min) {
                return 0.5;
            }
            // A small margin keeps the first and last markers off the frame.
            double t = logarithmic
                    ? (Math.log(load) - Math.log(min)) / (Math.log(max) - Math.log(min))
                    : (load - min) / (max - min);
            return 0.04 + 0.92 * t;
        }
    }
}
