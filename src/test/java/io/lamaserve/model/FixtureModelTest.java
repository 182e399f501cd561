package io.lamaserve.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the committed random-weight test model ({@code models/lama-fixture.onnx}, made by tools/lama-export) in
 * ONNX Runtime and checks the contract the service relies on: names and shapes, a batch axis that really is
 * dynamic (a batch of 4 gives the same as four single runs), composited 0..255 output, and agreement with the
 * exporter's torch.fft reference on a fixed probe input.
 */
class FixtureModelTest {

    private static final int TILE = 512;
    private static final int PLANE = TILE * TILE;
    /** Pixels outside the hole must pass through: output = 255 * image, up to float rounding. */
    private static final float PASS_THROUGH_TOLERANCE = 1e-3f;

    private static OrtEnvironment environment;
    private static OrtSession session;

    @BeforeAll
    static void openSession() throws OrtException, URISyntaxException {
        environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(2);
            session = environment.createSession(resource("lama-fixture.onnx").toString(), options);
        }
    }

    @AfterAll
    static void closeSession() throws OrtException {
        if (session != null) {
            session.close();
        }
    }

    @Test
    void declaresTheContractWithOnlyTheBatchAxisDynamic() throws OrtException {
        Map<String, long[]> inputs = shapes(session.getInputInfo());
        Map<String, long[]> outputs = shapes(session.getOutputInfo());
        assertArrayEquals(new long[] {-1, 3, TILE, TILE}, inputs.get(ModelContract.IMAGE));
        assertArrayEquals(new long[] {-1, 1, TILE, TILE}, inputs.get(ModelContract.MASK));
        assertArrayEquals(new long[] {-1, 3, TILE, TILE}, outputs.get(ModelContract.OUTPUT));

        Map<String, String> metadata = session.getMetadata().getCustomMetadata();
        ModelContract contract = ModelContract.of(new ModelSignature(inputs, outputs, metadata));
        assertEquals(TILE, contract.tileSize());
        assertTrue(contract.dynamicBatch());
        assertEquals(1f, contract.outputScale(), "the fixture declares output-range 0..255");
        assertEquals("random seed 2026", metadata.get("lama-serve.source"));
    }

    @Test
    void batchOfFourEqualsFourSingleRuns() throws OrtException {
        Random random = new Random(42);
        int batch = 4;
        float[] images = new float[batch * 3 * PLANE];
        float[] masks = new float[batch * PLANE];
        for (int i = 0; i < images.length; i++) {
            images[i] = random.nextFloat();
        }
        for (int n = 0; n < batch; n++) {
            // A different rectangular hole per image, so a mix-up between batch items would show.
            int top = 40 + 70 * n;
            int left = 300 - 60 * n;
            fillRectangle(masks, n, top, left, 120 + 20 * n, 150 - 10 * n);
        }

        float[] batched = run(images, masks, batch);
        for (int n = 0; n < batch; n++) {
            float[] image = slice(images, n, 3 * PLANE);
            float[] mask = slice(masks, n, PLANE);
            float[] single = run(image, mask, 1);
            float[] fromBatch = slice(batched, n, 3 * PLANE);
            assertTrue(maxAbsDifference(single, fromBatch) <= 1e-4f,
                    "batch item " + n + " differs from its single run by " + maxAbsDifference(single, fromBatch));
            assertComposited(image, mask, single);
        }
        // The holes of different inputs must be filled differently: a constant model would pass the rest.
        assertTrue(holeSpread(slice(batched, 0, 3 * PLANE), slice(masks, 0, PLANE)) > 5f,
                "the fill inside the hole is nearly constant");
    }

    @Test
    void matchesTheTorchFftReferenceOnTheProbeInput() throws OrtException, IOException, URISyntaxException {
        float[] image = new float[3 * PLANE];
        float[] mask = new float[PLANE];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < TILE; y++) {
                for (int x = 0; x < TILE; x++) {
                    image[(c * TILE + y) * TILE + x] = ((3 * x + 5 * y + 71 * c) % 256) / 255f;
                }
            }
        }
        fillRectangle(mask, 0, 160, 96, 352 - 160, 320 - 96);
        float[] output = run(image, mask, 1);

        List<String> lines = Files.readAllLines(resource("lama-fixture-reference.txt"));
        int compared = 0;
        float worst = 0;
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.trim().split("\\s+");
            int c = Integer.parseInt(fields[0]);
            int y = Integer.parseInt(fields[1]);
            int x = Integer.parseInt(fields[2]);
            float expected = Float.parseFloat(fields[3]);
            worst = Math.max(worst, Math.abs(output[(c * TILE + y) * TILE + x] - expected));
            compared++;
        }
        assertEquals(3 * 32 * 32, compared, "reference sample count");
        // ORT's float32 matrix-product DFT against torch.fft, on the 0..255 scale.
        assertTrue(worst <= 0.01f, "ONNX Runtime output differs from the torch.fft reference by " + worst);
    }

    private static float[] run(float[] images, float[] masks, int batch) throws OrtException {
        try (OnnxTensor image = OnnxTensor.createTensor(environment, FloatBuffer.wrap(images),
                        new long[] {batch, 3, TILE, TILE});
                OnnxTensor mask = OnnxTensor.createTensor(environment, FloatBuffer.wrap(masks),
                        new long[] {batch, 1, TILE, TILE});
                OrtSession.Result result = session.run(Map.of(ModelContract.IMAGE, image, ModelContract.MASK, mask))) {
            OnnxTensor output = (OnnxTensor) result.get(ModelContract.OUTPUT).orElseThrow();
            assertArrayEquals(new long[] {batch, 3, TILE, TILE}, output.getInfo().getShape());
            FloatBuffer buffer = output.getFloatBuffer();
            float[] values = new float[buffer.remaining()];
            buffer.get(values);
            return values;
        }
    }

    private static void assertComposited(float[] image, float[] mask, float[] output) {
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < PLANE; p++) {
                float value = output[c * PLANE + p];
                assertTrue(value >= 0f && value <= 255f, "output outside 0..255: " + value);
                if (mask[p] == 0f) {
                    float expected = image[c * PLANE + p] * 255f;
                    assertTrue(Math.abs(value - expected) <= PASS_THROUGH_TOLERANCE,
                            "kept pixel " + p + " channel " + c + " is " + value + ", expected " + expected);
                }
            }
        }
    }

    /** Standard deviation of the output inside the hole (all channels). */
    private static float holeSpread(float[] output, float[] mask) {
        double sum = 0;
        double squares = 0;
        long count = 0;
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < PLANE; p++) {
                if (mask[p] == 1f) {
                    double value = output[c * PLANE + p];
                    sum += value;
                    squares += value * value;
                    count++;
                }
            }
        }
        double mean = sum / count;
        return (float) Math.sqrt(squares / count - mean * mean);
    }

    private static void fillRectangle(float[] masks, int item, int top, int left, int height, int width) {
        for (int y = top; y < top + height; y++) {
            for (int x = left; x < left + width; x++) {
                masks[item * PLANE + y * TILE + x] = 1f;
            }
        }
    }

    private static float[] slice(float[] values, int item, int length) {
        float[] part = new float[length];
        System.arraycopy(values, item * length, part, 0, length);
        return part;
    }

    private static float maxAbsDifference(float[] a, float[] b) {
        float worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }

    private static Map<String, long[]> shapes(Map<String, NodeInfo> infos) {
        Map<String, long[]> shapes = new HashMap<>();
        infos.forEach((name, info) -> shapes.put(name, ((TensorInfo) info.getInfo()).getShape()));
        return shapes;
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(FixtureModelTest.class.getResource("/models/" + name).toURI());
    }
}
