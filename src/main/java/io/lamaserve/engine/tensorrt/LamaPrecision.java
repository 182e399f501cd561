package io.lamaserve.engine.tensorrt;

import org.bytedeco.tensorrt.global.nvinfer;
import org.bytedeco.tensorrt.nvinfer.IBuilderConfig;
import org.bytedeco.tensorrt.nvinfer.IElementWiseLayer;
import org.bytedeco.tensorrt.nvinfer.ILayer;
import org.bytedeco.tensorrt.nvinfer.INetworkDefinition;
import org.bytedeco.tensorrt.nvinfer.ITensor;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The precision of a LaMa engine: what {@link EngineBuilder} knows of LaMa beyond a generic ONNX network. For fp16,
 * the layers where LaMa leaves fp16's range (the DFT matrix products of the Fourier units and the sums that combine
 * their results, plus the global-branch additions) are constrained to fp32 and TensorRT is told to obey those
 * constraints.
 */
@SuppressWarnings("deprecation") // BuilderFlag.kFP16: TensorRT 10 prefers strongly typed networks, which LaMa's export is not
final class LamaPrecision {

    private static final Logger LOG = Logger.getLogger(LamaPrecision.class);

    /**
     * Layers kept in fp32 by name besides every MatMul: the whole Fourier unit (module {@code fu} in the exported
     * node names: DFT products, spectral 1×1 convolution, inverse DFT), where LaMa's activations leave fp16's range.
     */
    static final Pattern FP32_LAYER_NAMES = Pattern.compile("(?i).*(/fu/|fourier|dft|spectral).*");
    /** The global branch: sums inside the spectral transform and the sum that adds its result to convl2g's. */
    static final Pattern GLOBAL_BRANCH_NAMES = Pattern.compile("(?i).*(convg2g|global).*");
    /**
     * The DFT products of the conv export form: 1×1 convolutions directly in module {@code fu} (the spectral
     * convolution is {@code fu/conv_layer/Conv} and does not match). The gemm form's products are MatMul layers.
     */
    static final Pattern DFT_CONV_NAMES = Pattern.compile(".*/fu/Conv(_\\d+)?");

    private LamaPrecision() {
    }

    /**
     * fp16: every layer may run in half precision except those {@link #fp32Layers} returns, which are pinned to
     * fp32 storage (computation in TF32, which has fp32's exponent range) with {@code kOBEY_PRECISION_CONSTRAINTS}.
     * tf32: TensorFloat-32 matrix math with fp32 storage. fp32: no reduced precision at all.
     */
    static void apply(INetworkDefinition network, IBuilderConfig config, String precision) {
        switch (precision.replaceFirst("-.*", "")) {
            case "fp32" -> config.clearFlag(nvinfer.BuilderFlag.kTF32);
            case "tf32" -> config.setFlag(nvinfer.BuilderFlag.kTF32);
            case "fp16" -> {
                config.setFlag(nvinfer.BuilderFlag.kFP16);
                // the pinned layers need fp32's range, not its mantissa: TF32 tensor cores keep the range
                config.setFlag(nvinfer.BuilderFlag.kTF32);
                config.setFlag(nvinfer.BuilderFlag.kOBEY_PRECISION_CONSTRAINTS);
                Set<Integer> pinned = fp32Layers(network, Fp16Pinning.of(precision));
                for (int index : pinned) {
                    ILayer layer = network.getLayer(index);
                    layer.setPrecision(nvinfer.DataType.kFLOAT);
                    for (int o = 0; o < layer.getNbOutputs(); o++) {
                        layer.setOutputType(o, nvinfer.DataType.kFLOAT);
                    }
                }
                LOG.infof("fp16 engine: %d of %d layers pinned to fp32 (Fourier units, DFT products and their sums, "
                        + "global-branch sums), e.g. %s", pinned.size(), network.getNbLayers(), pinned.stream()
                        .limit(4).map(i -> network.getLayer(i).getName()).toList());
            }
            default -> throw new IllegalArgumentException("unknown precision " + precision);
        }
    }

    /**
     * Indexes of the layers that must stay fp32: MatMul layers and the Fourier-unit layers ({@link
     * #FP32_LAYER_NAMES}), element-wise layers fed by them (through reshapes), and the global-branch sums: a sum
     * named as part of the spectral transform or fed by one of its layers.
     */
    static Set<Integer> fp32Layers(INetworkDefinition network, Fp16Pinning pinning) {
        if (pinning == Fp16Pinning.NONE) {
            return Set.of();
        }
        int layers = network.getNbLayers();
        Map<String, Integer> producers = new HashMap<>();
        for (int i = 0; i < layers; i++) {
            ILayer layer = network.getLayer(i);
            for (int o = 0; o < layer.getNbOutputs(); o++) {
                producers.put(layer.getOutput(o).getName(), i);
            }
        }
        Set<Integer> pinned = new HashSet<>();
        for (int i = 0; i < layers; i++) {
            ILayer layer = network.getLayer(i);
            int type = layer.getType().value;
            if (type == nvinfer.LayerType.kCONSTANT.value || type == nvinfer.LayerType.kSHUFFLE.value) {
                continue;
            }
            boolean named = pinning == Fp16Pinning.FOURIER && FP32_LAYER_NAMES.matcher(layer.getName()).matches();
            if (isDftProduct(layer) || named) {
                pinned.add(i);
            }
        }
        for (int i = 0; i < layers; i++) {
            ILayer layer = network.getLayer(i);
            if (layer.getType().value != nvinfer.LayerType.kELEMENTWISE.value || pinned.contains(i)) {
                continue;
            }
            boolean sum = new IElementWiseLayer(layer).getOperation().value == nvinfer.ElementWiseOperation.kSUM.value;
            if (sum && GLOBAL_BRANCH_NAMES.matcher(layer.getName()).matches()) {
                pinned.add(i);
                continue;
            }
            for (int in = 0; in < layer.getNbInputs(); in++) {
                ILayer source = producerThroughShuffles(network, producers, layer.getInput(in));
                if (source == null) {
                    continue;
                }
                boolean fromPinned = isDftProduct(source)
                        || (pinning == Fp16Pinning.FOURIER && FP32_LAYER_NAMES.matcher(source.getName()).matches());
                if (fromPinned || (sum && GLOBAL_BRANCH_NAMES.matcher(source.getName()).matches())) {
                    pinned.add(i);
                    break;
                }
            }
        }
        return pinned;
    }

    /** A MatMul (gemm export form) or a DFT 1×1 convolution (conv export form). */
    static boolean isDftProduct(ILayer layer) {
        int type = layer.getType().value;
        return type == nvinfer.LayerType.kMATRIX_MULTIPLY.value
                || (type == nvinfer.LayerType.kCONVOLUTION.value && DFT_CONV_NAMES.matcher(layer.getName()).matches());
    }

    private static ILayer producerThroughShuffles(INetworkDefinition network, Map<String, Integer> producers,
                                                 ITensor tensor) {
        for (int hops = 0; tensor != null && !tensor.isNull() && hops < 8; hops++) {
            Integer index = producers.get(tensor.getName());
            if (index == null) {
                return null;
            }
            ILayer layer = network.getLayer(index);
            if (layer.getType().value != nvinfer.LayerType.kSHUFFLE.value) {
                return layer;
            }
            tensor = layer.getInput(0);
        }
        return null;
    }

    /**
     * Which layers an fp16 engine keeps in fp32. FOURIER (the default) pins whole Fourier units; DFT pins only the
     * DFT products and their element-wise recombinations; NONE pins nothing (measurement only: no overflow guard).
     * Selected by {@code lama.tensorrt.fp16-pinning}; part of the plan key as a precision suffix (e.g.
     * {@code fp16-dft}), from which a build reads it back.
     */
    enum Fp16Pinning {
        FOURIER, DFT, NONE;

        static Fp16Pinning of(String precision) {
            int dash = precision.indexOf('-');
            return dash < 0 ? FOURIER : valueOf(precision.substring(dash + 1).toUpperCase(Locale.ROOT));
        }
    }
}
