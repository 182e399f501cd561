#!/usr/bin/env bash
# Cold start of the GPU path with a prebuilt engine: the figures behind "ready <= 1.5 s from a cached engine".
#  1. takes the packaged application: APP_DIR (a quarkus-app directory built elsewhere; no Maven needed here), or
#     packages the aot-jar layout with Maven (with the bundled TensorRT/CUDA libraries unless NO_REDIST=1);
#  2. builds the engine for this GPU with the build-engine command (nothing to do when WORK/engines has it), with
#     the timing caches kept under bench/gpu/results (or TIMING_CACHE);
#  3. starts the service once, which measures and stores the batcher's cost table (a first start on a node type);
#  4. trains the JVM's AOT cache with the TensorRT engine (src/main/docker/aot-train.sh, AOT_TRAINING_ENGINE);
#     NO_AOT=1 skips this and the AOT variant (e.g. a runtime without AOT cache support, or a fast-jar APP_DIR);
#  5. measures RESTARTS starts each on the plain JVM and with the AOT cache (bench/coldstart/measure.sh);
#  6. writes RESULTS_DIR (default bench/coldstart/results/<date>-<gpu>)/coldstart.json: gpu, date, ready_s_median
#     (launch to the first 200 from /q/health/ready, with the AOT cache where it was trained), engine_load_s_median
#     (model_resolved to engine_loaded), restarts, the medians of every startup phase for each variant, and the
#     medians of the TensorRT start's sub-phases (lama_tensorrt_start_phase_seconds: probe, plan_read,
#     deserialize, contexts, warmup, with <phase>_waited for the parts that ran in the background); the raw runs
#     go beside it.
#
#   bench/coldstart/gpu.sh <model.onnx> [work-dir] [restarts]      (default 7 restarts)
#
# Needs: python3 (the readiness polls and the summary use its standard library; no curl), a Java 25 runtime (JAVA,
# else $JAVA_HOME/bin/java, else java on the PATH; the jlink runtime of the image will do), nvidia-smi is optional.
# APP_DIR should be packaged as the aot-jar layout (-Dquarkus.package.jar.type=aot-jar) with -Ptensorrt-redist
# unless the host has TensorRT 10.6 and CUDA 12 libraries of its own; a fast-jar works with NO_AOT=1.
# ENGINE=onnxruntime runs the same steps on the CPU (no build-engine step), to check the script without a GPU.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
model=$(cd "$(dirname "${1:?usage: gpu.sh <model.onnx> [work-dir] [restarts]}")" && pwd)/$(basename "$1")
work=$(mkdir -p "${2:-target/coldstart-gpu}" && cd "${2:-target/coldstart-gpu}" && pwd)
restarts=${3:-7}
engine=${ENGINE:-tensorrt}
if [ -n "${JAVA:-}" ]; then java=$JAVA
elif [ -n "${JAVA_HOME:-}" ]; then java=$JAVA_HOME/bin/java
else java=$(command -v java || true)
fi
[ -n "$java" ] && [ -x "$java" ] || { echo "gpu.sh: no Java 25 runtime: set JAVA or JAVA_HOME" >&2; exit 2; }
command -v python3 >/dev/null || { echo "gpu.sh: python3 is needed" >&2; exit 2; }
[ -f "$model" ] || { echo "gpu.sh: no model $model" >&2; exit 2; }

if [ -n "${APP_DIR:-}" ]; then
  [ -f "$APP_DIR/quarkus-run.jar" ] || { echo "gpu.sh: APP_DIR=$APP_DIR holds no quarkus-run.jar" >&2; exit 2; }
  echo "== application: $APP_DIR (prebuilt)"
  [ "$(cd "$APP_DIR" && pwd)" = "$work/app" ] || { rm -rf "$work/app" && cp -r "$APP_DIR" "$work/app"; }
else
  command -v mvn >/dev/null || { echo "gpu.sh: no Maven here: set APP_DIR to a packaged quarkus-app" >&2; exit 2; }
  profile=()
  [ "$engine" = tensorrt ] && [ -z "${NO_REDIST:-}" ] && profile=(-Ptensorrt-redist)
  echo "== build: aot-jar ${profile[*]:-}"
  mvn -B -ntp -q package -DskipTests -Dquarkus.package.jar.type=aot-jar ${profile[@]+"${profile[@]}"}
  rm -rf "$work/app" && cp -r target/quarkus-app "$work/app"
fi

export LAMA_ENGINE=$engine LAMA_MODEL_PATH=$model LAMA_MODEL_CACHE_DIR=$work/cache \
  LAMA_TENSORRT_ENGINE_DIR=$work/engines
rm -f "$work/build-engine.log"
if [ "$engine" = tensorrt ]; then
  # the newest timing cache of each GPU type kept with the GPU benchmarks (or TIMING_CACHE): a build that finds the
  # one of its GPU reuses its tactic timings
  REPO=$repo
  . bench/gpu/variants.sh
  seed_timing_caches "$work/engines"
  echo "== build-engine"
  (cd "$work/app" && "$java" --enable-native-access=ALL-UNNAMED \
     -cp 'app/*:quarkus/generated-bytecode.jar:lib/boot/*:lib/main/*' io.lamaserve.lifecycle.BuildEngineCommand) \
    2>&1 | tee "$work/build-engine.log"
fi
start=("$java" --enable-native-access=ALL-UNNAMED)
echo "== first start: measures and stores the cost table"
bench/coldstart/measure.sh -n 1 -l first --json "$work/first.json" -- "${start[@]}" -jar "$work/app/quarkus-run.jar"
variants=(first jvm)
if [ -z "${NO_AOT:-}" ]; then
  echo "== AOT training run with $engine"
  AOT_TRAINING_ENGINE=$engine src/main/docker/aot-train.sh "$java" "$work/app" "$model" "$work/app/app.aot"
fi
if [ -z "${NO_AOT:-}" ]; then echo "== $restarts restarts each: plain JVM, JVM + AOT cache"
else echo "== $restarts restarts: plain JVM (NO_AOT is set: no AOT cache)"; fi
bench/coldstart/measure.sh -n "$restarts" -l jvm --json "$work/jvm.json" -- "${start[@]}" -jar "$work/app/quarkus-run.jar"
if [ -z "${NO_AOT:-}" ]; then
  # AOTMode=on: the JVM refuses to start rather than silently run without the cache
  bench/coldstart/measure.sh -n "$restarts" -l jvm+aot --json "$work/jvm-aot.json" -- \
    "${start[@]}" -XX:AOTCache="$work/app/app.aot" -XX:AOTMode=on -jar "$work/app/quarkus-run.jar"
  variants+=(jvm-aot)
fi

gpu=""
if [ "$engine" = tensorrt ]; then
  gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1 || true)
  # without nvidia-smi: the GPU as the build-engine command found it ("build-engine: TensorRT 10.6.0 on NVIDIA H200 (sm 9.0, ...")
  [ -n "$gpu" ] || gpu=$(sed -n 's/^build-engine: TensorRT [^ ]* on \(.*\) (sm .*/\1/p' "$work/build-engine.log" | head -1)
fi
[ -n "$gpu" ] || gpu="cpu-$(nproc)-cores"
python3 - "$repo" "$work" "$gpu" "$engine" "${RESULTS_DIR:-}" "${variants[@]}" <<'PY'
import datetime, json, os, re, shutil, statistics, sys
repo, work, gpu, engine, results = sys.argv[1:6]
names = sys.argv[6:]
date = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
slug = re.sub(r"[^a-z0-9]+", "-", gpu.lower()).strip("-")
out = results or os.path.join(repo, "bench", "coldstart", "results", f"{date}-{slug}")
os.makedirs(out, exist_ok=True)
variants = {}
for name in names:
    shutil.copy(os.path.join(work, f"{name}.json"), out)
    variants[name] = json.load(open(os.path.join(work, f"{name}.json")))
# the headline figures come from the fastest configuration measured: with the AOT cache when it was trained
main = variants.get("jvm-aot", variants["jvm"])
loads = [(r["engine_loaded"] - r["model_resolved"]) / 1000 for r in main["runs"]
         if r.get("engine_loaded") is not None and r.get("model_resolved") is not None]
summary = {
    "gpu": gpu, "date": date, "engine": engine,
    "ready_s_median": round(main["median"]["probe_ready"] / 1000, 3),
    "engine_load_s_median": round(statistics.median(loads), 3) if loads else None,
    "restarts": len(main["runs"]),
    "variant": main["label"],
    "ready_s_median_without_aot_cache": round(variants["jvm"]["median"]["probe_ready"] / 1000, 3),
    "phases_ms_median": {name: {phase: None if ms is None else round(ms) for phase, ms in v["median"].items()}
                         for name, v in variants.items()},
    "tensorrt_start_s_median": {name: {k: None if s is None else round(s, 3) for k, s in v["median_tensorrt_start_s"].items()}
                                for name, v in variants.items() if "median_tensorrt_start_s" in v},
    "model": os.path.basename(os.environ["LAMA_MODEL_PATH"]),
}
log = os.path.join(work, "build-engine.log")
if os.path.exists(log):
    shutil.copy(log, out)
    key = re.search(r"plan key (\S.*)", open(log).read())
    summary["plan_key"] = key.group(1) if key else None
json.dump(summary, open(os.path.join(out, "coldstart.json"), "w"), indent=1)
print(f"== {out}/coldstart.json: ready {summary['ready_s_median']} s median of {summary['restarts']} restarts "
      f"({summary['variant']}; plain JVM {summary['ready_s_median_without_aot_cache']} s), "
      f"engine load {summary['engine_load_s_median']} s")
PY
