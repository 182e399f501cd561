package io.lamaserve.engine.tensorrt;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Picks, before the probe has named the GPU and the TensorRT version, the plan file in the engine directory that the
 * engine will most likely load: the one file named for this model and these engine settings
 * ({@link PlanKey#fileNamesFor}). Where several are there (an engine volume shared by GPU types, or plans of two
 * TensorRT versions), the GPU model the driver lists narrows them down when it lists just one. What is picked is a
 * guess: the plan is used only when the key in its header is the full key computed after the probe.
 */
final class PlanCandidates {

    /**
     * @param fileName the file to read ahead, when there is exactly one candidate
     * @param reason   why there is none, for the debug log; empty when there is one
     */
    record Choice(Optional<String> fileName, String reason) {
    }

    private PlanCandidates() {
    }

    /**
     * @param fileNames    the names in the engine directory
     * @param onnxSha256   the model's SHA-256
     * @param settings     the engine settings (precision, batch sizes, contexts, optimization level)
     * @param gpuModelHint the one GPU model the driver lists, if it lists one
     */
    static Choice select(Collection<String> fileNames, String onnxSha256, TensorRtSettings settings,
                         Optional<String> gpuModelHint) {
        Pattern names = PlanKey.fileNamesFor(onnxSha256, settings.precisionName(), settings.shapes(),
                settings.contexts(), settings.optimizationLevel());
        List<String> matching = fileNames.stream().filter(name -> names.matcher(name).matches()).sorted().toList();
        if (matching.size() == 1) {
            return new Choice(Optional.of(matching.getFirst()), "");
        }
        if (matching.isEmpty()) {
            return new Choice(Optional.empty(), "no plan for this model and these settings");
        }
        if (gpuModelHint.isPresent()) {
            String slug = PlanKey.slug(gpuModelHint.get());
            List<String> onThisGpu = matching.stream().filter(name -> {
                Matcher matcher = names.matcher(name);
                return matcher.matches() && matcher.group("gpu").equals(slug);
            }).toList();
            if (onThisGpu.size() == 1) {
                return new Choice(Optional.of(onThisGpu.getFirst()), "");
            }
            return new Choice(Optional.empty(), matching.size() + " plans for this model and these settings, "
                    + onThisGpu.size() + " of them for " + gpuModelHint.get());
        }
        return new Choice(Optional.empty(), matching.size() + " plans for this model and these settings (one per GPU "
                + "type or TensorRT version); which one is known after the probe");
    }
}
