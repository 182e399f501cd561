package io.lamaserve.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Command-line entry point: {@code run} (the default) drives a server, {@code chart} overlays result files
 * in one PNG, {@code compare} prints result files side by side.
 */
public final class BenchMain {

    private static final String USAGE = """
            usage:
              run.sh [run] [options]                          benchmark a server (see options below)
              run.sh chart --out FILE.png [--title T] A.json B.json ...   overlay runs in one chart
              run.sh compare A.json B.json ...                print runs side by side, ratios against A
            """ + RunOptions.USAGE;

    private BenchMain() {
    }

    /** Runs the command line and exits with 0 on success, 2 on bad usage, 1 on failure. */
    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        List<String> arguments = new ArrayList<>(Arrays.asList(args));
        if (arguments.contains("--help") || arguments.contains("-h")) {
            System.out.println(USAGE);
            return;
        }
        String command = arguments.isEmpty() || arguments.getFirst().startsWith("--") ? "run" : arguments.removeFirst();
        try {
            switch (command) {
                case "run" -> new BenchRunner(RunOptions.parse(arguments), System.out).run();
                case "chart" -> chart(arguments);
                case "compare" -> ComparePrinter.print(readAll(arguments), System.out);
                default -> throw new IllegalArgumentException("unknown command " + command);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println();
            System.err.println(USAGE);
            System.exit(2);
        } catch (Exception e) {
            System.err.println("failed: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void chart(List<String> args) throws Exception {
        Path out = null;
        String title = "lama-serve benchmark";
        List<String> files = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--out" -> out = Path.of(requireValue(args, ++i, "--out"));
                case "--title" -> title = requireValue(args, ++i, "--title");
                default -> files.add(args.get(i));
            }
        }
        if (out == null || files.isEmpty()) {
            throw new IllegalArgumentException("chart needs --out FILE.png and at least one result file");
        }
        ChartRenderer.write(readAll(files), title, out);
        System.out.println("wrote " + out);
    }

    private static String requireValue(List<String> args, int index, String option) {
        if (index >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(index);
    }

    private static List<RunResult> readAll(List<String> files) throws Exception {
        List<RunResult> runs = new ArrayList<>();
        for (String file : files) {
            runs.add(ResultFiles.readJson(Path.of(file)));
        }
        return runs;
    }
}
