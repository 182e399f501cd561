#!/usr/bin/env bash
# Engine-level proof on a GPU machine (no HTTP): export the full-size random big-lama with tools/lama-export,
# build TensorRT engines through lama-serve's Java engine code for each precision, time a cached load, measure
# latency and throughput per batch size, and compare the outputs with ONNX Runtime (CPU) on the same inputs.
#
#   bench/gpu/engine-proof.sh WORKDIR LEVEL "fp32 fp16" MAX_BATCH "1,2,4,8,16" [SECONDS]
#
# Run after `mvn package` (target/quarkus-app and target/lama-serve-*-engine-bench.jar). Needs: java 25 with the
# TensorRT 10.6 / CUDA 12 JavaCPP jars on GPU_RIG_CP (or the libraries installed),
# python3 with torch, onnx, onnxruntime. Results: WORKDIR/*.json, WORKDIR/*.log, WORKDIR/engines/timing-*.cache
set -uo pipefail
APP="$(cd "$(dirname "$0")/../.." && pwd)"
W="${1:?workdir}"; LEVEL="${2:-0}"; PRECISIONS="${3:-fp32 fp16}"; MAX="${4:-16}"; BATCHES="${5:-1,2,4,8,16}"; SECS="${6:-3}"
mkdir -p "$W"
QUARKUS_APP="${QUARKUS_APP:-$APP/target/quarkus-app}"
ENGINE_BENCH_JAR="${ENGINE_BENCH_JAR:-$(ls "$APP"/target/lama-serve-*-engine-bench.jar 2>/dev/null | head -1)}"
CP="${ENGINE_BENCH_JAR:-}:$QUARKUS_APP/app/*:$QUARKUS_APP/lib/main/*:$QUARKUS_APP/lib/boot/*:$QUARKUS_APP/quarkus/generated-bytecode.jar:${GPU_RIG_CP:-}"
JAVA=(java --enable-native-access=ALL-UNNAMED -Xmx16g
      "-Djava.util.logging.SimpleFormatter.format=%1\$tT %4\$s [%3\$s] %5\$s%6\$s%n" -cp "$CP")
BENCH=io.lamaserve.bench.engine.TensorRtOfflineBench
{
  date -u; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  python3 -c 'import torch, onnx, onnxruntime; print("torch", torch.__version__, "onnx", onnx.__version__, "onnxruntime", onnxruntime.__version__)'
} > "$W/env.txt" 2>&1
if [ ! -f "$W/big-lama.onnx" ]; then
  start=$SECONDS
  python3 "$APP/tools/lama-export/export.py" --random-init -o "$W/big-lama.onnx" > "$W/export.log" 2>&1 || { echo "export failed"; tail "$W/export.log"; exit 1; }
  echo "export_s $((SECONDS - start))" >> "$W/env.txt"
fi
for p in $PRECISIONS; do
  echo "== $p: build (level $LEVEL, batch 1..$MAX) and measure"
  "${JAVA[@]}" $BENCH --onnx "$W/big-lama.onnx" --engine-dir "$W/engines" --precision "$p" --level "$LEVEL" \
      --quick-level -1 --graphs false --max-batch "$MAX" --batches "$BATCHES" --seconds "$SECS" --dump "$W/dump-$p" \
      > "$W/bench-$p.json" 2> "$W/bench-$p.log" || { echo "bench $p failed"; tail -30 "$W/bench-$p.log"; }
  echo "== $p: cached load"
  "${JAVA[@]}" $BENCH --onnx "$W/big-lama.onnx" --engine-dir "$W/engines" --precision "$p" --level "$LEVEL" \
      --quick-level -1 --graphs false --max-batch "$MAX" --batches 1 --seconds 1 > "$W/cached-$p.json" 2> "$W/cached-$p.log" \
      || { echo "cached $p failed"; tail -30 "$W/cached-$p.log"; }
done
echo "== compare with ONNX Runtime (CPU)"
python3 "$APP/bench/gpu/compare_outputs.py" "$W/big-lama.onnx" "$W"/dump-* > "$W/compare.json" 2> "$W/compare.log" \
  || tail -20 "$W/compare.log"
echo "== done $(date -u)"
