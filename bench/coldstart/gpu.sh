#!/usr/bin/env bash
# Cold start of the GPU path with a prebuilt engine: the figures behind "ready <= 1.5 s from a cached engine".
#  1. packages the aot-jar layout (with the bundled TensorRT/CUDA libraries unless NO_REDIST=1);
#  2. builds the engine for this GPU with the build-engine command (nothing to do when WORK/engines has it);
#  3. starts the service once, which measures and stores the batcher's cost table (a first start on a node type);
#  4. trains the JVM's AOT cache with the TensorRT engine (src/main/docker/aot-train.sh, AOT_TRAINING_ENGINE);
#  5. measures RESTARTS starts each on the plain JVM and with the AOT cache (bench/coldstart/measure.sh);
#  6. writes bench/coldstart/results/<date>-<gpu>/coldstart.json: gpu, date, ready_s_median (launch to the first
#     200 from /q/health/ready, with the AOT cache), engine_load_s_median (model_resolved to engine_loaded),
#     restarts, and the medians of every phase for both variants; the raw runs go beside it.
#
#   bench/coldstart/gpu.sh <model.onnx> [work-dir] [restarts]      (JAVA_HOME: a Java 25 JDK; default 7 restarts)
#
# ENGINE=onnxruntime runs the same steps on the CPU (no build-engine step), to check the script without a GPU.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
model=$(cd "$(dirname "${1:?usage: gpu.sh <model.onnx> [work-dir] [restarts]}")" && pwd)/$(basename "$1")
work=$(mkdir -p "${2:-target/coldstart-gpu}" && cd "${2:-target/coldstart-gpu}" && pwd)
restarts=${3:-7}
engine=${ENGINE:-tensorrt}
java=${JAVA_HOME:?set JAVA_HOME to a Java 25 JDK}/bin/java
profile=()
[ "$engine" = tensorrt ] && [ -z "${NO_REDIST:-}" ] && profile=(-Ptensorrt-redist)

echo "== build: aot-jar ${profile[*]:-}"
mvn -B -ntp -q package -DskipTests -Dquarkus.package.jar.type=aot-jar ${profile[@]+"${profile[@]}"}
rm -rf "$work/app" && cp -r target/quarkus-app "$work/app"

export LAMA_ENGINE=$engine LAMA_MODEL_PATH=$model LAMA_MODEL_CACHE_DIR=$work/cache \
  LAMA_TENSORRT_ENGINE_DIR=$work/engines
if [ "$engine" = tensorrt ]; then
  echo "== build-engine"
  (cd "$work/app" && "$java" --enable-native-access=ALL-UNNAMED \
     -cp 'app/*:quarkus/generated-bytecode.jar:lib/boot/*:lib/main/*' io.lamaserve.lifecycle.BuildEngineCommand) \
    2>&1 | tee "$work/build-engine.log"
fi
start=("$java" --enable-native-access=ALL-UNNAMED)
echo "== first start: measures and stores the cost table"
bench/coldstart/measure.sh -n 1 -l first --json "$work/first.json" -- "${start[@]}" -jar "$work/app/quarkus-run.jar"
echo "== AOT training run with $engine"
AOT_TRAINING_ENGINE=$engine src/main/docker/aot-train.sh "$java" "$work/app" "$model" "$work/app/app.aot"
echo "== $restarts restarts each: plain JVM, JVM + AOT cache"
bench/coldstart/measure.sh -n "$restarts" -l jvm --json "$work/jvm.json" -- "${start[@]}" -jar "$work/app/quarkus-run.jar"
bench/coldstart/measure.sh -n "$restarts" -l jvm+aot --json "$work/jvm-aot.json" -- \
  "${start[@]}" -XX:AOTCache="$work/app/app.aot" -jar "$work/app/quarkus-run.jar"

gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1 || true)
[ -n "$gpu" ] && [ "$engine" = tensorrt ] || gpu="cpu-$(nproc)-cores"
python3 - "$repo" "$work" "$gpu" "$engine" "$restarts" <<'PY'
import datetime, json, os, re, shutil, statistics, sys
repo, work, gpu, engine, restarts = sys.argv[1:6]
date = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
slug = re.sub(r"[^a-z0-9]+", "-", gpu.lower()).strip("-")
out = os.path.join(repo, "bench", "coldstart", "results", f"{date}-{slug}")
os.makedirs(out, exist_ok=True)
variants = {}
for name in ("first", "jvm", "jvm-aot"):
    shutil.copy(os.path.join(work, f"{name}.json"), out)
    variants[name] = json.load(open(os.path.join(work, f"{name}.json")))
aot = variants["jvm-aot"]
loads = [(r["engine_loaded"] - r["model_resolved"]) / 1000 for r in aot["runs"]
         if r.get("engine_loaded") is not None and r.get("model_resolved") is not None]
summary = {
    "gpu": gpu, "date": date, "engine": engine,
    "ready_s_median": round(aot["median"]["probe_ready"] / 1000, 3),
    "engine_load_s_median": round(statistics.median(loads), 3) if loads else None,
    "restarts": len(aot["runs"]),
    "ready_s_median_without_aot_cache": round(variants["jvm"]["median"]["probe_ready"] / 1000, 3),
    "phases_ms_median": {name: {phase: None if ms is None else round(ms) for phase, ms in v["median"].items()}
                         for name, v in variants.items()},
    "model": os.path.basename(os.environ["LAMA_MODEL_PATH"]),
}
log = os.path.join(work, "build-engine.log")
if os.path.exists(log):
    shutil.copy(log, out)
    key = re.search(r"plan key (\S.*)", open(log).read())
    summary["plan_key"] = key.group(1) if key else None
json.dump(summary, open(os.path.join(out, "coldstart.json"), "w"), indent=1)
print(f"== {out}/coldstart.json: ready {summary['ready_s_median']} s median of {summary['restarts']} restarts "
      f"(without AOT cache {summary['ready_s_median_without_aot_cache']} s), engine load {summary['engine_load_s_median']} s")
PY
