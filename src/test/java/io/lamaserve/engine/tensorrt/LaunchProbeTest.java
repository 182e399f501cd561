package io.lamaserve.engine.tensorrt;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LaunchProbeTest {

    @Test
    void probesOnlyWhenTheLaunchNamesTensorRt() {
        assertEquals(OptionalInt.of(0), LaunchProbe.deviceToProbe(Map.of(), Map.of("LAMA_ENGINE", "tensorrt")));
        assertEquals(OptionalInt.of(0), LaunchProbe.deviceToProbe(Map.of("lama.engine", "TensorRT"), Map.of()));
        assertEquals(OptionalInt.empty(), LaunchProbe.deviceToProbe(Map.of(), Map.of()));
        assertEquals(OptionalInt.empty(), LaunchProbe.deviceToProbe(Map.of(), Map.of("LAMA_ENGINE", "auto")));
        assertEquals(OptionalInt.empty(), LaunchProbe.deviceToProbe(Map.of(), Map.of("LAMA_ENGINE", "onnxruntime")));
    }

    @Test
    void aSystemPropertyWinsOverTheEnvironment() {
        // the configuration's order: a -D on the command line overrides the manifest's variable
        assertEquals(OptionalInt.empty(), LaunchProbe.deviceToProbe(Map.of("lama.engine", "onnxruntime"),
                Map.of("LAMA_ENGINE", "tensorrt")));
        assertEquals(OptionalInt.of(2), LaunchProbe.deviceToProbe(Map.of("lama.tensorrt.device", "2"),
                Map.of("LAMA_ENGINE", "tensorrt", "LAMA_TENSORRT_DEVICE", "1")));
        assertEquals(OptionalInt.of(1), LaunchProbe.deviceToProbe(Map.of(),
                Map.of("LAMA_ENGINE", "tensorrt", "LAMA_TENSORRT_DEVICE", "1")));
    }

    @Test
    void anUnreadableDeviceLeavesItToTheBoot() {
        assertEquals(OptionalInt.empty(), LaunchProbe.deviceToProbe(Map.of(),
                Map.of("LAMA_ENGINE", "tensorrt", "LAMA_TENSORRT_DEVICE", "first")));
        assertEquals(OptionalInt.empty(), LaunchProbe.deviceToProbe(Map.of(),
                Map.of("LAMA_ENGINE", "tensorrt", "LAMA_TENSORRT_DEVICE", "-1")));
    }
}
