package io.lamaserve.bench;

import java.util.Map;

/** Prints the first error message of each failing status once per step, so a broken setup is obvious. */
final class ErrorLog {

    private ErrorLog() {
    }

    static void report(StepResult result, StepRecorder recorder) {
        for (Map.Entry<String, String> entry : recorder.firstErrorDetails().entrySet()) {
            System.err.printf("  %s x%d, first: %s%n", entry.getKey(),
                    result.errorsByStatus().getOrDefault(entry.getKey(), 0L), entry.getValue());
        }
    }
}
