package io.lamaserve.engine.tensorrt;

import io.lamaserve.engine.EngineException;
import io.lamaserve.engine.ModelRunner;
import io.lamaserve.engine.PhaseClock;
import io.lamaserve.model.ModelContract;
import io.lamaserve.model.ModelSignature;
import io.lamaserve.tile.TileBatch;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorrt.global.nvinfer;
import org.bytedeco.tensorrt.nvinfer.ICudaEngine;
import org.bytedeco.tensorrt.nvinfer.IRuntime;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LaMa on a deserialized TensorRT engine. Each slot ({@link ExecutionSlot}) has its own CUDA stream, one execution
 * context per batch size on fixed-shape profiles (made when that size first runs), preallocated device buffers and pinned staging buffers; the
 * batcher runs one batch per slot at a time, so the copies and CPU work of one slot overlap the GPU work of another. A CUDA or TensorRT failure during
 * a batch fails that batch with {@link EngineException} and gives the slot a fresh execution context and stream.
 */
public final class TensorRtEngine implements ModelRunner {

    private static final Logger LOG = Logger.getLogger(TensorRtEngine.class);

    private final String name;
    private final int device;
    private final TrtLogger logger;
    private final IRuntime runtime;
    private final ICudaEngine engine;
    private final String hardware;
    private final ModelContract contract;
    private final BatchShapes shapes;
    private final List<ExecutionSlot> slots = new ArrayList<>();
    private final StartPhases startPhases;
    /** Which slots have run their first batch (the warm-up), and how long those first batches took together. */
    private final boolean[] warmSlots;
    private int warmCount;
    private double warmSeconds;
    private volatile boolean warm;
    private volatile boolean closed;

    private TensorRtEngine(String name, String hardware, int device, TrtLogger logger, IRuntime runtime,
                           ICudaEngine engine, ModelContract contract, BatchShapes shapes, int slotCount,
                           StartPhases phases) {
        this.startPhases = phases;
        this.warmSlots = new boolean[slotCount];
        this.name = name;
        this.hardware = hardware;
        this.device = device;
        this.logger = logger;
        this.runtime = runtime;
        this.engine = engine;
        this.contract = contract;
        this.shapes = shapes;
    }

    /**
     * Deserializes a plan and prepares {@code contexts} execution slots (at most as many as the plan has runs of
     * batch-size profiles).
     *
     * @param metadata the ONNX metadata properties (TensorRT does not keep them)
     * @param phases   receives the deserialization, the creation of the slots and, once every slot has run its
     *                 first batch, the warm-up; the engine then logs {@link StartPhases#line()}
     * @throws EngineException when TensorRT rejects the plan or the GPU lacks memory for the slots
     */
    static TensorRtEngine open(String name, String hardware, Pointer plan, long planBytes, TrtLogger logger, int device,
                               int contexts, boolean cudaGraphs, Map<String, String> metadata, StartPhases phases)
            throws EngineException {
        long started = System.nanoTime();
        Cuda.check(cudart.cudaSetDevice(device), "cudaSetDevice(" + device + ")");
        IRuntime runtime = nvinfer.createInferRuntime(logger);
        ICudaEngine engine = runtime.deserializeCudaEngine(plan, planBytes);
        phases.record(StartPhases.Phase.DESERIALIZE, StartPhases.since(started));
        if (engine == null || engine.isNull()) {
            NativeDelete.delete(runtime);
            throw new EngineException("TensorRT could not deserialize the plan: " + logger.lastError());
        }
        TensorRtEngine opened = null;
        try {
            ModelContract contract = ModelContract.of(signature(engine, metadata));
            List<Integer> profileSizes = new ArrayList<>();
            for (int p = 0; p < engine.getNbOptimizationProfiles(); p++) {
                profileSizes.add((int) engine.getProfileShape(ModelContract.IMAGE, p, nvinfer.OptProfileSelector.kMAX).d(0));
            }
            BatchShapes shapes = BatchShapes.fromProfiles(profileSizes);
            int runs = profileSizes.size() / shapes.count();
            int slotCount = Math.min(contexts, runs);
            if (slotCount < contexts) {
                LOG.warnf("the engine has profiles for %d execution context(s); using %d instead of %d", runs,
                        slotCount, contexts);
            }
            opened = new TensorRtEngine(name, hardware, device, logger, runtime, engine, contract, shapes,
                    slotCount, phases.engine(name));
            long slotsStarted = System.nanoTime();
            // side by side: each slot pins about 230 MiB of host memory at batch 32, most of a slot's start
            opened.slots.addAll(SideBySide.open(slotCount, "lama-tensorrt-slot", slot -> {
                Cuda.check(cudart.cudaSetDevice(device), "cudaSetDevice(" + device + ")");
                return new ExecutionSlot(engine, logger, slot, shapes, contract.tileSize(), cudaGraphs);
            }));
            phases.record(StartPhases.Phase.CONTEXTS, StartPhases.since(slotsStarted));
            LOG.infof("TensorRT engine %s ready: tile %d, batch sizes %s, %d slot(s) with %d MiB activation memory "
                            + "each (the contexts of batch sizes above %d are made on first use)%s", name,
                    contract.tileSize(), shapes.canonical(), slotCount,
                    opened.slots.getFirst().activationBytes() >> 20, shapes.size(0), cudaGraphs ? ", CUDA graphs on" : "");
            return opened;
        } catch (RuntimeException e) {
            if (opened != null) {
                opened.close();
            } else {
                NativeDelete.delete(engine);
                NativeDelete.delete(runtime);
            }
            throw new EngineException("TensorRT engine could not be prepared: " + e.getMessage(), e);
        }
    }

    static ModelSignature signature(ICudaEngine engine, Map<String, String> metadata) {
        Map<String, long[]> inputs = new LinkedHashMap<>();
        Map<String, long[]> outputs = new LinkedHashMap<>();
        for (int i = 0; i < engine.getNbIOTensors(); i++) {
            String tensor = engine.getIOTensorName(i);
            long[] shape = EngineBuilder.shape(engine.getTensorShape(tensor));
            // the batch sizes are the profiles' business, and with fixed-shape profiles TensorRT reports an output's
            // batch axis as the first profile's size: every tensor's batch axis is read as dynamic
            if (shape.length > 0) {
                shape[0] = -1;
            }
            // JavaCPP's enum overloads hand back fresh enum instances: compare TensorRT's values
            int mode;
            try (BytePointer tensorName = new BytePointer(tensor)) {
                mode = engine.getTensorIOMode(tensorName);
            }
            (mode == nvinfer.TensorIOMode.kINPUT.value ? inputs : outputs).put(tensor, shape);
        }
        return new ModelSignature(inputs, outputs, metadata);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String hardware() {
        return hardware;
    }

    @Override
    public int tileSize() {
        return contract.tileSize();
    }

    @Override
    public int maxBatch() {
        return shapes.max();
    }

    @Override
    public List<Integer> batchSizes() {
        return shapes.sizes();
    }

    @Override
    public int parallelism() {
        return slots.size();
    }

    @Override
    public float outputScale() {
        return contract.outputScale();
    }

    @Override
    public void run(int slot, TileBatch batch, PhaseClock phases) throws EngineException {
        // a retired engine closes when its last batch returns (SwappableEngine): none may start on freed buffers
        if (closed) {
            throw new EngineException("engine " + name + " is closed");
        }
        ExecutionSlot execution = slots.get(slot);
        long started = System.nanoTime();
        try {
            Cuda.check(cudart.cudaSetDevice(device), "cudaSetDevice");
            execution.run(batch, phases);
            if (!warm) {
                warmedUp(slot, StartPhases.since(started));
            }
        } catch (RuntimeException failure) {
            LOG.errorf("batch of %d failed on %s context %d: %s; recreating the context", batch.size(), name, slot,
                    failure.getMessage());
            try {
                execution.recreate();
            } catch (RuntimeException again) {
                LOG.errorf("recreating context %d of %s failed too: %s", slot, name, again.getMessage());
            }
            throw new EngineException("GPU inference failed: " + failure.getMessage(), failure);
        }
    }

    /** The slot's first batch succeeded; after the last slot's, the start's phases are complete and logged once. */
    private synchronized void warmedUp(int slot, double seconds) {
        if (warmSlots[slot]) {
            return;
        }
        warmSlots[slot] = true;
        warmSeconds += seconds;
        if (++warmCount == warmSlots.length) {
            warm = true;
            startPhases.record(StartPhases.Phase.WARMUP, warmSeconds);
            if (startPhases.claimLog()) {
                LOG.info(startPhases.line());
            }
        }
    }

    /** The timings of this engine's start ({@link StartPhases}); the warm-up is there once every slot ran a batch. */
    public StartPhases startPhases() {
        return startPhases;
    }

    /**
     * Per-layer mean times of the batch size {@code size} on the first slot over {@code runs} runs, for
     * measurements; must not run while that slot serves a batch.
     */
    public synchronized List<LayerProfiler.LayerTime> profileLayers(int size, int runs) {
        try (LayerProfiler profiler = new LayerProfiler()) {
            Cuda.check(cudart.cudaSetDevice(device), "cudaSetDevice");
            slots.getFirst().profile(size, runs, profiler);
            return profiler.layers();
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        cudart.cudaSetDevice(device);
        slots.forEach(ExecutionSlot::close);
        slots.clear();
        NativeDelete.delete(engine);
        NativeDelete.delete(runtime);
        LOG.debugf("closed TensorRT engine %s", name);
    }
}
