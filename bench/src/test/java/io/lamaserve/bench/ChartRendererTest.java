package io.lamaserve.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChartRendererTest {

    @TempDir
    Path dir;

    @Test
    void overlaidRunsAreDrawnInEveryPanelOfAReadablePng() throws Exception {
        RunResult off = TestRuns.run("off", List.of(
                TestRuns.closed(1, 60, 16.0, 20.0, Map.of()), TestRuns.closed(8, 70, 110.0, 140.0, Map.of()),
                TestRuns.closed(32, 72, 440.0, 600.0, Map.of()), TestRuns.open(20, 20, 17.0, 30.0, 0),
                TestRuns.open(80, 70, 900.0, 2400.0, 0)));
        RunResult adaptive = TestRuns.run("adaptive", List.of(
                TestRuns.closed(1, 58, 17.0, 21.0, Map.of()), TestRuns.closed(8, 150, 53.0, 70.0, Map.of()),
                TestRuns.closed(32, 180, 170.0, 230.0, Map.of()), TestRuns.open(20, 20, 18.0, 28.0, 0),
                TestRuns.open(80, 79, 60.0, 140.0, 0)));
        Path file = dir.resolve("charts/cmp.png");

        ChartRenderer.write(List.of(off, adaptive), "off vs adaptive", file);

        BufferedImage image = ImageIO.read(file.toFile());
        assertEquals(2 * ChartRenderer.PANEL_WIDTH, image.getWidth());
        assertTrue(image.getHeight() > 2 * ChartRenderer.PANEL_HEIGHT, "closed and open rows");
        int top = image.getHeight() - 2 * ChartRenderer.PANEL_HEIGHT;
        for (int row = 0; row < 2; row++) {
            for (int column = 0; column < 2; column++) {
                int x0 = column * ChartRenderer.PANEL_WIDTH;
                int y0 = top + row * ChartRenderer.PANEL_HEIGHT;
                for (int run = 0; run < 2; run++) {
                    // Legend swatches alone are 20 px wide; a drawn line has far more pixels of its colour.
                    int count = countColour(image, x0, y0, ChartRenderer.colour(run).getRGB());
                    assertTrue(count > 150, "panel " + row + "/" + column + " run " + run + ": " + count + " px");
                }
            }
        }
    }

    @Test
    void closedOnlyRunsGiveOneRow() throws Exception {
        Path file = dir.resolve("one.png");
        ChartRenderer.write(List.of(TestRuns.run("a", List.of(TestRuns.closed(2, 10, 5.0, 6.0, Map.of())))), "t", file);

        assertTrue(Files.size(file) > 0);
        assertTrue(ImageIO.read(file.toFile()).getHeight() < 2 * ChartRenderer.PANEL_HEIGHT);
    }

    @Test
    void refusesRunsWithoutSteps() {
        assertThrows(IllegalArgumentException.class,
                () -> ChartRenderer.render(List.of(TestRuns.run("empty", List.of())), "t"));
    }

    @Test
    void axisTopIsARoundNumberAboveTheData() {
        assertEquals(200, ChartRenderer.niceCeiling(183));
        assertEquals(250, ChartRenderer.niceCeiling(201));
        assertEquals(0.5, ChartRenderer.niceCeiling(0.31), 1e-12);
        assertEquals(1, ChartRenderer.niceCeiling(0));
    }

    private static int countColour(BufferedImage image, int x0, int y0, int rgb) {
        int count = 0;
        for (int y = y0; y < y0 + ChartRenderer.PANEL_HEIGHT; y++) {
            for (int x = x0; x < x0 + ChartRenderer.PANEL_WIDTH; x++) {
                if ((image.getRGB(x, y) & 0xffffff) == (rgb & 0xffffff)) {
                    count++;
                }
            }
        }
        return count;
    }
}
