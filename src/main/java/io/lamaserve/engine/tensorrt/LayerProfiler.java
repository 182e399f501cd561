package io.lamaserve.engine.tensorrt;

import org.bytedeco.tensorrt.nvinfer.IProfiler;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Collects TensorRT's per-layer times (diagnostics: where an engine spends its time). TensorRT calls
 * {@link #reportLayerTime} once per layer after each profiled enqueue.
 */
final class LayerProfiler extends IProfiler {

    private static final Map<String, Pattern> CATEGORIES = categories();

    private final Map<String, double[]> byLayer = new TreeMap<>();

    @Override
    public synchronized void reportLayerTime(String layerName, float ms) {
        double[] total = byLayer.computeIfAbsent(layerName, k -> new double[2]);
        total[0] += ms;
        total[1]++;
    }

    /** Milliseconds per category summed over all layers (a layer counts in the first category its name matches). */
    synchronized Map<String, Double> byCategory() {
        Map<String, Double> sums = new LinkedHashMap<>();
        CATEGORIES.keySet().forEach(k -> sums.put(k, 0.0));
        sums.put("other", 0.0);
        byLayer.forEach((name, total) -> sums.merge(category(name), total[0], Double::sum));
        return sums;
    }

    synchronized Map<String, double[]> layers() {
        return new TreeMap<>(byLayer);
    }

    static String category(String layerName) {
        for (Map.Entry<String, Pattern> entry : CATEGORIES.entrySet()) {
            if (entry.getValue().matcher(layerName).find()) {
                return entry.getKey();
            }
        }
        return "other";
    }

    private static Map<String, Pattern> categories() {
        Map<String, Pattern> categories = new LinkedHashMap<>();
        categories.put("reformat", Pattern.compile("(?i)reformat|copy"));
        // the DFT products: MatMuls in the gemm export form, 1x1 Convs in the conv form (not the spectral conv_layer)
        categories.put("fourier-dft", Pattern.compile("/fu/(MatMul|Conv)"));
        categories.put("fourier-other", Pattern.compile("/fu/"));
        categories.put("conv-transpose", Pattern.compile("ConvTranspose"));
        categories.put("conv", Pattern.compile("Conv"));
        categories.put("pad-slice", Pattern.compile("Pad|Slice"));
        categories.put("shuffle", Pattern.compile("Transpose|Reshape|Shuffle"));
        categories.put("elementwise", Pattern.compile("Add|Mul|Sub|Relu|Sigmoid|Clip|Concat"));
        return categories;
    }
}
