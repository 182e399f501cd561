#!/usr/bin/env bash
# Service-level proof on a GPU machine (HTTP), after engine-proof.sh / engine-perf.sh:
#  1. start lama-serve on TensorRT (lama.engine=tensorrt, the engine cache of WORKDIR/engines), batching off,
#     drive it with the benchmark client at concurrency 1, 6, 16, 32; the same with adaptive batching;
#  2. start the IOPaint-style PyTorch server (iopaint_style_server.py) and drive it through IOPaint's API.
#       bench/gpu/service-proof.sh WORKDIR QUARKUS_APP_DIR BENCH_JAR
# QUARKUS_APP_DIR is target/quarkus-app of `mvn package`; BENCH_JAR is bench/target/lama-serve-bench.jar.
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
W="${1:?workdir}"; APPDIR="${2:?quarkus-app dir}"; BENCH_JAR="${3:?bench jar}"
OUT_DIR="$W/service"; mkdir -p "$OUT_DIR"
wait_ready() { for _ in $(seq 1 900); do curl -sf "$1" >/dev/null && return 0; sleep 1; done; return 1; }
client() { java -Djava.awt.headless=true -jar "$BENCH_JAR" --closed 1,6,16,32 --step-duration 20s --out "$OUT_DIR" "$@"; }
for mode in off adaptive; do
  echo "== lama-serve, TensorRT, batching $mode"
  java --enable-native-access=ALL-UNNAMED -cp "$APPDIR/quarkus-run.jar:${GPU_RIG_CP:-}" \
       -Dlama.engine=tensorrt -Dlama.model.path="$W/big-lama.onnx" -Dlama.tensorrt.engine-dir="$W/engines" \
       -Dlama.tensorrt.max-batch=32 -Dlama.tensorrt.opt-batch=16 -Dlama.batching.mode=$mode \
       -jar "$APPDIR/quarkus-run.jar" > "$OUT_DIR/server-$mode.log" 2>&1 &
  pid=$!
  wait_ready http://127.0.0.1:8080/q/health/ready || { echo "not ready"; tail -30 "$OUT_DIR/server-$mode.log"; }
  client --url http://127.0.0.1:8080 --api lama --label "tensorrt-$mode"
  kill "$pid"; wait "$pid"
done
echo "== IOPaint-style PyTorch server"
python3 "$HERE/iopaint_style_server.py" --port 8090 > "$OUT_DIR/iopaint.log" 2>&1 &
pid=$!
sleep 20
client --url http://127.0.0.1:8090 --api iopaint --label iopaint-style
kill "$pid"
java -jar "$BENCH_JAR" compare "$OUT_DIR"/tensorrt-off.json "$OUT_DIR"/tensorrt-adaptive.json "$OUT_DIR"/iopaint-style.json
