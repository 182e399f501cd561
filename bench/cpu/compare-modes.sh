#!/usr/bin/env bash
# Batching off vs adaptive on this machine's CPU, in one run: starts the service twice with the same model
# (once per lama.batching.mode), drives each with the same closed-loop sweep, then prints both side by side
# and overlays them in one chart.
#
#   bench/cpu/compare-modes.sh [--model FILE] [--closed 1,6,16] [--step-duration 30s] [--generated SIZES]
#                              [--format png|jpeg] [--out DIR]
#
# Default model: the test fixture (a small random-weight LaMa at 512x512), so it runs on any machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bin/java-env
model=src/test/resources/models/lama-fixture.onnx
closed=1,6,16
step=30s
warmup=5s
out=bench-results/cpu
port=8093
generated=512x512,1024x768
format=
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model="$2"; shift 2;;
    --closed) closed="$2"; shift 2;;
    --step-duration) step="$2"; shift 2;;
    --warmup) warmup="$2"; shift 2;;
    --generated) generated="$2"; shift 2;;
    --format) format="$2"; shift 2;;
    --out) out="$2"; shift 2;;
    --port) port="$2"; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
mkdir -p "$out"
if [ ! -f target/quarkus-app/quarkus-run.jar ] || [ -n "$(find src pom.xml -newer target/quarkus-app/quarkus-run.jar -print -quit)" ]; then
  echo "== building the service"
  mvn -B -ntp -q package -DskipTests
fi
server_pid=
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=
}
trap stop_server EXIT

for mode in off adaptive; do
  echo "== lama.batching.mode=$mode: starting the service ($model)"
  "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
      -Dquarkus.http.port="$port" -Dlama.engine=onnxruntime -Dlama.model.path="$model" \
      -Dlama.batching.mode="$mode" -jar target/quarkus-app/quarkus-run.jar > "$out/server-$mode.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$port/q/health/ready" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || { echo "the service exited; see $out/server-$mode.log" >&2; exit 1; }
    sleep 0.2
  done
  sed -n '/Cost model of/,/knee =/p' "$out/server-$mode.log"
  bench/run.sh --url "http://127.0.0.1:$port" --api lama --label "$mode" --closed "$closed" \
      --step-duration "$step" --warmup "$warmup" --generated "$generated" ${format:+--format "$format"} --out "$out"
  stop_server
done
echo "== off vs adaptive"
bench/run.sh compare "$out/off.json" "$out/adaptive.json" | tee "$out/compare.txt"
bench/run.sh chart --title "CPU, fixture model: batching off vs adaptive" --out "$out/off-vs-adaptive.png" \
    "$out/off.json" "$out/adaptive.json"
echo "results in $out/"
