#!/usr/bin/env bash
# Throughput run on a GPU machine, all on one card in one go:
#  1. export the full-size random big-lama (tools/lama-export) unless WORKDIR/big-lama.onnx exists;
#  2. PyTorch eager fp16 baseline (bench/gpu/torch_eager.py) at batch 1, 8, 32;
#  3. startup as the service does it with an empty engine cache: quick engine (level QUICK), ready, optimized
#     engine (level LEVEL) built in the background and swapped in; then latency/throughput at batch 1..32;
#  4. the cached optimized engine again (cached-load time) with CUDA graphs, and output dumps for batch 1 and 8;
#  5. those outputs against ONNX Runtime (CPU) on the same inputs.
#       bench/gpu/engine-perf.sh WORKDIR [LEVEL=3] [PRECISION=fp16] [MAX_BATCH=32] [QUICK=0]
# Run after `mvn package`: the engine classes come from target/quarkus-app (or QUARKUS_APP), the benchmark from
# target/lama-serve-*-engine-bench.jar (or ENGINE_BENCH_JAR), TensorRT/CUDA from GPU_RIG_CP.
set -uo pipefail
APP="$(cd "$(dirname "$0")/../.." && pwd)"
W="${1:?workdir}"; LEVEL="${2:-3}"; P="${3:-fp16}"; MAX="${4:-32}"; QUICK="${5:-0}"
mkdir -p "$W"
QUARKUS_APP="${QUARKUS_APP:-$APP/target/quarkus-app}"
ENGINE_BENCH_JAR="${ENGINE_BENCH_JAR:-$(ls "$APP"/target/lama-serve-*-engine-bench.jar 2>/dev/null | head -1)}"
CP="${ENGINE_BENCH_JAR:-}:$QUARKUS_APP/app/*:$QUARKUS_APP/lib/main/*:$QUARKUS_APP/lib/boot/*:$QUARKUS_APP/quarkus/generated-bytecode.jar:${GPU_RIG_CP:-}"
JAVA=(java --enable-native-access=ALL-UNNAMED -Xmx16g
      "-Djava.util.logging.SimpleFormatter.format=%1\$tT %4\$s [%3\$s] %5\$s%6\$s%n" -cp "$CP")
BENCH=io.lamaserve.bench.engine.TensorRtOfflineBench
COMMON=(--onnx "$W/big-lama.onnx" --engine-dir "$W/engines" --precision "$P" --level "$LEVEL" --max-batch "$MAX"
        --batches 1,2,4,8,16,32 --seconds 3)
{ date -u; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  python3 -c 'import torch, onnx, onnxruntime; print("torch", torch.__version__, "onnx", onnx.__version__, "onnxruntime", onnxruntime.__version__)'
} > "$W/env.txt" 2>&1
if [ ! -f "$W/big-lama.onnx" ]; then
  echo "== export"
  python3 "$APP/tools/lama-export/export.py" --random-init -o "$W/big-lama.onnx" > "$W/export.log" 2>&1 || { tail "$W/export.log"; exit 1; }
fi
echo "== PyTorch eager fp16 baseline"
python3 "$APP/bench/gpu/torch_eager.py" 1 8 32 > "$W/torch-eager.json" 2> "$W/torch-eager.log" || tail "$W/torch-eager.log"
echo "== startup without cache: quick level $QUICK, then level $LEVEL in the background; measure on the optimized engine"
"${JAVA[@]}" $BENCH "${COMMON[@]}" --quick-level "$QUICK" --wait-optimized true --graphs false \
    > "$W/perf-$P-o$LEVEL.json" 2> "$W/perf-$P-o$LEVEL.log" || tail -30 "$W/perf-$P-o$LEVEL.log"
echo "== cached optimized engine with CUDA graphs, dumps"
"${JAVA[@]}" $BENCH "${COMMON[@]}" --quick-level -1 --graphs true --dump "$W/dump-$P-o$LEVEL" \
    > "$W/perf-$P-o$LEVEL-graphs.json" 2> "$W/perf-$P-o$LEVEL-graphs.log" || tail -30 "$W/perf-$P-o$LEVEL-graphs.log"
echo "== compare with ONNX Runtime (CPU)"
python3 "$APP/bench/gpu/compare_outputs.py" "$W/big-lama.onnx" "$W/dump-$P-o$LEVEL" > "$W/compare-$P-o$LEVEL.json" 2>&1
echo "== done $(date -u)"
