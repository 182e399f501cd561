package io.lamaserve.engine.tensorrt;

import io.lamaserve.engine.BatchPhases;
import io.lamaserve.engine.Tile;
import io.lamaserve.engine.TileBatch;
import io.lamaserve.model.ModelContract;
import org.bytedeco.cuda.cudart.CUgraphExec_st;
import org.bytedeco.cuda.cudart.CUgraph_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorrt.nvinfer.Dims4;
import org.bytedeco.tensorrt.nvinfer.ICudaEngine;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * One execution context with everything it needs to run a batch without allocating: its own CUDA stream, its own
 * optimization profile, device buffers and pinned host staging buffers sized for the max batch, and (optionally)
 * one captured CUDA graph per batch size. Used by one thread at a time; owns all of its native memory.
 */
@SuppressWarnings("deprecation") // IExecutionContext.destroy() is TensorRT 8.6's release call
final class ExecutionSlot implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ExecutionSlot.class);

    private final ICudaEngine engine;
    private final TrtLogger logger;
    private final int profile;
    private final int tile;
    private final int maxBatch;
    private final boolean useGraphs;
    private final long imageFloats;
    private final long maskFloats;

    private final Pointer deviceImage = new Pointer();
    private final Pointer deviceMask = new Pointer();
    private final Pointer deviceOutput = new Pointer();
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
    // input shapes per batch size, made once and freed in close(): a shape change allocates nothing
    private final Dims4[] imageShapes;
    private final Dims4[] maskShapes;

    private CUstream_st stream;
    private IExecutionContext context;
    private int shapeBatch = -1;
    private boolean graphsFailed;
    private final Map<Integer, CUgraphExec_st> graphs = new HashMap<>();
    private final java.util.List<LayerProfiler> profilers = new java.util.ArrayList<>();

    ExecutionSlot(ICudaEngine engine, TrtLogger logger, int profile, int tile, int maxBatch, boolean useGraphs) {
        this.engine = engine;
        this.logger = logger;
        this.profile = profile;
        this.tile = tile;
        this.maxBatch = maxBatch;
        this.useGraphs = useGraphs;
        this.imageFloats = 3L * tile * tile;
        this.maskFloats = (long) tile * tile;
        this.imageShapes = new Dims4[maxBatch + 1];
        this.maskShapes = new Dims4[maxBatch + 1];
        for (int n = 1; n <= maxBatch; n++) {
            imageShapes[n] = new Dims4(n, 3, tile, tile);
            maskShapes[n] = new Dims4(n, 1, tile, tile);
        }
        try {
            long imageBytes = 4 * imageFloats * maxBatch;
            long maskBytes = 4 * maskFloats * maxBatch;
            Cuda.check(cudart.cudaMalloc(deviceImage, imageBytes), "cudaMalloc(image)");
            Cuda.check(cudart.cudaMalloc(deviceMask, maskBytes), "cudaMalloc(mask)");
            Cuda.check(cudart.cudaMalloc(deviceOutput, imageBytes), "cudaMalloc(output)");
            Cuda.check(cudart.cudaMallocHost(pinnedImageBase, imageBytes), "cudaMallocHost(image)");
            Cuda.check(cudart.cudaMallocHost(pinnedMaskBase, maskBytes), "cudaMallocHost(mask)");
            Cuda.check(cudart.cudaMallocHost(pinnedOutputBase, imageBytes), "cudaMallocHost(output)");
            pinnedImage = new FloatPointer(pinnedImageBase).capacity(imageFloats * maxBatch);
            pinnedMask = new FloatPointer(pinnedMaskBase).capacity(maskFloats * maxBatch);
            pinnedOutput = new FloatPointer(pinnedOutputBase).capacity(imageFloats * maxBatch);
            pinnedImageAt = views(pinnedImage, imageFloats, maxBatch);
            pinnedMaskAt = views(pinnedMask, maskFloats, maxBatch);
            pinnedOutputAt = views(pinnedOutput, imageFloats, maxBatch);
            openContext();
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

    private void openContext() {
        stream = new CUstream_st();
        Cuda.check(cudart.cudaStreamCreateWithFlags(stream, cudart.cudaStreamNonBlocking), "cudaStreamCreate");
        context = engine.createExecutionContext();
        if (context == null || context.isNull()) {
            throw new Cuda.CudaException("TensorRT could not create an execution context: " + logger.lastError(),
                    cudart.cudaErrorMemoryAllocation);
        }
        if (!context.setOptimizationProfileAsync(profile, stream)) {
            throw new IllegalStateException("TensorRT rejected optimization profile " + profile + ": " + logger.lastError());
        }
        Cuda.check(cudart.cudaStreamSynchronize(stream), "selecting the optimization profile");
        boolean bound = context.setTensorAddress(ModelContract.IMAGE, deviceImage)
                & context.setTensorAddress(ModelContract.MASK, deviceMask)
                & context.setTensorAddress(ModelContract.OUTPUT, deviceOutput);
        if (!bound) {
            throw new IllegalStateException("TensorRT did not accept the I/O buffers: " + logger.lastError());
        }
        shapeBatch = -1;
    }

    /**
     * Copies the tiles in, runs the model on this slot's stream and copies the composited result (scaled to 0..255)
     * into each tile's output. All transfers and the inference are asynchronous on the stream; the call returns
     * after the stream has drained.
     *
     * @throws Cuda.CudaException or {@link IllegalStateException} when CUDA or TensorRT failed
     */
    void run(TileBatch batch, float outputScale) {
        long started = System.nanoTime();
        int n = batch.size();
        // the copies into and out of pinned memory are the executor's own CPU work, during which this context's
        // GPU work waits: tiles are copied in parallel (a batch of 16 is 64 MB in, 48 MB out)
        IntStream.range(0, n).parallel().forEach(i -> {
            Tile t = batch.get(i);
            pinnedImageAt[i].put(t.image(), 0, (int) imageFloats);
            pinnedMaskAt[i].put(t.mask(), 0, (int) maskFloats);
        });
        long staged = System.nanoTime();
        Cuda.check(cudart.cudaMemcpyAsync(deviceImage, pinnedImage, 4 * imageFloats * n,
                cudart.cudaMemcpyHostToDevice, stream), "copying images to the GPU");
        Cuda.check(cudart.cudaMemcpyAsync(deviceMask, pinnedMask, 4 * maskFloats * n,
                cudart.cudaMemcpyHostToDevice, stream), "copying masks to the GPU");
        enqueue(n);
        Cuda.check(cudart.cudaMemcpyAsync(pinnedOutput, deviceOutput, 4 * imageFloats * n,
                cudart.cudaMemcpyDeviceToHost, stream), "copying results from the GPU");
        Cuda.check(cudart.cudaStreamSynchronize(stream), "running the batch");
        long computed = System.nanoTime();
        IntStream.range(0, n).parallel().forEach(i -> {
            Tile tile = batch.get(i);
            pinnedOutputAt[i].get(tile.output(), 0, tile.output().length);
            tile.scaleOutput(outputScale);
        });
        BatchPhases.record(started, staged, computed, System.nanoTime());
    }

    private void enqueue(int n) {
        if (useGraphs && !graphsFailed) {
            CUgraphExec_st graph = graphs.get(n);
            if (graph == null) {
                graph = capture(n);
            }
            if (graph != null) {
                Cuda.check(cudart.cudaGraphLaunch(graph, stream), "launching the CUDA graph for batch " + n);
                return;
            }
        }
        setShape(n);
        if (!context.enqueueV3(stream)) {
            throw new IllegalStateException("TensorRT enqueue failed for batch " + n + ": " + logger.lastError());
        }
    }

    private void setShape(int n) {
        if (shapeBatch != n) {
            boolean ok = context.setInputShape(ModelContract.IMAGE, imageShapes[n])
                    & context.setInputShape(ModelContract.MASK, maskShapes[n]);
            if (!ok) {
                throw new IllegalStateException("TensorRT rejected batch " + n + " (profile 1.." + maxBatch + "): "
                        + logger.lastError());
            }
            shapeBatch = n;
        }
    }

    /**
     * Captures one enqueue of batch {@code n} as a CUDA graph. TensorRT needs one ordinary enqueue after a shape
     * change before it can be captured. If capture fails, graphs are off for this slot and the plain path runs.
     */
    private CUgraphExec_st capture(int n) {
        setShape(n);
        if (!context.enqueueV3(stream)) {
            throw new IllegalStateException("TensorRT enqueue failed for batch " + n + ": " + logger.lastError());
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
            LOG.warnf("CUDA graph capture failed on context %d for batch %d; running without graphs", profile, n);
            graphsFailed = true;
            return null;
        }
        cudart.cudaGraphDestroy(graph);
        graphs.put(n, executable);
        return executable;
    }

    /** Diagnostics: per-layer timing of every following enqueue on this slot (null turns it off). */
    void profile(LayerProfiler profiler) {
        if (profiler != null) {
            // TensorRT keeps the raw pointer: the Java peer must outlive the context, not just the profiled runs
            profilers.add(profiler);
        }
        context.setProfiler(profiler);
    }

    /** After a failed batch: a fresh stream and execution context on the same buffers. */
    void recreate() {
        cudart.cudaGetLastError();
        releaseContext();
        openContext();
    }

    private void releaseContext() {
        graphs.values().forEach(cudart::cudaGraphExecDestroy);
        graphs.clear();
        if (stream != null && !stream.isNull()) {
            cudart.cudaStreamSynchronize(stream);
        }
        if (context != null && !context.isNull()) {
            context.destroy();
        }
        context = null;
        if (stream != null && !stream.isNull()) {
            cudart.cudaStreamDestroy(stream);
        }
        stream = null;
    }

    @Override
    public void close() {
        releaseContext();
        for (Dims4[] shapes : new Dims4[][] {imageShapes, maskShapes}) {
            for (int n = 1; n < shapes.length; n++) {
                if (shapes[n] != null) {
                    shapes[n].close();
                    shapes[n] = null;
                }
            }
        }
        for (Pointer device : new Pointer[] {deviceImage, deviceMask, deviceOutput}) {
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
