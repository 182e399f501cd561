package io.lamaserve.bench;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Options of the {@code run} command.
 *
 * @param url            server base URL
 * @param api            wire format
 * @param label          run name (file names, chart legend)
 * @param closed         closed-loop concurrency levels, in run order
 * @param open           open-loop request rates (req/s), in run order
 * @param timing         warm-up and measured window per step
 * @param timeout        per-request timeout
 * @param inputDir       directory of image/mask pairs, or null for generated inputs
 * @param generatedSizes sizes of generated inputs
 * @param masksPerSize   generated masks per size
 * @param seed           seed of generated inputs and arrival schedules
 * @param settings       hd strategy and output format sent with each request
 * @param maxOutstanding open-loop bound on requests in flight
 * @param outDir         where result files go
 * @param preflight      whether to send one request before the run and stop if it fails
 */
public record RunOptions(URI url, InpaintApi api, String label, List<Integer> closed, List<Double> open,
                         StepTiming timing, Duration timeout, Path inputDir, List<ImageSize> generatedSizes,
                         int masksPerSize, long seed, RequestSettings settings, int maxOutstanding, Path outDir,
                         boolean preflight) {

    /** Concurrency levels used when neither {@code --closed} nor {@code --open} is given. */
    public static final List<Integer> DEFAULT_CLOSED = List.of(1, 2, 4, 6, 8, 16, 32);
    /** Generated input sizes used when neither {@code --inputs} nor {@code --generated} is given. */
    public static final String DEFAULT_SIZES = "512x512,1024x768,1920x1080";

    /** Command-line help for {@code run}. */
    public static final String USAGE = """
            run options:
              --url URL              server base URL (default http://127.0.0.1:8080)
              --api lama|iopaint     lama: POST /v1/inpaint multipart; iopaint: POST /api/v1/inpaint JSON (default lama)
              --label NAME           run name, used for output file names and the chart legend (default: the api)
              --closed LIST          closed-loop concurrency sweep, e.g. 1,2,4,6,8,16,32
              --open LIST            open-loop Poisson rate sweep in requests/s, e.g. 2,4,8,16
                                     (neither given: --closed 1,2,4,6,8,16,32)
              --step-duration DUR    measured window per step (default 20s)
              --warmup DUR           unrecorded warm-up before each step (default 5s)
              --timeout DUR          per-request timeout (default 60s)
              --inputs DIR           image/mask pairs: NAME.png|.jpg + NAME_mask.png
              --generated SIZES      generated inputs, e.g. 512x512,1024x768,1920x1080 (the default)
              --masks-per-size N     generated masks per size, alternating thick/thin strokes (default 4)
              --seed N               seed for generated inputs and arrival times (default 42)
              --format png|jpeg      output format asked of lama-serve (api lama only)
              --hd-strategy S        Crop|Resize|Original (default Crop)
              --max-outstanding N    open loop: most requests in flight; more are dropped and counted (default 2048)
              --out DIR              output directory (default bench-results)
              --skip-check           do not send a trial request before the run
            durations: 500ms, 20s, 1.5s, 2m""";

    /** Parses {@code run} arguments. */
    public static RunOptions parse(List<String> args) {
        URI url = parseUrl("http://127.0.0.1:8080");
        InpaintApi api = InpaintApi.LAMA;
        String label = null;
        List<Integer> closed = null;
        List<Double> open = null;
        Duration step = Duration.ofSeconds(20);
        Duration warmup = Duration.ofSeconds(5);
        Duration timeout = Duration.ofSeconds(60);
        Path inputs = null;
        String sizes = null;
        int masksPerSize = 4;
        long seed = 42;
        String format = null;
        String hdStrategy = "Crop";
        int maxOutstanding = 2048;
        Path out = Path.of("bench-results");
        boolean preflight = true;

        for (int i = 0; i < args.size(); i++) {
            String option = args.get(i);
            if (option.equals("--skip-check")) {
                preflight = false;
                continue;
            }
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException("option " + option + " needs a value");
            }
            String value = args.get(++i);
            switch (option) {
                case "--url" -> url = parseUrl(value);
                case "--api" -> api = InpaintApi.parse(value);
                case "--label" -> label = value;
                case "--closed" -> closed = parseList(value, Integer::parseInt, "--closed");
                case "--open" -> open = parseList(value, Double::parseDouble, "--open");
                case "--step-duration" -> step = DurationParser.parse(value);
                case "--warmup" -> warmup = DurationParser.parse(value);
                case "--timeout" -> timeout = DurationParser.parse(value);
                case "--inputs" -> inputs = Path.of(value);
                case "--generated" -> sizes = value;
                case "--masks-per-size" -> masksPerSize = parseInt(value, option);
                case "--seed" -> seed = parseLong(value, option);
                case "--format" -> format = parseFormat(value);
                case "--hd-strategy" -> hdStrategy = parseStrategy(value);
                case "--max-outstanding" -> maxOutstanding = parseInt(value, option);
                case "--out" -> out = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        if (inputs != null && sizes != null) {
            throw new IllegalArgumentException("--inputs and --generated exclude each other");
        }
        if (closed == null && open == null) {
            closed = DEFAULT_CLOSED;
        }
        if (closed != null && closed.stream().anyMatch(c -> c < 1)) {
            throw new IllegalArgumentException("--closed levels must be at least 1: " + closed);
        }
        if (open != null && open.stream().anyMatch(r -> !(r > 0) || r.isInfinite())) {
            throw new IllegalArgumentException("--open rates must be positive: " + open);
        }
        if (timeout.isZero()) {
            throw new IllegalArgumentException("--timeout must be positive");
        }
        if (maxOutstanding < 1 || masksPerSize < 1) {
            throw new IllegalArgumentException("--max-outstanding and --masks-per-size must be at least 1");
        }
        if (format != null && api == InpaintApi.IOPAINT) {
            throw new IllegalArgumentException("--format applies to --api lama only; IOPaint answers in the input's format");
        }
        return new RunOptions(url, api, label == null ? api.name().toLowerCase(Locale.ROOT) : label,
                closed == null ? List.of() : closed, open == null ? List.of() : open,
                new StepTiming(warmup, step), timeout, inputs,
                ImageSize.parseList(sizes == null ? DEFAULT_SIZES : sizes), masksPerSize, seed,
                new RequestSettings(hdStrategy, format), maxOutstanding, out, preflight);
    }

    /** Parses a base URL; a trailing '/' is added so request paths resolve below it. */
    private static URI parseUrl(String value) {
        URI uri = URI.create(value.endsWith("/") ? value : value + "/");
        if (uri.getScheme() == null || !uri.getScheme().startsWith("http") || uri.getHost() == null) {
            throw new IllegalArgumentException("--url must be an http(s) URL with a host: " + value);
        }
        return uri;
    }

    private static <T> List<T> parseList(String value, java.util.function.Function<String, T> parser, String option) {
        List<T> items = new ArrayList<>();
        try {
            for (String item : value.split(",")) {
                if (!item.isBlank()) {
                    items.add(parser.apply(item.trim()));
                }
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " expects a comma-separated list of numbers: " + value, e);
        }
        if (items.isEmpty()) {
            throw new IllegalArgumentException(option + " needs at least one value");
        }
        return List.copyOf(items);
    }

    private static int parseInt(String value, String option) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " expects an integer: " + value, e);
        }
    }

    private static long parseLong(String value, String option) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " expects an integer: " + value, e);
        }
    }

    private static String parseFormat(String value) {
        String format = value.toLowerCase(Locale.ROOT);
        if (format.equals("jpg")) {
            return "jpeg";
        }
        if (!format.equals("png") && !format.equals("jpeg")) {
            throw new IllegalArgumentException("--format must be png or jpeg: " + value);
        }
        return format;
    }

    private static String parseStrategy(String value) {
        for (String strategy : List.of("Crop", "Resize", "Original")) {
            if (strategy.equalsIgnoreCase(value)) {
                return strategy;
            }
        }
        throw new IllegalArgumentException("--hd-strategy must be Crop, Resize or Original: " + value);
    }
}
