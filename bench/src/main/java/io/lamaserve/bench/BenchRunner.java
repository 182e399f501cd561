package io.lamaserve.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Runs the {@code run} command: prepares inputs, checks the server answers, runs the closed-loop then the
 * open-loop sweep, and writes JSON, CSV and chart.
 */
public final class BenchRunner {

    private final RunOptions options;
    private final PrintStream out;

    /** A runner for {@code options} that prints progress to {@code out}. */
    public BenchRunner(RunOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Runs the sweep and returns its result (also written to the output directory). */
    public RunResult run() throws IOException, InterruptedException {
        List<InputPair> inputs = loadInputs();
        List<PreparedRequest> requests = inputs.stream().map(i -> options.api().prepare(i, options.settings())).toList();
        List<InputSummary> summaries = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            InputSummary summary = InputSummary.of(inputs.get(i), requests.get(i));
            summaries.add(summary);
            out.printf(Locale.ROOT, "input %-24s %5dx%-5d image %7.1f KB  mask %6.1f KB  request %7.1f KB%n",
                    summary.name(), summary.width(), summary.height(), summary.imageBytes() / 1024.0,
                    summary.maskBytes() / 1024.0, summary.requestBytes() / 1024.0);
        }
        String startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        List<StepResult> steps = new ArrayList<>();
        try (RequestSender sender = new RequestSender(options.url(), requests, options.timeout())) {
            if (options.preflight()) {
                checkServer(sender);
            }
            out.printf(Locale.ROOT, "run '%s': %s %s, per step %.1f s warm-up + %.1f s measured%n", options.label(),
                    options.api().name().toLowerCase(Locale.ROOT), options.url(), seconds(options.timing().warmup()),
                    options.timing().measureSeconds());
            for (int clients : options.closed()) {
                StepResult step = ClosedLoop.run(sender, clients, options.timing());
                steps.add(step);
                out.println(progressLine(step));
            }
            for (int i = 0; i < options.open().size(); i++) {
                StepResult step = OpenLoop.run(sender, options.open().get(i), options.timing(),
                        options.maxOutstanding(), options.seed() + i);
                steps.add(step);
                out.println(progressLine(step));
            }
        }
        RunResult result = new RunResult(options.label(), options.api().name().toLowerCase(Locale.ROOT),
                options.url().toString(), startedAt, seconds(options.timing().warmup()),
                options.timing().measureSeconds(), seconds(options.timeout()), options.seed(),
                options.settings().hdStrategy(), options.settings().outputFormat(), options.maxOutstanding(),
                summaries, steps);
        Path json = ResultFiles.writeJson(result, options.outDir());
        Path csv = ResultFiles.writeCsv(result, options.outDir());
        Path png = options.outDir().resolve(ResultFiles.fileStem(result.label()) + ".png");
        try {
            ChartRenderer.write(List.of(result), result.label() + " (" + result.api() + ", " + result.url() + ")", png);
            out.printf("wrote %s, %s, %s%n", json, csv, png);
        } catch (RuntimeException | Error e) {
            // A machine without fonts (Java2D: "Fontconfig head is null") still gets its figures; only the
            // chart is missing, and `bench chart` can draw it elsewhere from the JSON.
            out.printf("wrote %s, %s; no chart (%s)%n", json, csv, e.getMessage());
        }
        return result;
    }

    /** One progress line with the step's figures. */
    public static String progressLine(StepResult step) {
        String load = step.mode().equals(StepResult.CLOSED)
                ? "clients " + step.loadLabel()
                : "rate " + step.loadLabel() + "/s";
        String errors = step.errorsByStatus().isEmpty() ? "-" : step.errorsByStatus().entrySet().stream()
                .map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(" "));
        String line = String.format(Locale.ROOT,
                "%-6s %-14s req %6d ok %6d err %-16s drop %d  %8.2f img/s  p50 %s p90 %s p99 %s max %s ms",
                step.mode(), load, step.requests(), step.ok(), errors, step.dropped(), step.throughput(),
                ms(step.p50Ms()), ms(step.p90Ms()), ms(step.p99Ms()), ms(step.maxMs()));
        if (step.serverTimingMs().isEmpty()) {
            return line;
        }
        return line + "  server mean: " + step.serverTimingMs().entrySet().stream()
                .map(e -> String.format(Locale.ROOT, "%s %.1f", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", ")) + " ms";
    }

    private List<InputPair> loadInputs() throws IOException {
        if (options.inputDir() != null) {
            return InputDirectory.load(options.inputDir());
        }
        out.printf("generating inputs %s (%d masks each, seed %d)%n", options.generatedSizes(),
                options.masksPerSize(), options.seed());
        return GeneratedInputs.create(options.generatedSizes(), options.masksPerSize(), options.seed());
    }

    private void checkServer(RequestSender sender) throws InterruptedException {
        Outcome outcome = sender.send();
        if (!outcome.success()) {
            throw new IllegalStateException("trial request to " + options.url() + " (api " + options.api()
                    + ") failed with " + outcome.statusKey() + ": " + outcome.detail()
                    + " (use --skip-check to run anyway)");
        }
    }

    private static String ms(Double value) {
        return value == null ? "-" : String.format(Locale.ROOT, "%.1f", value);
    }

    private static double seconds(java.time.Duration duration) {
        return duration.toNanos() / 1e9;
    }

}
