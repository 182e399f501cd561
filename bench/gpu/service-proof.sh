#!/usr/bin/env bash
# Service-level proof on a GPU machine (HTTP), after engine-proof.sh / engine-perf.sh:
#  1. start lama-serve on TensorRT (lama.engine=tensorrt, the engine cache of WORKDIR/engines), batching off,
#     drive it with the benchmark client at concurrency 1, 6, 16, 32; the same with adaptive batching;
#  2. start the IOPaint-style PyTorch server (bench/iopaint-baseline, same random weights as the exported ONNX:
#     seed 0, full width) and drive it through IOPaint's API.
#       bench/gpu/service-proof.sh WORKDIR QUARKUS_APP_DIR BENCH_JAR
# QUARKUS_APP_DIR is target/quarkus-app of `mvn package`; BENCH_JAR is bench/target/lama-serve-bench.jar.
# SERVICE_OPTS adds JVM properties to the service, e.g. "-Dlama.tensorrt.optimization-level=0
# -Dlama.tensorrt.quick-optimization-level=-1" for a functional run without the long level-3 build.
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
W="${1:?workdir}"; APPDIR="${2:?quarkus-app dir}"; BENCH_JAR="${3:?bench jar}"
OUT_DIR="$W/service"; mkdir -p "$OUT_DIR"
wait_ready() {
  python3 - "$1" <<'PY'
import sys, time, urllib.request
for _ in range(900):
    try:
        if urllib.request.urlopen(sys.argv[1], timeout=2).status == 200:
            sys.exit(0)
    except Exception:
        pass
    time.sleep(1)
sys.exit(1)
PY
}
client() { java -Djava.awt.headless=true -jar "$BENCH_JAR" --closed 1,6,16,32 --step-duration "${STEP:-20s}" --warmup "${WARMUP:-5s}" --out "$OUT_DIR" "$@"; }
for mode in ${MODES:-off adaptive}; do
  echo "== lama-serve, TensorRT, batching $mode"
  java --enable-native-access=ALL-UNNAMED \
       -Dlama.engine=tensorrt -Dlama.model.path="$W/big-lama.onnx" -Dlama.tensorrt.engine-dir="$W/engines" \
       -Dlama.tensorrt.max-batch=32 -Dlama.batching.mode=$mode ${SERVICE_OPTS:-} \
       -jar "$APPDIR/quarkus-run.jar" > "$OUT_DIR/server-$mode.log" 2>&1 &
  pid=$!
  wait_ready http://127.0.0.1:8080/q/health/ready || { echo "not ready"; tail -30 "$OUT_DIR/server-$mode.log"; }
  client --url http://127.0.0.1:8080 --api lama --label "tensorrt-$mode"
  kill "$pid"; wait "$pid"
done
echo "== IOPaint-style PyTorch server"
python3 "$HERE/../iopaint-baseline/serve.py" --device cuda --port 8090 ${BASELINE_ARGS:-} > "$OUT_DIR/iopaint.log" 2>&1 &
pid=$!
wait_ready http://127.0.0.1:8090/health || { echo "baseline not ready"; tail -30 "$OUT_DIR/iopaint.log"; }
client --url http://127.0.0.1:8090 --api iopaint --label iopaint-style ${IOPAINT_ARGS:-}
kill "$pid"
java -jar "$BENCH_JAR" compare "$OUT_DIR"/tensorrt-off.json "$OUT_DIR"/tensorrt-adaptive.json "$OUT_DIR"/iopaint-style.json
