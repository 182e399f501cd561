package io.lamaserve.engine.tensorrt;

import io.lamaserve.engine.PhaseClock;
import io.lamaserve.model.ModelContract;
import io.lamaserve.tile.Tile;
import io.lamaserve.tile.TileBatch;
import org.bytedeco.cuda.cudart.CUgraphExec_st;
import org.bytedeco.cuda.cudart.CUgraph_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorrt.global.nvinfer;
import org.bytedeco.tensorrt.nvinfer.Dims4;
import org.bytedeco.tensorrt.nvinfer.ICudaEngine;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;
import org.jboss.logging.Logger;

import java.util.stream.IntStream;

/**
 * One executor's share of the engine: a CUDA stream, one execution context per batch size (each on its own
 * fixed-shape optimization profile, its input shapes set once at creation), device buffers and pinned host staging
 * buffers sized for the largest batch, and (optionally) one captured CUDA graph per context. Only the smallest
 * size's context is created with the slot; every other one when the first batch of its size runs (or a profile or a
 * graph capture needs it), which keeps the engine's start short. The contexts never run
 * at the same time, so they share one block of activation memory that this slot allocates. A batch runs on the
 * context of the smallest size that holds it; no batch changes any context's shape.
 *
 * <p>Used by one thread at a time; owns all of its native memory and frees it in {@link #close()}.
 */
final class ExecutionSlot implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ExecutionSlot.class);

    private final ICudaEngine engine;
    private final TrtLogger logger;
    private final int slot;
    private final BatchShapes shapes;
    private final int tile;
    private final boolean useGraphs;
    private final long imageFloats;
    private final long maskFloats;

    private final Pointer deviceImage = new Pointer();
    private final Pointer deviceMask = new Pointer();
    private final Pointer deviceOutput = new Pointer();
    private final Pointer activations = new Pointer();
    /** The most any of this slot's profiles needs; the block is made once, like the I/O buffers. */
    private final long activationBytes;
    private final Pointer pinnedImageBase = new Pointer();
    private final Pointer pinnedMaskBase = new Pointer();
    private final Pointer pinnedOutputBase = new Pointer();
    private FloatPointer pinnedImage;
    private FloatPointer pinnedMask;
    private FloatPointer pinnedOutput;
    // views of batch position i in the pinned buffers, made once, so that tiles can be copied in parallel
    private FloatPointer[] pinnedImageAt;
    private FloatPointer[] pinnedMaskAt;
    private FloatPointer[] pinnedOutputAt;

    private CUstream_st stream;
    /** Index i runs batches of {@code shapes.size(i)}. */
    private IExecutionContext[] contexts;
    private CUgraphExec_st[] graphs;
    private boolean graphsFailed;

    /**
     * @param slot which run of the engine's profiles this slot uses: profiles {@code slot × sizes} onwards
     */
    ExecutionSlot(ICudaEngine engine, TrtLogger logger, int slot, BatchShapes shapes, int tile, boolean useGraphs) {
        this.engine = engine;
        this.logger = logger;
        this.slot = slot;
        this.shapes = shapes;
        this.tile = tile;
        this.useGraphs = useGraphs;
        this.imageFloats = 3L * tile * tile;
        this.maskFloats = (long) tile * tile;
        int maxBatch = shapes.max();
        long needed = 0;
        for (int i = 0; i < shapes.count(); i++) {
            needed = Math.max(needed, engine.getDeviceMemorySizeForProfileV2(firstProfile() + i));
        }
        this.activationBytes = needed;
        try {
            Cuda.check(cudart.cudaMalloc(activations, Math.max(activationBytes, 256)), "cudaMalloc(activations)");
            long imageBytes = 4 * imageFloats * maxBatch;
            long maskBytes = 4 * maskFloats * maxBatch;
            Cuda.check(cudart.cudaMalloc(deviceImage, imageBytes), "cudaMalloc(image)");
            Cuda.check(cudart.cudaMalloc(deviceMask, maskBytes), "cudaMalloc(mask)");
            Cuda.check(cudart.cudaMalloc(deviceOutput, imageBytes), "cudaMalloc(output)");
            // rows beyond a partial batch are computed too: let them hold zeros, not whatever the allocation held
            Cuda.check(cudart.cudaMemset(deviceImage, 0, imageBytes), "cudaMemset(image)");
            Cuda.check(cudart.cudaMemset(deviceMask, 0, maskBytes), "cudaMemset(mask)");
            Cuda.check(cudart.cudaMallocHost(pinnedImageBase, imageBytes), "cudaMallocHost(image)");
            Cuda.check(cudart.cudaMallocHost(pinnedMaskBase, maskBytes), "cudaMallocHost(mask)");
            Cuda.check(cudart.cudaMallocHost(pinnedOutputBase, imageBytes), "cudaMallocHost(output)");
            pinnedImage = new FloatPointer(pinnedImageBase).capacity(imageFloats * maxBatch);
            pinnedMask = new FloatPointer(pinnedMaskBase).capacity(maskFloats * maxBatch);
            pinnedOutput = new FloatPointer(pinnedOutputBase).capacity(imageFloats * maxBatch);
            pinnedImageAt = views(pinnedImage, imageFloats, maxBatch);
            pinnedMaskAt = views(pinnedMask, maskFloats, maxBatch);
            pinnedOutputAt = views(pinnedOutput, imageFloats, maxBatch);
            openContexts();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static FloatPointer[] views(FloatPointer buffer, long floatsEach, int count) {
        FloatPointer[] views = new FloatPointer[count];
        for (int i = 0; i < count; i++) {
            views[i] = new FloatPointer(buffer).position(i * floatsEach);
        }
        return views;
    }

    /** Activation memory this slot holds for its contexts (the largest any of them needs). */
    long activationBytes() {
        return activationBytes;
    }

    /** This slot's run of profiles starts here: one per batch size, slot after slot. */
    private int firstProfile() {
        return slot * shapes.count();
    }

    /**
     * A fresh stream and the context of the smallest batch size; the other sizes' contexts are made when their
     * first batch comes ({@link #context(int)}), so a start pays for one context per slot, not one per size.
     */
    private void openContexts() {
        stream = new CUstream_st();
        Cuda.check(cudart.cudaStreamCreateWithFlags(stream, cudart.cudaStreamNonBlocking), "cudaStreamCreate");
        contexts = new IExecutionContext[shapes.count()];
        graphs = new CUgraphExec_st[shapes.count()];
        context(0);
    }

    /**
     * The execution context of batch-size index {@code shape}, created on first use: on this slot's profile for that
     * size, with its input shapes set and its tensors bound to the slot's buffers. Only a fully prepared context is
     * kept; one that fails half-way is deleted again. Every context this slot holds is freed by {@link #close()}
     * (or replaced by {@link #recreate()}).
     */
    private IExecutionContext context(int shape) {
        IExecutionContext existing = contexts[shape];
        if (existing != null) {
            return existing;
        }
        long started = System.nanoTime();
        IExecutionContext context;
        // the contexts of all slots come from one engine; the slots' threads may ask for them at the same time
        synchronized (engine) {
            context = engine.createExecutionContext(nvinfer.ExecutionContextAllocationStrategy.kUSER_MANAGED);
        }
        if (context == null || context.isNull()) {
            throw new Cuda.CudaException("TensorRT could not create an execution context: " + logger.lastError(),
                    cudart.cudaErrorMemoryAllocation);
        }
        try {
            context.setDeviceMemoryV2(activations, activationBytes);
            int profile = firstProfile() + shape;
            if (!context.setOptimizationProfileAsync(profile, stream)) {
                throw new IllegalStateException("TensorRT rejected optimization profile " + profile + ": "
                        + logger.lastError());
            }
            int size = shapes.size(shape);
            boolean shaped;
            try (Dims4 image = new Dims4(size, 3, tile, tile); Dims4 mask = new Dims4(size, 1, tile, tile)) {
                shaped = context.setInputShape(ModelContract.IMAGE, image) & context.setInputShape(ModelContract.MASK, mask);
            }
            boolean bound = context.setTensorAddress(ModelContract.IMAGE, deviceImage)
                    & context.setTensorAddress(ModelContract.MASK, deviceMask)
                    & context.setTensorAddress(ModelContract.OUTPUT, deviceOutput);
            if (!shaped || !bound) {
                throw new IllegalStateException("TensorRT did not accept batch " + size + " on profile " + profile
                        + ": " + logger.lastError());
            }
            Cuda.check(cudart.cudaStreamSynchronize(stream), "selecting optimization profile " + profile);
        } catch (RuntimeException e) {
            NativeDelete.delete(context);
            throw e;
        }
        contexts[shape] = context;
        if (LOG.isDebugEnabled()) {
            LOG.debugf("slot %d: execution context for batch %d created in %.1f ms", (Object) slot,
                    (Object) shapes.size(shape), (Object) ((System.nanoTime() - started) / 1e6));
        }
        return context;
    }

    /**
     * Copies the tiles in, runs the model on this slot's stream and copies the composited result (scaled to 0..255)
     * into each tile's output. All transfers and the inference are asynchronous on the stream; the call returns
     * after the stream has drained.
     *
     * @throws Cuda.CudaException or {@link IllegalStateException} when CUDA or TensorRT failed
     */
    void run(TileBatch batch, PhaseClock phases) {
        int n = batch.size();
        int shape = shapes.indexFor(n);
        // the copies into and out of pinned memory are the executor's own CPU work, during which this context's
        // GPU work waits: tiles are copied in parallel (a batch of 16 is 64 MB in, 48 MB out)
        IntStream.range(0, n).parallel().forEach(i -> {
            Tile t = batch.get(i);
            pinnedImageAt[i].put(t.image(), 0, (int) imageFloats);
            pinnedMaskAt[i].put(t.mask(), 0, (int) maskFloats);
        });
        phases.staged();
        Cuda.check(cudart.cudaMemcpyAsync(deviceImage, pinnedImage, 4 * imageFloats * n,
                cudart.cudaMemcpyHostToDevice, stream), "copying images to the GPU");
        Cuda.check(cudart.cudaMemcpyAsync(deviceMask, pinnedMask, 4 * maskFloats * n,
                cudart.cudaMemcpyHostToDevice, stream), "copying masks to the GPU");
        enqueue(shape);
        Cuda.check(cudart.cudaMemcpyAsync(pinnedOutput, deviceOutput, 4 * imageFloats * n,
                cudart.cudaMemcpyDeviceToHost, stream), "copying results from the GPU");
        Cuda.check(cudart.cudaStreamSynchronize(stream), "running the batch");
        phases.computed();
        IntStream.range(0, n).parallel().forEach(i -> {
            Tile tile = batch.get(i);
            pinnedOutputAt[i].get(tile.output(), 0, tile.output().length);
        });
    }

    private void enqueue(int shape) {
        if (useGraphs && !graphsFailed) {
            CUgraphExec_st graph = graphs[shape] != null ? graphs[shape] : capture(shape);
            if (graph != null) {
                Cuda.check(cudart.cudaGraphLaunch(graph, stream), "launching the CUDA graph for batch "
                        + shapes.size(shape));
                return;
            }
        }
        if (!context(shape).enqueueV3(stream)) {
            throw new IllegalStateException("TensorRT enqueue failed for batch " + shapes.size(shape) + ": "
                    + logger.lastError());
        }
    }

    /**
     * Captures one enqueue of a context as a CUDA graph; its shape never changes, so the graph stays valid. TensorRT
     * needs one ordinary enqueue first. If capture fails, graphs are off for this slot and the plain path runs.
     */
    private CUgraphExec_st capture(int shape) {
        IExecutionContext context = context(shape);
        if (!context.enqueueV3(stream)) {
            throw new IllegalStateException("TensorRT enqueue failed for batch " + shapes.size(shape) + ": "
                    + logger.lastError());
        }
        Cuda.check(cudart.cudaStreamSynchronize(stream), "warm-up before graph capture");
        CUgraph_st graph = new CUgraph_st();
        CUgraphExec_st executable = new CUgraphExec_st();
        int status = cudart.cudaStreamBeginCapture(stream, cudart.cudaStreamCaptureModeThreadLocal);
        boolean enqueued = status == cudart.cudaSuccess && context.enqueueV3(stream);
        int endStatus = cudart.cudaStreamEndCapture(stream, graph);
        if (status != cudart.cudaSuccess || !enqueued || endStatus != cudart.cudaSuccess
                || cudart.cudaGraphInstantiate(executable, graph, 0L) != cudart.cudaSuccess) {
            cudart.cudaGetLastError();
            if (!graph.isNull()) {
                cudart.cudaGraphDestroy(graph);
            }
            LOG.warnf("CUDA graph capture failed on slot %d for batch %d; running without graphs", slot,
                    shapes.size(shape));
            graphsFailed = true;
            return null;
        }
        cudart.cudaGraphDestroy(graph);
        graphs[shape] = executable;
        return executable;
    }

    /**
     * Runs the context of batch size {@code size} {@code runs} times with TensorRT's per-layer profiler attached,
     * for measurements. No CUDA graph: TensorRT reports the layers of each enqueue. A first run is not counted.
     * TensorRT 10 refuses to take a profiler back ({@code setProfiler(nullptr)} is an API usage error), so the
     * profiled context is deleted afterwards, with its CUDA graph, and made again when that size next runs: the
     * profiler may then be closed.
     */
    void profile(int size, int runs, LayerProfiler profiler) {
        int shape = shapes.indexFor(size);
        IExecutionContext context = context(shape);
        try {
            context.setProfiler(profiler.asProfiler());
            for (int i = 0; i <= runs; i++) {
                if (i == 1) {
                    profiler.reset();
                }
                if (!context.enqueueV3(stream)) {
                    throw new IllegalStateException("TensorRT enqueue failed for batch " + shapes.size(shape) + ": "
                            + logger.lastError());
                }
                Cuda.check(cudart.cudaStreamSynchronize(stream), "profiled run");
                if (i > 0) {
                    profiler.countRun();
                }
            }
        } finally {
            cudart.cudaStreamSynchronize(stream);
            if (graphs[shape] != null) {
                cudart.cudaGraphExecDestroy(graphs[shape]);
                graphs[shape] = null;
            }
            contexts[shape] = null;
            NativeDelete.delete(context);
        }
    }

    /**
     * After a failed batch: a fresh stream and execution contexts on the same buffers (the smallest size's now, the
     * others again on first use).
     */
    void recreate() {
        cudart.cudaGetLastError();
        releaseContexts();
        openContexts();
    }

    private void releaseContexts() {
        if (graphs != null) {
            for (int i = 0; i < graphs.length; i++) {
                if (graphs[i] != null) {
                    cudart.cudaGraphExecDestroy(graphs[i]);
                    graphs[i] = null;
                }
            }
        }
        if (stream != null && !stream.isNull()) {
            cudart.cudaStreamSynchronize(stream);
        }
        if (contexts != null) {
            for (IExecutionContext context : contexts) {
                NativeDelete.delete(context);
            }
        }
        contexts = null;
        if (stream != null && !stream.isNull()) {
            cudart.cudaStreamDestroy(stream);
        }
        stream = null;
    }

    @Override
    public void close() {
        releaseContexts();
        for (Pointer device : new Pointer[] {deviceImage, deviceMask, deviceOutput, activations}) {
            if (!device.isNull()) {
                cudart.cudaFree(device);
                device.setNull();
            }
        }
        for (Pointer host : new Pointer[] {pinnedImageBase, pinnedMaskBase, pinnedOutputBase}) {
            if (!host.isNull()) {
                cudart.cudaFreeHost(host);
                host.setNull();
            }
        }
    }
}
