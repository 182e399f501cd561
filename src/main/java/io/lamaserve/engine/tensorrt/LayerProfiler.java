package io.lamaserve.engine.tensorrt;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorrt.nvinfer.IProfiler;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects TensorRT's per-layer times of an execution context (its {@code IProfiler} callback), for measurements
 * only: the service never profiles.
 *
 * <p>TensorRT calls {@code IProfiler::reportLayerTime(name, ms)} through a C++ vtable, and the Java bindings
 * (JavaCPP presets 1.5.11) cannot subclass {@code IProfiler}. This class therefore lays out the C++ object itself:
 * one pointer to a vtable whose function entries are an FFM upcall into {@link #report}. {@code IProfiler} declares
 * {@code reportLayerTime} and its virtual destructor; TensorRT never destroys a profiler it was given, so every
 * function entry holds the report callback, which keeps the object valid whatever order the entries have.
 *
 * <p>Owns its native memory (object, vtable, upcall stub) and frees it in {@link #close()}; it must not be closed
 * while an execution context still has it set.
 */
public final class LayerProfiler implements AutoCloseable {

    /** One layer's mean time over the profiled runs, in the order TensorRT runs the layers. */
    public record LayerTime(String name, double meanMs) {
    }

    private static final MethodHandle REPORT;
    /** The vtable's entries from the address point on: reportLayerTime and the two destructor entries. */
    private static final int FUNCTION_ENTRIES = 3;

    static {
        try {
            REPORT = MethodHandles.lookup().findVirtual(LayerProfiler.class, "report",
                    MethodType.methodType(void.class, MemorySegment.class, MemorySegment.class, float.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Arena arena = Arena.ofShared();
    private final MemorySegment object;
    private final Map<String, double[]> totals = new LinkedHashMap<>();
    private int runs;

    public LayerProfiler() {
        MemorySegment callback = Linker.nativeLinker().upcallStub(REPORT.bindTo(this),
                FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_FLOAT), arena);
        // Itanium ABI: offset-to-top and type info precede the address point the object refers to
        MemorySegment vtable = arena.allocate(ValueLayout.ADDRESS, 2 + FUNCTION_ENTRIES);
        vtable.setAtIndex(ValueLayout.ADDRESS, 0, MemorySegment.NULL);
        vtable.setAtIndex(ValueLayout.ADDRESS, 1, MemorySegment.NULL);
        for (int i = 0; i < FUNCTION_ENTRIES; i++) {
            vtable.setAtIndex(ValueLayout.ADDRESS, 2 + i, callback);
        }
        object = arena.allocate(ValueLayout.ADDRESS);
        object.set(ValueLayout.ADDRESS, 0, vtable.asSlice(2 * ValueLayout.ADDRESS.byteSize()));
    }

    /** The C++ object: its first word points at the vtable's first function entry. */
    MemorySegment cppObject() {
        return object;
    }

    /** The C++ object to hand to {@code IExecutionContext.setProfiler}. */
    IProfiler asProfiler() {
        return new IProfiler(asPointer());
    }

    /** A JavaCPP pointer to {@link #cppObject()}. */
    Pointer asPointer() {
        long objectAddress = object.address();
        return new Pointer() {
            {
                // a distinct name: inside this class body a plain "address" would be Pointer's own field (0)
                address = objectAddress;
            }
        };
    }

    /** Called by TensorRT on the thread that enqueued, once per layer and run. Must not throw into native code. */
    @SuppressWarnings("unused")
    private void report(MemorySegment self, MemorySegment name, float ms) {
        try {
            String layer = name.reinterpret(Integer.MAX_VALUE).getString(0);
            synchronized (totals) {
                double[] total = totals.computeIfAbsent(layer, k -> new double[2]);
                total[0] += ms;
                total[1]++;
            }
        } catch (Throwable ignored) {
            // a lost sample is better than a crash of the process from inside TensorRT
        }
    }

    /** Forgets what was collected (e.g. the first run, which includes lazy initialization). */
    void reset() {
        synchronized (totals) {
            totals.clear();
            runs = 0;
        }
    }

    void countRun() {
        runs++;
    }

    /** Mean time per layer over the runs counted since the last reset. */
    public List<LayerTime> layers() {
        List<LayerTime> layers = new ArrayList<>();
        synchronized (totals) {
            totals.forEach((name, total) -> layers.add(new LayerTime(name, total[0] / Math.max(1, total[1]))));
        }
        return layers;
    }

    public int runs() {
        return runs;
    }

    @Override
    public void close() {
        arena.close();
    }
}
