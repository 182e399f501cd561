package io.lamaserve.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * What the file system says about NVIDIA GPUs, without loading any CUDA library: whether the device files of the
 * driver are there, and the model names the driver lists. Cheap enough to ask before anything is loaded; the
 * TensorRT probe has the last word.
 *
 * <p>On Linux a process can use an NVIDIA GPU only through {@code /dev/nvidiactl} and {@code /dev/nvidia<N>} (or,
 * under WSL, {@code /dev/dxg}); the NVIDIA container runtime adds them to a container that is given a GPU. On other
 * systems nothing is known.
 */
public final class GpuDevices {

    private final Path root;
    private final boolean linux;

    GpuDevices(Path root, boolean linux) {
        this.root = root;
        this.linux = linux;
    }

    /** This machine's devices. */
    public static GpuDevices system() {
        return new GpuDevices(Path.of("/"), System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux"));
    }

    /** False only where the driver's device files are certainly missing (Linux without them); true otherwise. */
    public boolean mayHaveGpu() {
        if (!linux) {
            return true;
        }
        if (Files.exists(root.resolve("dev/nvidiactl")) || Files.exists(root.resolve("dev/dxg"))) {
            return true;
        }
        try (Stream<Path> devices = Files.list(root.resolve("dev"))) {
            return devices.anyMatch(device -> device.getFileName().toString().matches("nvidia[0-9]+"));
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /**
     * The GPU model when the driver lists exactly one model ({@code Model:} in
     * {@code /proc/driver/nvidia/gpus/<bus id>/information}), e.g. {@code NVIDIA H200}; empty when it lists none,
     * several, or cannot be read. A hint for finding the engine's plan before CUDA names the device: it may not be
     * the device CUDA numbers {@code lama.tensorrt.device}, so only a full key check may accept what it finds.
     */
    public Optional<String> singleModel() {
        Path gpus = root.resolve("proc/driver/nvidia/gpus");
        if (!Files.isDirectory(gpus)) {
            return Optional.empty();
        }
        Set<String> models = new TreeSet<>();
        try (Stream<Path> entries = Files.list(gpus)) {
            for (Path gpu : entries.toList()) {
                Path information = gpu.resolve("information");
                if (!Files.isRegularFile(information)) {
                    continue;
                }
                for (String line : Files.readAllLines(information)) {
                    if (line.startsWith("Model:")) {
                        models.add(line.substring("Model:".length()).trim());
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return models.size() == 1 ? Optional.of(models.iterator().next()) : Optional.empty();
    }
}
