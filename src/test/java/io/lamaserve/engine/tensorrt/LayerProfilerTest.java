package io.lamaserve.engine.tensorrt;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Calls the profiler the way TensorRT does, through the object's vtable as C++ code compiled for the Itanium ABI
 * would ({@code profiler->reportLayerTime(name, ms)}), without TensorRT.
 */
class LayerProfilerTest {

    private static final MethodHandle VIRTUAL_CALL = Linker.nativeLinker().downcallHandle(
            FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_FLOAT));

    private static void reportLayerTime(MemorySegment object, int vtableEntry, String layer, float ms, Arena arena)
            throws Throwable {
        MemorySegment self = object.reinterpret(ValueLayout.ADDRESS.byteSize());
        MemorySegment vtable = self.get(ValueLayout.ADDRESS, 0).reinterpret(3 * ValueLayout.ADDRESS.byteSize());
        MemorySegment function = vtable.getAtIndex(ValueLayout.ADDRESS, vtableEntry);
        VIRTUAL_CALL.invokeExact(function, self, arena.allocateFrom(layer), ms);
    }

    @Test
    void averagesEachLayerOverTheRunsInTheOrderTheyRan() throws Throwable {
        try (LayerProfiler profiler = new LayerProfiler(); Arena arena = Arena.ofConfined()) {
            MemorySegment object = profiler.cppObject();
            for (int run = 0; run < 2; run++) {
                reportLayerTime(object, 0, "/stem/Conv + /stem/Relu", 1.0f + run, arena);
                reportLayerTime(object, 0, "Reformatting CopyNode for Input Tensor 0 to /fu/Conv", 0.25f, arena);
                profiler.countRun();
            }
            List<LayerProfiler.LayerTime> layers = profiler.layers();
            assertEquals(2, profiler.runs());
            assertEquals(List.of("/stem/Conv + /stem/Relu", "Reformatting CopyNode for Input Tensor 0 to /fu/Conv"),
                    layers.stream().map(LayerProfiler.LayerTime::name).toList());
            assertEquals(1.5, layers.get(0).meanMs(), 1e-6);
            assertEquals(0.25, layers.get(1).meanMs(), 1e-6);
        }
    }

    @Test
    void resetForgetsTheWarmUpRun() throws Throwable {
        try (LayerProfiler profiler = new LayerProfiler(); Arena arena = Arena.ofConfined()) {
            reportLayerTime(profiler.cppObject(), 0, "first", 90f, arena);
            profiler.countRun();
            profiler.reset();
            reportLayerTime(profiler.cppObject(), 0, "first", 3f, arena);
            profiler.countRun();
            assertEquals(1, profiler.runs());
            assertEquals(3.0, profiler.layers().getFirst().meanMs(), 1e-6);
        }
    }

    @Test
    void everyFunctionEntryReportsWhicheverOrderTheHeaderDeclares() throws Throwable {
        try (LayerProfiler profiler = new LayerProfiler(); Arena arena = Arena.ofConfined()) {
            for (int entry = 0; entry < 3; entry++) {
                reportLayerTime(profiler.cppObject(), entry, "layer", 2f, arena);
            }
            assertEquals(2.0, profiler.layers().getFirst().meanMs(), 1e-6);
            assertEquals(1, profiler.layers().size());
        }
    }

    @Test
    void thePointerHandedToTensorRtIsTheObjectTheVtableHangsFrom() throws Throwable {
        // TensorRT 10 rejects a null profiler; a pointer that lost the address failed exactly that way on the GPU
        try (LayerProfiler profiler = new LayerProfiler(); Arena arena = Arena.ofConfined()) {
            long handed = profiler.asPointer().address();
            assertEquals(profiler.cppObject().address(), handed);
            reportLayerTime(MemorySegment.ofAddress(handed), 0, "via the handed pointer", 4f, arena);
            assertEquals(4.0, profiler.layers().getFirst().meanMs(), 1e-6);
        }
    }
}
