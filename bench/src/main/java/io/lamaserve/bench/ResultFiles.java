package io.lamaserve.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Writes a run as {@code <label>.json} (everything) and {@code <label>.csv} (one row per step, one
 * {@code err_<status>} column per failure status seen in the run), and reads the JSON back.
 */
public final class ResultFiles {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String FIXED_COLUMNS = "mode,concurrency,offered_rate,duration_s,requests,ok,errors,dropped,"
            + "throughput_rps,p50_ms,p90_ms,p99_ms,max_ms,mean_ms";

    private ResultFiles() {
    }

    /** Writes the JSON file and returns its path. */
    public static Path writeJson(RunResult run, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(fileStem(run.label()) + ".json");
        JSON.writeValue(file.toFile(), run);
        return file;
    }

    /** Writes the CSV file and returns its path. */
    public static Path writeCsv(RunResult run, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(fileStem(run.label()) + ".csv");
        Files.writeString(file, csv(run));
        return file;
    }

    /** Reads a result written by {@link #writeJson}. */
    public static RunResult readJson(Path file) throws IOException {
        try {
            return JSON.readValue(file.toFile(), RunResult.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException(file + " is not a benchmark result: " + e.getOriginalMessage(), e);
        }
    }

    /** CSV text for {@code run}. */
    public static String csv(RunResult run) {
        TreeSet<String> statuses = new TreeSet<>();
        run.steps().forEach(s -> statuses.addAll(s.errorsByStatus().keySet()));
        StringBuilder out = new StringBuilder(FIXED_COLUMNS);
        statuses.forEach(status -> out.append(",err_").append(status));
        out.append('\n');
        for (StepResult step : run.steps()) {
            List<String> cells = new ArrayList<>(List.of(step.mode(),
                    step.concurrency() == null ? "" : step.concurrency().toString(),
                    step.offeredRate() == null ? "" : number(step.offeredRate()),
                    number(step.durationSeconds()), Long.toString(step.requests()), Long.toString(step.ok()),
                    Long.toString(step.errors()), Long.toString(step.dropped()), number(step.throughput()),
                    number(step.p50Ms()), number(step.p90Ms()), number(step.p99Ms()), number(step.maxMs()),
                    number(step.meanMs())));
            Map<String, Long> errors = step.errorsByStatus();
            statuses.forEach(status -> cells.add(Long.toString(errors.getOrDefault(status, 0L))));
            out.append(String.join(",", cells)).append('\n');
        }
        return out.toString();
    }

    /** File name stem for a label: anything but letters, digits, dot, dash and underscore becomes '_'. */
    public static String fileStem(String label) {
        return label.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static String number(Double value) {
        return value == null ? "" : String.format(Locale.ROOT, "%.3f", value);
    }
}
