package io.lamaserve.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ComparePrinterTest {

    @Test
    void printsRatiosAgainstTheFirstRunPerLoadLevel() {
        RunResult off = TestRuns.run("off", List.of(TestRuns.closed(8, 100, 80.0, 200.0, Map.of())));
        RunResult adaptive = TestRuns.run("adaptive", List.of(
                TestRuns.closed(8, 150, 40.0, 100.0, Map.of("429", 3L)),
                TestRuns.closed(16, 170, 90.0, 150.0, Map.of())));

        String text = print(List.of(off, adaptive));
        List<String> rows = text.lines().filter(l -> l.trim().startsWith("8 ") || l.trim().startsWith("16 ")).toList();

        assertEquals(2, rows.size(), text);
        List<String> eight = List.of(rows.get(0).split("[|\\s]+"));
        // off: thr, p50, p99, err | adaptive: thr, p50, p99, err | ratios thr, p50, p99
        assertEquals(List.of("8", "100.00", "80.0", "200.0", "0", "150.00", "40.0", "100.0", "3", "1.50", "0.50", "0.50"),
                eight.subList(eight.get(0).isEmpty() ? 1 : 0, eight.size()));
        assertTrue(rows.get(1).contains(" - "), "level missing in the baseline prints dashes: " + rows.get(1));
        assertTrue(text.contains("closed loop"), text);
        assertTrue(!text.contains("open loop"), "no open-loop table without open-loop steps");
    }

    @Test
    void ratioNeedsBothValuesAndANonZeroBase() {
        assertEquals("2.00", ComparePrinter.ratio(4.0, 2.0));
        assertEquals("-", ComparePrinter.ratio(null, 2.0));
        assertEquals("-", ComparePrinter.ratio(1.0, 0.0));
    }

    @Test
    void needsTwoRuns() {
        assertThrows(IllegalArgumentException.class, () -> print(List.of(TestRuns.run("a", List.of()))));
    }

    private static String print(List<RunResult> runs) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ComparePrinter.print(runs, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
