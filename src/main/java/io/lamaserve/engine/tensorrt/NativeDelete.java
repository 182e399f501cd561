package io.lamaserve.engine.tensorrt;

import org.bytedeco.javacpp.Pointer;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Deletes TensorRT 10 objects. TensorRT 10 dropped {@code destroy()}: its objects are released with C++
 * {@code delete}, and the Java bindings (JavaCPP presets 1.5.11) give objects that TensorRT returns no deallocator.
 *
 * <p>The classes released here (runtime, engine, execution context, builder, builder config, network, host memory,
 * timing cache) declare no virtual function besides their destructor, inherited from {@code INoCopy}; every other
 * method forwards to an implementation object. Under the Itanium C++ ABI that Linux compilers use, the vtable of
 * such a class holds the complete-object destructor first and the deleting destructor second, so
 * {@code delete object} is a call of the second vtable entry with the object. The ONNX parser is not such a class
 * (its destructor follows its virtual methods) and is never passed here.
 */
final class NativeDelete {

    private static final MethodHandle CALL_WITH_OBJECT =
            Linker.nativeLinker().downcallHandle(FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
    /** Index of the deleting destructor in the vtable of a class whose only virtual function is its destructor. */
    private static final int DELETING_DESTRUCTOR = 1;

    private NativeDelete() {
    }

    /** {@code delete object}, then marks the Java peer null; null or already-deleted peers are ignored. */
    static void delete(Pointer object) {
        if (object == null || object.isNull()) {
            return;
        }
        MemorySegment self = MemorySegment.ofAddress(object.address()).reinterpret(ValueLayout.ADDRESS.byteSize());
        MemorySegment vtable = self.get(ValueLayout.ADDRESS, 0)
                .reinterpret(ValueLayout.ADDRESS.byteSize() * (DELETING_DESTRUCTOR + 1));
        MemorySegment destructor = vtable.getAtIndex(ValueLayout.ADDRESS, DELETING_DESTRUCTOR);
        try {
            CALL_WITH_OBJECT.invokeExact(destructor, self);
        } catch (Throwable e) {
            throw new IllegalStateException("deleting a TensorRT object failed", e);
        }
        object.setNull();
    }
}
