package io.lamaserve.engine.onnxruntime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.lamaserve.engine.EngineException;
import io.lamaserve.tile.Tile;
import io.lamaserve.tile.TileBatch;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Direct (off-heap) input and output buffers sized for the largest batch, allocated once, plus ONNX Runtime
 * tensor views of their first n tiles for every batch size n, created on first use and kept. A batch therefore
 * costs two bulk copies in and one out, and no allocation. Owned by one engine, closed with it.
 */
final class StagingBuffers implements AutoCloseable {

    record Tensors(OnnxTensor image, OnnxTensor mask, OnnxTensor output) {
        void close() {
            image.close();
            mask.close();
            output.close();
        }
    }

    private final OrtEnvironment environment;
    private final int tile;
    private final int plane;
    private final FloatBuffer image;
    private final FloatBuffer mask;
    private final FloatBuffer output;
    private final Tensors[] bySize;

    StagingBuffers(OrtEnvironment environment, int tile, int maxBatch) {
        this.environment = environment;
        this.tile = tile;
        this.plane = tile * tile;
        this.image = direct(maxBatch * 3L * plane);
        this.mask = direct(maxBatch * (long) plane);
        this.output = direct(maxBatch * 3L * plane);
        this.bySize = new Tensors[maxBatch + 1];
    }

    private static FloatBuffer direct(long floats) {
        if (floats * Float.BYTES > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("staging buffer of " + floats + " floats is too large; lower the max batch");
        }
        return ByteBuffer.allocateDirect((int) (floats * Float.BYTES)).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    Tensors forBatch(int size) throws EngineException {
        Tensors tensors = bySize[size];
        if (tensors == null) {
            try {
                tensors = new Tensors(
                        OnnxTensor.createTensor(environment, image.slice(0, size * 3 * plane), new long[]{size, 3, tile, tile}),
                        OnnxTensor.createTensor(environment, mask.slice(0, size * plane), new long[]{size, 1, tile, tile}),
                        OnnxTensor.createTensor(environment, output.slice(0, size * 3 * plane), new long[]{size, 3, tile, tile}));
            } catch (OrtException e) {
                throw new EngineException("cannot create ONNX Runtime tensors for batch " + size, e);
            }
            bySize[size] = tensors;
        }
        return tensors;
    }

    void load(TileBatch batch) {
        for (int i = 0; i < batch.size(); i++) {
            Tile tile = batch.get(i);
            image.put(i * 3 * plane, tile.image());
            mask.put(i * plane, tile.mask());
        }
    }

    void store(TileBatch batch) {
        for (int i = 0; i < batch.size(); i++) {
            Tile tile = batch.get(i);
            output.get(i * 3 * plane, tile.output());
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < bySize.length; i++) {
            if (bySize[i] != null) {
                bySize[i].close();
                bySize[i] = null;
            }
        }
    }
}
