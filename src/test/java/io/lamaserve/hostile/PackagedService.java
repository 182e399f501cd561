package io.lamaserve.hostile;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The service as it is deployed: {@code java -jar target/quarkus-app/quarkus-run.jar} in a child process, with
 * the test fixture model and a free port; its output goes to a log file under {@code target/hostile/}.
 */
final class PackagedService implements AutoCloseable {

    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static final Path FIXTURE_MODEL = Path.of("src/test/resources/models/lama-fixture.onnx");

    final Process process;
    final URI base;
    final Path log;

    private PackagedService(Process process, URI base, Path log) {
        this.process = process;
        this.base = base;
        this.log = log;
    }

    /** Starts the jar with the given {@code -D} settings on top of the fixture model and a free port. */
    static PackagedService start(String name, Map<String, String> settings) throws IOException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: these tests run after `mvn package` (mvn verify)");
        }
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx1g",
                "-Dquarkus.http.port=" + port,
                "-Dlama.engine=onnxruntime",
                "-Dlama.model.path=" + FIXTURE_MODEL.toAbsolutePath(),
                "-Dlama.batching.sweep-repetitions=1"));
        settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-jar");
        command.add(JAR.toString());
        Path log = Path.of("target/hostile", name + ".log");
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new PackagedService(process, URI.create("http://localhost:" + port), log);
    }

    /** Waits for the process to end on its own. @return the exit code, or null when it was still running */
    Integer awaitExit(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : null;
    }

    String output() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
