package io.lamaserve.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GpuDevicesTest {

    @TempDir
    Path root;

    @Test
    void linuxWithoutTheDriversDeviceFilesHasNoGpu() throws Exception {
        Files.createDirectories(root.resolve("dev"));
        Files.createFile(root.resolve("dev/null"));
        Files.createFile(root.resolve("dev/nvidia-uvm"));
        assertFalse(new GpuDevices(root, true).mayHaveGpu());
        assertFalse(new GpuDevices(root.resolve("missing"), true).mayHaveGpu());
    }

    @Test
    void anyDeviceFileOfTheDriverMayMeanAGpu() throws Exception {
        for (String device : new String[] {"nvidiactl", "nvidia0", "nvidia12", "dxg"}) {
            Path machine = Files.createDirectories(root.resolve(device).resolve("dev"));
            Files.createFile(machine.resolve(device));
            assertTrue(new GpuDevices(machine.getParent(), true).mayHaveGpu(), device);
        }
    }

    @Test
    void elsewhereNothingIsKnownSoTheProbeDecides() {
        assertTrue(new GpuDevices(root, false).mayHaveGpu());
    }

    @Test
    void theOneModelTheDriverListsIsTheHint() throws Exception {
        gpu("0000:18:00.0", "NVIDIA H200");
        gpu("0000:2a:00.0", "NVIDIA H200");
        assertEquals(Optional.of("NVIDIA H200"), new GpuDevices(root, true).singleModel());
        gpu("0000:3a:00.0", "Tesla T4");
        assertEquals(Optional.empty(), new GpuDevices(root, true).singleModel(), "two models: no hint");
        assertEquals(Optional.empty(), new GpuDevices(root.resolve("none"), true).singleModel());
    }

    private void gpu(String busId, String model) throws Exception {
        Path dir = Files.createDirectories(root.resolve("proc/driver/nvidia/gpus").resolve(busId));
        Files.writeString(dir.resolve("information"), "Model: \t\t " + model + "\nIRQ:   \t\t 42\n"
                + "GPU UUID: \t GPU-0000\nBus Location: \t " + busId + "\n");
    }
}
