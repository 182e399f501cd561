package io.lamaserve.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunOptionsTest {

    @Test
    void defaultsRunTheClosedSweepOnGeneratedInputs() {
        RunOptions options = RunOptions.parse(List.of());

        assertEquals(List.of(1, 2, 4, 6, 8, 16, 32), options.closed());
        assertEquals(List.of(), options.open());
        assertEquals("http://127.0.0.1:8080/", options.url().toString());
        assertEquals(InpaintApi.LAMA, options.api());
        assertEquals("lama", options.label());
        assertEquals(Duration.ofSeconds(20), options.timing().measure());
        assertEquals(Duration.ofSeconds(5), options.timing().warmup());
        assertEquals(List.of(new ImageSize(512, 512), new ImageSize(1024, 768), new ImageSize(1920, 1080)),
                options.generatedSizes());
        assertNull(options.inputDir());
        assertEquals("Crop", options.settings().hdStrategy());
        assertTrue(options.preflight());
    }

    @Test
    void parsesAFullCommandLine() {
        RunOptions options = RunOptions.parse(List.of("--url", "http://gpu:9000", "--api", "iopaint",
                "--label", "iopaint-h100", "--open", "2,4.5,8", "--step-duration", "1.5s", "--warmup", "500ms",
                "--timeout", "2m", "--inputs", "pics", "--seed", "7", "--hd-strategy", "resize",
                "--max-outstanding", "64", "--out", "res", "--skip-check"));

        assertEquals("http://gpu:9000/", options.url().toString());
        assertEquals(InpaintApi.IOPAINT, options.api());
        assertEquals(List.of(), options.closed(), "--open alone does not add the closed sweep");
        assertEquals(List.of(2.0, 4.5, 8.0), options.open());
        assertEquals(Duration.ofMillis(1500), options.timing().measure());
        assertEquals(Duration.ofMillis(500), options.timing().warmup());
        assertEquals(Duration.ofMinutes(2), options.timeout());
        assertEquals(Path.of("pics"), options.inputDir());
        assertEquals(7, options.seed());
        assertEquals("Resize", options.settings().hdStrategy());
        assertEquals(64, options.maxOutstanding());
        assertEquals(Path.of("res"), options.outDir());
        assertFalse(options.preflight());
    }

    @Test
    void rejectsBadCommandLines() {
        List<List<String>> bad = List.of(
                List.of("--closed", "0,2"),
                List.of("--closed", "two"),
                List.of("--open", "-1"),
                List.of("--url", "127.0.0.1:8080"),
                List.of("--format", "webp"),
                List.of("--api", "iopaint", "--format", "png"),
                List.of("--inputs", "d", "--generated", "512x512"),
                List.of("--generated", "512by512"),
                List.of("--step-duration", "0s"),
                List.of("--warmup"),
                List.of("--frobnicate", "1"));
        for (List<String> args : bad) {
            assertThrows(IllegalArgumentException.class, () -> RunOptions.parse(args), args.toString());
        }
    }

    @Test
    void durationsAcceptUnits() {
        assertEquals(Duration.ofMillis(250), DurationParser.parse("250ms"));
        assertEquals(Duration.ofSeconds(20), DurationParser.parse("20s"));
        assertEquals(Duration.ofSeconds(20), DurationParser.parse("20"));
        assertEquals(Duration.ofSeconds(90), DurationParser.parse("1.5m"));
        assertThrows(IllegalArgumentException.class, () -> DurationParser.parse("soon"));
        assertThrows(IllegalArgumentException.class, () -> DurationParser.parse("-3s"));
    }
}
