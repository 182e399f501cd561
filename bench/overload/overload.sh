#!/usr/bin/env bash
# Open-loop overload of the packaged service: half its capacity, twice its capacity, then half again, one
# bench step each, while the server's resident memory is sampled every second. Prints the bench summary and
# the server's peak RSS.
#
#   bench/overload/overload.sh CAPACITY_RPS [STEP_DURATION]
#
# CAPACITY_RPS: requests/s the server completes at most (the startup log's cost model, images/s at the knee,
# for one-tile requests). STEP_DURATION: measured time per step (default 60s). The model comes from
# LAMA_MODEL_PATH (default: the test fixture); SERVER_JAVA_OPTS are added to the server's JVM (e.g. -Xmx1g).
# Build the jar first with `mvn package -DskipTests`.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bin/java-env

capacity="${1:?usage: $0 CAPACITY_RPS [STEP_DURATION]}"
step="${2:-60s}"
port="${LAMA_PORT:-8093}"
out="bench-results/overload"
mkdir -p "$out"
half=$(awk -v c="$capacity" 'BEGIN { printf "%.2f", c / 2 }')
double=$(awk -v c="$capacity" 'BEGIN { printf "%.2f", c * 2 }')

LAMA_MODEL_PATH="${LAMA_MODEL_PATH:-src/test/resources/models/lama-fixture.onnx}" \
  java --enable-native-access=ALL-UNNAMED ${SERVER_JAVA_OPTS:-} -Dquarkus.http.port="$port" -jar target/quarkus-app/quarkus-run.jar \
  > "$out/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT

until curl -sf "http://127.0.0.1:$port/q/health/ready" > /dev/null; do
  kill -0 "$server" 2>/dev/null || { echo "the server stopped; see $out/server.log" >&2; exit 1; }
  sleep 1
done

# VmRSS of the server, in KiB, once a second
( while kill -0 "$server" 2>/dev/null; do
    awk '/^VmRSS:/ { print $2 }' "/proc/$server/status" 2>/dev/null || true
    sleep 1
  done ) > "$out/rss-kib.txt" &
sampler=$!

bench/run.sh --url "http://127.0.0.1:$port" --label overload --open "$half,$double,$half" \
  --step-duration "$step" --generated 512x512 --masks-per-size 4 --out "$out"

kill "$sampler" 2>/dev/null || true
kill -TERM "$server"
wait "$server" || true
trap - EXIT
sort -n "$out/rss-kib.txt" | tail -1 | awk '{ printf "server peak RSS: %.0f MiB\n", $1 / 1024 }'
