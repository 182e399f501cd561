package io.lamaserve.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Describes the host CPU for {@link InpaintEngine#hardware()}: model name (Linux) and available cores. */
public final class Hardware {

    private static final Path CPU_INFO = Path.of("/proc/cpuinfo");

    private Hardware() {
    }

    public static String cpu() {
        return cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores";
    }

    private static String cpuModel() {
        if (Files.isReadable(CPU_INFO)) {
            try (Stream<String> lines = Files.lines(CPU_INFO)) {
                return lines.filter(line -> line.startsWith("model name"))
                        .map(line -> line.substring(line.indexOf(':') + 1).strip())
                        .findFirst().orElse(System.getProperty("os.arch"));
            } catch (IOException | java.io.UncheckedIOException e) {
                // fall through to the architecture alone
            }
        }
        return System.getProperty("os.arch");
    }
}
