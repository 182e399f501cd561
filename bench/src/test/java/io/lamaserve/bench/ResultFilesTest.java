package io.lamaserve.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultFilesTest {

    @TempDir
    Path dir;

    private final RunResult run = TestRuns.run("adaptive batch/8", List.of(
            TestRuns.closed(1, 50, 20.0, 30.0, Map.of()),
            TestRuns.closed(8, 180, 44.0, 90.5, Map.of("429", 12L, "503", 3L)),
            TestRuns.closed(32, 0, null, null, Map.of("timeout", 7L)),
            TestRuns.open(16, 15.9, 25.0, 61.0, 2)));

    @Test
    void jsonRoundTripsEveryField() throws Exception {
        Path file = ResultFiles.writeJson(run, dir);

        assertEquals("adaptive_batch_8.json", file.getFileName().toString());
        assertEquals(run, ResultFiles.readJson(file));
        String text = Files.readString(file);
        assertTrue(text.contains("\"errorsByStatus\""), text);
        assertTrue(text.contains("\"p99Ms\" : null"), "no-success step keeps null latencies");
    }

    @Test
    void csvHasOneRowPerStepAndOneColumnPerErrorStatus() throws Exception {
        Path file = ResultFiles.writeCsv(run, dir);
        List<String> lines = Files.readAllLines(file);

        assertEquals(5, lines.size());
        assertEquals("mode,concurrency,offered_rate,duration_s,requests,ok,errors,dropped,throughput_rps,"
                + "p50_ms,p90_ms,p99_ms,max_ms,mean_ms,err_429,err_503,err_timeout", lines.get(0));
        assertEquals("closed,8,,10.000,1815,1800,15,0,180.000,44.000,66.000,90.500,108.600,44.000,12,3,0", lines.get(2));
        assertEquals("closed,32,,10.000,7,0,7,0,0.000,,,,,,0,0,7", lines.get(3));
        assertTrue(lines.get(4).startsWith("open,,16.000,10.000,161,159,0,2,15.900,"), lines.get(4));
        int columns = lines.get(0).split(",", -1).length;
        lines.forEach(line -> assertEquals(columns, line.split(",", -1).length, line));
    }

    @Test
    void unreadableFileIsReportedAsBadInput() throws Exception {
        Path file = dir.resolve("x.json");
        Files.writeString(file, "{\"not\": \"a result\"");

        assertThrows(IllegalArgumentException.class, () -> ResultFiles.readJson(file));
    }
}
