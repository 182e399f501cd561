#!/usr/bin/env bash
# The GPU proof in one run, on one card:
#  1. export the full-size random big-lama (seed 0) in each export VARIANT (FOURIER-PAD, e.g. conv-concat) with
#     tools/lama-export;
#  2. PyTorch eager fp16 batched baseline (bench/gpu/torch_eager.py), on an idle GPU; torch.compile
#     (bench/gpu/torch_compile.py) compiles meanwhile and is timed later, when the GPU is idle again;
#  3. build the TensorRT engine of every variant at LEVEL through lama-serve's engine code (all builds at once:
#     build times overlap and are reported as such), then per variant the cached load, latency and throughput at
#     batch 1..32 (plain and with CUDA graphs), batches alternating in size, and output dumps;
#  4. the torch.compile timing; the outputs against ONNX Runtime (CPU) on the same inputs, extremes included;
#  5. the variant with the best throughput becomes WORKDIR/big-lama.onnx; lama-serve starts on it with the cached
#     engine (time to ready, startup phases), batching off, then adaptive, each driven by the benchmark client at
#     concurrency CONCURRENCY (1,6,16,32,64) with 512x512 images; then the IOPaint-style PyTorch server through
#     IOPaint's API;
#  6. WORKDIR/engine-vs-peers.json: the engine's best offline throughput, batch-1 latency and shape-change cost
#     beside PyTorch eager and torch.compile; with MPS_PERCENT (e.g. 30) also, on that share of the GPU's SMs
#     under CUDA MPS (a stand-in for a smaller GPU), the T4 profile's engine built and timed in the slice and the
#     knee the service's startup sweep picks there.
#
#   bench/gpu/proof.sh WORKDIR QUARKUS_APP_DIR BENCH_JAR
#
# QUARKUS_APP_DIR is target/quarkus-app of `mvn package`, BENCH_JAR bench/target/lama-serve-bench.jar; the offline
# engine benchmark is the jar `mvn package` leaves beside QUARKUS_APP_DIR (target/lama-serve-*-engine-bench.jar, or
# ENGINE_BENCH_JAR), the engine classes are read from QUARKUS_APP_DIR's jars, TensorRT/CUDA from GPU_RIG_CP (or
# installed libraries).
# Environment: PYTHON (default python3, with torch and onnx), VARIANTS (default
# "conv-gather+fold-batch-norms+scale-spectrum+unshuffle-output", the fastest measured on TensorRT 10.6, served with
# nothing pinned by the default fp16 pinning; "conv-concat" is the exporter's default form;
# FOURIER-PAD[+FLAG...], each +FLAG one more exporter flag; each further variant is one more level-3 build of the
# full set of batch sizes at the same time: each takes about a quarter of an hour without a timing cache, and
# builds side by side share the GPU), LEVEL (3), PRECISION (fp16), STEP (15s), WARMUP (5s), SKIP_SERVICE=1 stops after step 4,
# TIMING_CACHE (a TensorRT timing cache of the same card and TensorRT version, copied into the engine directory
# first: the build reuses its tactic timings; without it, the newest cache kept under bench/gpu/results for each
# GPU type is), SHARED_GPU_MIN (e.g. 0.5:
# one more adaptive run with lama.batching.shared-gpu-min-fraction set to it), SKIP_BASELINE=1 (no IOPaint-style
# server), RUNS (default "off adaptive", plus adaptive-shared with SHARED_GPU_MIN), ALTERNATE (batch sizes the
# offline step cycles through on one context to time a change of size between batches, default 1,2), BATCH_SIZES
# (the engine's fixed batch sizes, default powers of two up to 32), CONCURRENCY (default 1,6,16,32,64),
# SERVICE_JFR=1 (a Java Flight Recording of each service run, profile settings, written when it stops:
# WORKDIR/service/server-RUN.jfr; `jfr view hot-methods` shows where the host's CPU goes), TORCH_COMPILE=0 (skip torch.compile), TORCH_EAGER=0 (skip PyTorch eager; with both off the run measures the engine
# and the service against their own baselines only: one size after another, batching off, the IOPaint-style server), MPS_ONLY=1 (with MPS_PERCENT: the export and the
# step in the slice only), PROFILE (batch sizes of the per-layer profile, default 1,32; empty: none). For a functional run of the script without a GPU: EXPORT_ARGS="--width 8 --blocks 2" SKIP_ENGINE=1
# (steps 2-4 skipped) ENGINE=onnxruntime BASELINE_ARGS="--device cpu --width 8 --blocks 2".
# Everything lands in WORKDIR; progress lines start with "==".
set -uo pipefail
# Python (PyTorch, ONNX Runtime) runs with the system's libraries: an LD_LIBRARY_PATH set up for TensorRT and Java
# may hold other cuDNN/cuBLAS builds, which PyTorch would then load
PY_BIN="${PYTHON:-python3}"
PY() { env -u LD_LIBRARY_PATH "$PY_BIN" "$@"; }
PY=PY
# for `PY_BG ... &`: the background job becomes the Python process itself, so that $! is its pid and `kill` stops
# it (with PY, $! is a subshell whose Python child outlives the kill)
PY_BG() { exec env -u LD_LIBRARY_PATH "$PY_BIN" "$@"; }
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=variants.sh
. "$HERE/variants.sh"
REPO="$(cd "$HERE/../.." && pwd)"
W="${1:?workdir}"; APPDIR="$(cd "${2:?quarkus-app dir}" && pwd)"; BENCH_JAR="$(cd "$(dirname "${3:?bench jar}")" && pwd)/$(basename "$3")"
VARIANTS="${VARIANTS:-conv-gather+fold-batch-norms+scale-spectrum+unshuffle-output}"; LEVEL="${LEVEL:-3}"; P="${PRECISION:-fp16}"; MAX=32
mkdir -p "$W"
stage() { echo "== $(date -u +%T) $*"; }
ENGINE_BENCH_JAR="${ENGINE_BENCH_JAR:-$(ls "$APPDIR"/../lama-serve-*-engine-bench.jar 2>/dev/null | head -1)}"
# generated-bytecode.jar holds the implementation of the service's configuration interface the benchmark reads
CP="${ENGINE_BENCH_JAR:-}:$APPDIR/app/*:$APPDIR/lib/main/*:$APPDIR/lib/boot/*:$APPDIR/quarkus/generated-bytecode.jar:${GPU_RIG_CP:-}"
JAVA=(java --enable-native-access=ALL-UNNAMED -Xmx16g
      "-Djava.util.logging.SimpleFormatter.format=%1\$tT %4\$s [%3\$s] %5\$s%6\$s%n" -cp "$CP")
BENCH=io.lamaserve.bench.engine.TensorRtOfflineBench
# without --graphs a run measures plain enqueues (the service's default replays CUDA graphs)
COMMON=(--engine-dir "$W/engines" --precision "$P" --level "$LEVEL" --quick-level -1 --max-batch "$MAX" --graphs false
        ${BATCH_SIZES:+--batch-sizes "$BATCH_SIZES"} ${FP16_PINNING:+--fp16-pinning "$FP16_PINNING"})
CONCURRENCY="${CONCURRENCY:-1,6,16,32,64}"

{ date -u; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader; nproc
  grep -m1 "model name" /proc/cpuinfo || true
  "$PY" -c 'import torch, onnx, onnxruntime; print("torch", torch.__version__, "onnx", onnx.__version__, "onnxruntime", onnxruntime.__version__)'
} > "$W/env.txt" 2>&1
cat "$W/env.txt"

stage "export $VARIANTS"
for v in $VARIANTS; do
  [ -f "$W/big-lama-$v.onnx" ] && continue
  # shellcheck disable=SC2086
  export_variant "$PY" "$W/big-lama-$v.onnx" "$v" ${EXPORT_ARGS:-} > "$W/export-$v.log" 2>&1 &
done
wait
for v in $VARIANTS; do
  [ -f "$W/big-lama-$v.onnx" ] || { stage "export of $v failed"; tail -5 "$W/export-$v.log"; exit 1; }
  tail -1 "$W/export-$v.log"
done

# MPS_ONLY=1: straight to the slice (the steps on the whole GPU are skipped; the first variant is the one used)
if [ "${SKIP_ENGINE:-0}" != 1 ] && [ "${MPS_ONLY:-0}" != 1 ]; then
if [ "${TORCH_EAGER:-1}" = 1 ]; then
stage "PyTorch eager fp16 baseline"
[ -f "$W/torch-eager.json" ] || "$PY" "$HERE/torch_eager.py" 1 8 32 > "$W/torch-eager.json" 2> "$W/torch-eager.log" \
  || tail "$W/torch-eager.log"
cat "$W/torch-eager.json"
fi

if [ "${TORCH_COMPILE:-1}" = 1 ] && [ ! -f "$W/torch-compile.json" ]; then
  stage "torch.compile: compiling batch 1, 8, 32 (timed once the GPU is idle)"
  rm -f "$W/gpu-idle"
  PY_BG "$HERE/torch_compile.py" --wait-for "$W/gpu-idle" 1 8 32 > "$W/torch-compile.json" 2> "$W/torch-compile.log" &
  torch_compile_pid=$!
fi

stage "build $P level $LEVEL for each variant (concurrently)"
seed_timing_caches "$W/engines"
builds=()
for v in $VARIANTS; do
  "${JAVA[@]}" $BENCH --onnx "$W/big-lama-$v.onnx" "${COMMON[@]}" --batches 1 --seconds 1 \
      > "$W/build-$v.json" 2> "$W/build-$v.log" &
  builds+=($!)
done
# the builds only: a plain wait would also wait for torch.compile, which waits for the GPU to be idle
wait "${builds[@]}"
for v in $VARIANTS; do echo "$v $(cat "$W/build-$v.json" 2>/dev/null || tail -3 "$W/build-$v.log")"; done

for v in $VARIANTS; do
  for graphs in false true; do
    g=""; [ "$graphs" = true ] && g="-graphs"
    stage "$v: cached load, batch 1..32, alternating sizes, dumps (CUDA graphs $graphs)"
    # TensorRT's per-layer profile rides along with the plain run (a profiled enqueue cannot be a CUDA graph)
    profile=(); [ "$graphs" = false ] && [ -n "${PROFILE-1,32}" ] && profile=(--profile "${PROFILE-1,32}" --profile-runs 10)
    "${JAVA[@]}" $BENCH --onnx "$W/big-lama-$v.onnx" "${COMMON[@]}" --batches 1,2,4,8,16,32 --seconds 3 \
        --graphs $graphs --alternate "${ALTERNATE:-1,2}" --dump "$W/dump-$v$g" "${profile[@]}" > "$W/perf-$v$g.json" \
        2> "$W/perf-$v$g.log" || tail -20 "$W/perf-$v$g.log"
    "$PY" - "$W/perf-$v$g.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print("ready_s", d["ready_s"], "from_cache", d["from_cache"], d["plan"])
for r in d["results"]:
    print(f"  batch {r['batch']:>2}  p50 {r['p50_ms']:8.2f} ms  {r['all_contexts_img_s']:7.1f} img/s (all contexts)")
if "alternating" in d:
    print("  sizes changing every batch", d["alternating"]["sizes"], "p50 ms", d["alternating"]["p50_ms"])
PY
    [ "$graphs" = false ] && "$PY" "$HERE/profile_summary.py" "$W/perf-$v.json" --top 15 > "$W/profile-$v.txt" 2>&1 \
      && head -12 "$W/profile-$v.txt"
  done
done

if [ -n "${torch_compile_pid:-}" ]; then
  stage "torch.compile timing on the idle GPU"
  touch "$W/gpu-idle"; wait "$torch_compile_pid" || tail -20 "$W/torch-compile.log"
  cat "$W/torch-compile.json"
fi

stage "outputs against ONNX Runtime (CPU)"
for v in $VARIANTS; do
  "$PY" "$HERE/compare_outputs.py" "$W/big-lama-$v.onnx" "$W/dump-$v" "$W/dump-$v-graphs" > "$W/compare-$v.json" \
    2> "$W/compare-$v.log" || tail -5 "$W/compare-$v.log"
  "$PY" -c 'import json,sys; [print(sys.argv[2], c["inputs"], "batch", c["batch"], c["engine"], "max_abs", round(c["max_abs"], 4), "nan", c.get("nan"), "inf", c.get("inf")) for c in json.load(open(sys.argv[1]))["comparisons"]]' \
    "$W/compare-$v.json" "$v" 2>/dev/null
done

best=$("$PY" - "$W" $VARIANTS <<'PY'
import json, sys
scores = {}
for v in sys.argv[2:]:
    try:
        scores[v] = max(r["all_contexts_img_s"] for g in ("", "-graphs")
                    for r in json.load(open(f"{sys.argv[1]}/perf-{v}{g}.json"))["results"])
    except Exception:
        pass
print(max(scores, key=scores.get) if scores else "")
PY
)
else
  best=${VARIANTS%% *}
fi
[ -n "$best" ] || { stage "no variant produced figures"; exit 1; }
stage "best variant: $best"
ln -sf "big-lama-$best.onnx" "$W/big-lama.onnx"
if [ "${SKIP_ENGINE:-0}" != 1 ] && [ "${MPS_ONLY:-0}" != 1 ]; then
  stage "engine against its peers: $W/engine-vs-peers.json"
  "$PY" "$HERE/peers_summary.py" "$W" "$best" > "$W/engine-vs-peers.json" && cat "$W/engine-vs-peers.json"
fi
# Seconds from the moment the process was launched until the URL answers 200 (polled every 50 ms).
wait_ready() {
  "$PY" - "$1" "$2" <<'PY'
import sys, time, urllib.request
launched = float(sys.argv[2])
while time.time() - launched < 900:
    try:
        if urllib.request.urlopen(sys.argv[1], timeout=2).status == 200:
            print(f"{time.time() - launched:.2f}")
            sys.exit(0)
    except Exception:
        pass
    time.sleep(0.05)
sys.exit(1)
PY
}
# A T4 stand-in: the T4 profile (src/main/resources/application-t4.properties: batch sizes 1, 2, 4, 8 on 2 slots) on
# MPS_PERCENT % of the SMs under CUDA MPS; run last, as it changes how the GPU is shared. TensorRT picks kernels for
# the SMs it builds on, so the engine is built in the slice (the plan key holds the SM count the process sees): the
# offline sweep builds and times it, then the service starts on it with QUARKUS_PROFILE=t4 and an empty cost-table
# directory, so that its startup sweep measures the batch sizes in the slice and picks the knee
# (WORKDIR/knee-mpsN.txt).
mps_sweep() {
  [ -n "${MPS_PERCENT:-}" ] && [ "${SKIP_ENGINE:-0}" != 1 ] || return 0
  stage "the T4 profile on ${MPS_PERCENT}% of the SMs (CUDA MPS): build in the slice, offline sweep, the service's startup sweep"
  local pipe=/tmp/mps-pipe logs=/tmp/mps-log pid
  mkdir -p "$pipe" "$logs"
  CUDA_MPS_PIPE_DIRECTORY=$pipe CUDA_MPS_LOG_DIRECTORY=$logs nvidia-cuda-mps-control -d || return 0
  local slice=(env CUDA_MPS_PIPE_DIRECTORY="$pipe" CUDA_MPS_LOG_DIRECTORY="$logs" CUDA_MPS_ACTIVE_THREAD_PERCENTAGE="$MPS_PERCENT")
  # the profile's engine settings, level LEVEL only (no quick engine): the same plan key as the service's below
  local t4=(--engine-dir "$W/engines" --precision "$P" --level "$LEVEL" --quick-level -1 --max-batch 8 --contexts 2
            --workspace-mib 2048 --graphs false ${FP16_PINNING:+--fp16-pinning "$FP16_PINNING"})
  "${slice[@]}" "${JAVA[@]}" $BENCH --onnx "$W/big-lama-$best.onnx" "${t4[@]}" --batches 1,2,4,8 --seconds 2 \
    > "$W/perf-mps$MPS_PERCENT.json" 2> "$W/perf-mps$MPS_PERCENT.log" || tail -20 "$W/perf-mps$MPS_PERCENT.log"
  grep -E "^batch" "$W/perf-mps$MPS_PERCENT.log" || true
  local launched
  launched=$(date +%s.%N)
  "${slice[@]}" java --enable-native-access=ALL-UNNAMED -Dquarkus.profile=t4 -Dlama.engine=tensorrt \
       -Dlama.model.path="$W/big-lama-$best.onnx" -Dlama.model.cache-dir="$W/cache-mps$MPS_PERCENT" \
       -Dlama.tensorrt.engine-dir="$W/engines" -Dlama.tensorrt.optimization-level="$LEVEL" \
       ${FP16_PINNING:+-Dlama.tensorrt.fp16-pinning=$FP16_PINNING} -jar "$APPDIR/quarkus-run.jar" \
       > "$W/server-mps$MPS_PERCENT.log" 2>&1 &
  pid=$!
  if wait_ready http://127.0.0.1:8080/q/health/ready "$launched" > /dev/null; then
    grep -E "knee|sweep|cost|startup:" "$W/server-mps$MPS_PERCENT.log" | tee "$W/knee-mps$MPS_PERCENT.txt"
  else
    echo "the service did not become ready in the slice"; tail -30 "$W/server-mps$MPS_PERCENT.log"
  fi
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  echo quit | CUDA_MPS_PIPE_DIRECTORY=$pipe nvidia-cuda-mps-control
}
if [ "${SKIP_SERVICE:-0}" = 1 ] || [ "${MPS_ONLY:-0}" = 1 ]; then mps_sweep; exit 0; fi

OUT_DIR="$W/service"; mkdir -p "$OUT_DIR"
ENGINE_NAME="${ENGINE:-tensorrt}"
# the service's lama_images_total (tiles computed: one per 512x512 request)
images_done() {
  "$PY" -c 'import re, urllib.request
text = urllib.request.urlopen("http://127.0.0.1:8080/q/metrics", timeout=10).read().decode()
print(int(sum(float(v) for v in re.findall(r"^lama_images_total(?:\{[^}]*\})? (\S+)$", text, re.M))))'
}
client() {
  java -Djava.awt.headless=true -jar "$BENCH_JAR" --closed "$CONCURRENCY" --generated 512x512 \
       --step-duration "${STEP:-15s}" --warmup "${WARMUP:-5s}" --out "$OUT_DIR" "$@"
}
RUNS="${RUNS:-off adaptive${SHARED_GPU_MIN:+ adaptive-shared}}"
for run in $RUNS; do
  mode=${run%%-*}
  opts=""
  [ "$run" = adaptive-shared ] && opts="-Dlama.batching.shared-gpu-min-fraction=$SHARED_GPU_MIN"
  stage "lama-serve on $ENGINE_NAME, batching $run $opts"
  launched=$(date +%s.%N)
  java --enable-native-access=ALL-UNNAMED \
       -Dlama.engine="$ENGINE_NAME" -Dlama.model.path="$W/big-lama.onnx" -Dlama.model.cache-dir="$W/cache" \
       -Dlama.tensorrt.engine-dir="$W/engines" -Dlama.tensorrt.max-batch=$MAX \
       ${BATCH_SIZES:+-Dlama.tensorrt.batch-sizes=$BATCH_SIZES} ${FP16_PINNING:+-Dlama.tensorrt.fp16-pinning=$FP16_PINNING} \
       -Dlama.tensorrt.precision="$P" -Dlama.tensorrt.optimization-level="$LEVEL" -Dlama.batching.mode=$mode \
       $opts ${SERVICE_OPTS:-} ${SERVICE_JFR:+-XX:StartFlightRecording=filename=$OUT_DIR/server-$run.jfr,settings=profile} \
       -jar "$APPDIR/quarkus-run.jar" > "$OUT_DIR/server-$run.log" 2>&1 &
  pid=$!
  ready=$(wait_ready http://127.0.0.1:8080/q/health/ready "$launched") || { echo "not ready"; tail -30 "$OUT_DIR/server-$run.log"; }
  echo "ready after ${ready:-?} s (launch to /q/health/ready = 200)" | tee "$OUT_DIR/ready-$run.txt"
  grep -E "startup phase|knee|sweep|batch +[0-9]+ " "$OUT_DIR/server-$run.log" | head -30 | tee -a "$OUT_DIR/ready-$run.txt"
  # CPU use while the client runs (the client shares the machine): /proc/stat's cpu line once a second
  { while sleep 1; do echo "$(date +%s) $(head -1 /proc/stat)"; done > "$OUT_DIR/cpu-$run.txt" & } ; sampler=$!
  # and the batcher's metrics every 5 s, to tell the concurrency steps apart
  PY_BG "$HERE/sample_metrics.py" http://127.0.0.1:8080/q/metrics "$OUT_DIR/metrics-series-$run.txt" 5 &
  metrics_sampler=$!
  # where the host's CPU goes per image: the server's threads by kind, and the client's CPU (bash's `times`, second
  # line: the CPU of this shell's children that ended, read before and after the client; run in this shell, as a
  # subshell would count its own children only)
  "$PY" "$HERE/thread_cpu.py" snapshot "$pid" > "$OUT_DIR/threads-$run-before.json"
  images_before=$(images_done)
  times > "$OUT_DIR/times-$run-before.txt"
  client --url http://127.0.0.1:8080 --api lama --label "$ENGINE_NAME-$run"
  times > "$OUT_DIR/times-$run-after.txt"
  "$PY" "$HERE/thread_cpu.py" snapshot "$pid" > "$OUT_DIR/threads-$run-after.json"
  client_cpu=$("$PY" -c 'import re, sys
seconds = lambda f: sum(float(m) * 60 + float(s) for m, s in re.findall(r"(\d+)m([\d.]+)s", open(f).read().splitlines()[1]))
print(round(seconds(sys.argv[2]) - seconds(sys.argv[1]), 2))' "$OUT_DIR/times-$run-before.txt" "$OUT_DIR/times-$run-after.txt")
  "$PY" "$HERE/thread_cpu.py" report "$OUT_DIR/threads-$run-before.json" "$OUT_DIR/threads-$run-after.json" \
    $(( $(images_done) - images_before )) --client-cpu-s "$client_cpu" > "$OUT_DIR/threads-$run.json" \
    && "$PY" "$HERE/thread_cpu.py" summary "$OUT_DIR/threads-$run.json"
  kill "$sampler" "$metrics_sampler" 2>/dev/null || true
  # the batcher's own view of the whole run: batch sizes, queue wait and time per batch (lama_* series)
  "$PY" -c 'import urllib.request; print(urllib.request.urlopen("http://127.0.0.1:8080/q/metrics").read().decode())' \
    | grep -E '^lama_' > "$OUT_DIR/metrics-$run.txt" || true
  if [ "$run" = adaptive ]; then
    # the same 32 clients from two client processes of 16: if the sum beats one process of 32, the client is a limit
    halves=()
    for half in a b; do
      java -Djava.awt.headless=true -jar "$BENCH_JAR" --closed 16 --generated 512x512 --step-duration "${STEP:-15s}" \
           --warmup "${WARMUP:-5s}" --out "$OUT_DIR" --url http://127.0.0.1:8080 --api lama \
           --label "$ENGINE_NAME-$mode-split-$half" > "$OUT_DIR/split-$half.log" 2>&1 &
      halves+=($!)
    done
    wait "${halves[@]}" || true
    grep -h "closed clients" "$OUT_DIR"/split-*.log || true
  fi
  kill "$pid"; wait "$pid"
done

if [ "${SKIP_BASELINE:-0}" != 1 ]; then
  stage "IOPaint-style PyTorch server (torch.fft, fp32, batch 1 per request, thread pool)"
  launched=$(date +%s.%N)
  PY_BG "$REPO/bench/iopaint-baseline/serve.py" --device cuda --port 8090 ${BASELINE_ARGS:-} > "$OUT_DIR/iopaint.log" 2>&1 &
  pid=$!
  ready=$(wait_ready http://127.0.0.1:8090/health "$launched") || { echo "baseline not ready"; tail -30 "$OUT_DIR/iopaint.log"; }
  echo "baseline ready after ${ready:-?} s"
  client --url http://127.0.0.1:8090 --api iopaint --label iopaint-style
  kill "$pid"
fi
compared=()
for run in $RUNS iopaint-style; do
  [ "$run" = iopaint-style ] && f="$OUT_DIR/iopaint-style.json" || f="$OUT_DIR/$ENGINE_NAME-$run.json"
  [ -f "$f" ] && compared+=("$f")
done
java -jar "$BENCH_JAR" compare "${compared[@]}"
mps_sweep
stage "done"
