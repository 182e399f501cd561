package io.lamaserve.engine.onnxruntime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.lamaserve.engine.EngineException;
import io.lamaserve.engine.ModelRunner;
import io.lamaserve.engine.PhaseClock;
import io.lamaserve.model.ModelContract;
import io.lamaserve.model.ModelSignature;
import io.lamaserve.tile.TileBatch;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * LaMa on the CPU through ONNX Runtime. One session, one execution slot: ONNX Runtime already spreads a single
 * run over all cores (intra-op threads), so running two batches at once would only make them compete.
 */
public final class OnnxRuntimeEngine implements ModelRunner {

    private static final Logger LOG = Logger.getLogger(OnnxRuntimeEngine.class);

    private final OrtSession session;
    private final ModelContract contract;
    private final int maxBatch;
    private final StagingBuffers staging;

    private OnnxRuntimeEngine(OrtSession session, ModelContract contract, int maxBatch) {
        this.session = session;
        this.contract = contract;
        this.maxBatch = maxBatch;
        this.staging = new StagingBuffers(OrtEnvironment.getEnvironment(), contract.tileSize(), maxBatch);
    }

    /**
     * Opens the model and checks it against the contract.
     *
     * @param threads        intra-op threads, 0 = one per available core
     * @param requestedBatch the largest batch wanted; a model with a fixed batch axis gets 1
     * @param spinWait       whether idle intra-op threads spin after a run (ONNX Runtime's default) or sleep
     */
    public static OnnxRuntimeEngine open(Path model, int threads, int requestedBatch, boolean spinWait)
            throws EngineException {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        int intraOpThreads = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        OrtSession session = null;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setIntraOpNumThreads(intraOpThreads);
            options.setMemoryPatternOptimization(true);
            // spinning keeps a core busy for a while after each run, the time in which the answers are encoded
            options.addConfigEntry("session.intra_op.allow_spinning", spinWait ? "1" : "0");
            session = environment.createSession(model.toString(), options);
            ModelContract contract = ModelContract.of(signatureOf(session));
            if (contract.fixedBatch() > 1) {
                throw new EngineException("the model fixes its batch axis at " + contract.fixedBatch()
                        + "; lama-serve needs a dynamic batch axis or a fixed batch of 1");
            }
            int maxBatch = contract.dynamicBatch() ? Math.max(1, requestedBatch) : 1;
            LOG.infof("ONNX Runtime %s: %s, tile %d, %s batch, max batch %d, %d intra-op threads%s",
                    environment.getVersion(), model.getFileName(), contract.tileSize(),
                    contract.dynamicBatch() ? "dynamic" : "fixed", maxBatch, intraOpThreads,
                    spinWait ? ", spinning" : "");
            return new OnnxRuntimeEngine(session, contract, maxBatch);
        } catch (OrtException e) {
            closeQuietly(session);
            throw new EngineException("ONNX Runtime cannot load " + model + ": " + e.getMessage(), e);
        } catch (RuntimeException | EngineException e) {
            closeQuietly(session);
            throw e;
        }
    }

    static ModelSignature signatureOf(OrtSession session) throws OrtException {
        return new ModelSignature(shapes(session.getInputInfo()), shapes(session.getOutputInfo()),
                session.getMetadata().getCustomMetadata());
    }

    private static Map<String, long[]> shapes(Map<String, NodeInfo> nodes) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        nodes.forEach((name, node) -> shapes.put(name,
                node.getInfo() instanceof TensorInfo tensor ? tensor.getShape() : new long[0]));
        return shapes;
    }

    @Override
    public String name() {
        return "onnxruntime-cpu";
    }

    @Override
    public int tileSize() {
        return contract.tileSize();
    }

    @Override
    public int maxBatch() {
        return maxBatch;
    }

    @Override
    public int parallelism() {
        return 1;
    }

    @Override
    public float outputScale() {
        return contract.outputScale();
    }

    @Override
    public synchronized void run(int slot, TileBatch batch, PhaseClock phases) throws EngineException {
        int size = batch.size();
        StagingBuffers.Tensors tensors = staging.forBatch(size);
        staging.load(batch);
        phases.staged();
        Map<String, OnnxTensor> inputs = Map.of(ModelContract.IMAGE, tensors.image(), ModelContract.MASK, tensors.mask());
        Map<String, OnnxValue> outputs = Map.of(ModelContract.OUTPUT, tensors.output());
        try (OrtSession.Result ignored = session.run(inputs, outputs)) {
            // the output tensor is pinned to our staging buffer: nothing to copy out of the result
        } catch (OrtException e) {
            throw new EngineException("ONNX Runtime failed on a batch of " + size + ": " + e.getMessage(), e);
        }
        phases.computed();
        staging.store(batch);
    }

    @Override
    public synchronized void close() {
        staging.close();
        closeQuietly(session);
    }

    private static void closeQuietly(OrtSession session) {
        if (session != null) {
            try {
                session.close();
            } catch (OrtException e) {
                LOG.warn("closing the ONNX Runtime session failed", e);
            }
        }
    }

}
