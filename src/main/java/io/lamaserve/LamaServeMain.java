package io.lamaserve;

import io.lamaserve.engine.tensorrt.LaunchProbe;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/** The service's entry point: Quarkus, with the GPU's probe started first when the launch asks for TensorRT. */
@QuarkusMain
public final class LamaServeMain {

    private LamaServeMain() {
    }

    public static void main(String... args) {
        LaunchProbe.startIfTensorRt();
        Quarkus.run(args);
    }
}
