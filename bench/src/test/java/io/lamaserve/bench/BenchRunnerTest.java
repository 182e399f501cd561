package io.lamaserve.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchRunnerTest {

    @TempDir
    Path out;

    @Test
    void runWritesJsonCsvAndChartAndPrintsOneLinePerStep() throws Exception {
        try (FakeInpaintServer server = FakeInpaintServer.sleeping(10)) {
            RunOptions options = RunOptions.parse(List.of("--url", server.url().toString(), "--label", "smoke",
                    "--closed", "1,2", "--open", "20", "--step-duration", "300ms", "--warmup", "100ms",
                    "--generated", "96x64", "--masks-per-size", "2", "--out", out.toString()));
            ByteArrayOutputStream console = new ByteArrayOutputStream();

            RunResult result = new BenchRunner(options, new PrintStream(console, true, StandardCharsets.UTF_8)).run();

            assertEquals(3, result.steps().size());
            assertEquals(List.of("closed", "closed", "open"), result.steps().stream().map(StepResult::mode).toList());
            assertTrue(result.steps().stream().allMatch(s -> s.ok() > 0 && s.errors() == 0), result.steps().toString());
            assertEquals(2, result.inputs().size());
            assertEquals(result, ResultFiles.readJson(out.resolve("smoke.json")));
            assertEquals(4, Files.readAllLines(out.resolve("smoke.csv")).size());
            assertNotNull(ImageIO.read(out.resolve("smoke.png").toFile()));
            String text = console.toString(StandardCharsets.UTF_8);
            assertEquals(3, text.lines().filter(l -> l.startsWith("closed ") || l.startsWith("open ")).count(), text);
        }
    }

    @Test
    void failingTrialRequestStopsTheRunBeforeMeasuring() throws Exception {
        FakeInpaintServer.Responder notFound = (n, p, t, b) -> new FakeInpaintServer.Reply(404, "no route".getBytes());
        try (FakeInpaintServer server = new FakeInpaintServer(0, false, notFound)) {
            RunOptions options = RunOptions.parse(List.of("--url", server.url().toString(), "--closed", "1",
                    "--generated", "32x32", "--masks-per-size", "1", "--out", out.toString()));

            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> new BenchRunner(options, new PrintStream(new ByteArrayOutputStream())).run());
            assertTrue(e.getMessage().contains("404"), e.getMessage());
            assertEquals(1, server.received());
        }
    }
}
