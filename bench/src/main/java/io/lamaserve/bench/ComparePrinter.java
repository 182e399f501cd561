package io.lamaserve.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Prints runs side by side, one table per load mode and one row per load level: each run's throughput,
 * p50 and p99, then for every run after the first its ratios to the first (the baseline).
 * Throughput ratio above 1 and latency ratios below 1 mean "better than the baseline".
 */
public final class ComparePrinter {

    private ComparePrinter() {
    }

    /** Prints the comparison of {@code runs} (at least two) to {@code out}. */
    public static void print(List<RunResult> runs, PrintStream out) {
        if (runs.size() < 2) {
            throw new IllegalArgumentException("compare needs at least two result files");
        }
        RunResult baseline = runs.getFirst();
        for (String mode : List.of(StepResult.CLOSED, StepResult.OPEN)) {
            TreeSet<Double> loads = new TreeSet<>();
            runs.forEach(r -> r.steps(mode).forEach(s -> loads.add(s.load())));
            if (loads.isEmpty()) {
                continue;
            }
            out.println();
            out.println(mode + " loop (" + (mode.equals(StepResult.CLOSED) ? "clients" : "offered req/s")
                    + "); ratios are against '" + baseline.label() + "'");
            StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%8s", "load"));
            for (RunResult run : runs) {
                String name = shorten(run.label(), 10);
                header.append(String.format(Locale.ROOT, " | %10s %9s %9s %6s", name + " img/s", "p50 ms",
                        "p99 ms", "err"));
            }
            for (RunResult run : runs.subList(1, runs.size())) {
                header.append(String.format(Locale.ROOT, " | %-10s %7s %7s %7s", shorten(run.label(), 10),
                        "x thr", "x p50", "x p99"));
            }
            out.println(header);
            out.println("-".repeat(header.length()));
            for (double load : loads) {
                StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%8s", label(load)));
                for (RunResult run : runs) {
                    Optional<StepResult> step = stepAt(run, mode, load);
                    row.append(step.map(s -> String.format(Locale.ROOT, " | %10.2f %9s %9s %6d", s.throughput(),
                            ms(s.p50Ms()), ms(s.p99Ms()), s.errors() + s.dropped()))
                            .orElse(String.format(Locale.ROOT, " | %10s %9s %9s %6s", "-", "-", "-", "-")));
                }
                Optional<StepResult> base = stepAt(baseline, mode, load);
                for (RunResult run : runs.subList(1, runs.size())) {
                    Optional<StepResult> step = stepAt(run, mode, load);
                    row.append(String.format(Locale.ROOT, " | %-10s %7s %7s %7s", "",
                            ratio(step.map(StepResult::throughput).orElse(null),
                                    base.map(StepResult::throughput).orElse(null)),
                            ratio(step.map(StepResult::p50Ms).orElse(null), base.map(StepResult::p50Ms).orElse(null)),
                            ratio(step.map(StepResult::p99Ms).orElse(null), base.map(StepResult::p99Ms).orElse(null))));
                }
                out.println(row);
            }
        }
    }

    /** {@code value / base} to two decimals, or "-" when either is missing or the base is zero. */
    static String ratio(Double value, Double base) {
        if (value == null || base == null || base == 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.2f", value / base);
    }

    private static Optional<StepResult> stepAt(RunResult run, String mode, double load) {
        return run.steps(mode).stream().filter(s -> s.load() == load).reduce((first, second) -> second);
    }

    private static String ms(Double value) {
        return value == null ? "-" : String.format(Locale.ROOT, "%.1f", value);
    }

    private static String label(double load) {
        return load == Math.rint(load) ? Long.toString((long) load) : String.format(Locale.ROOT, "%.2f", load);
    }

    private static String shorten(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "~";
    }
}
