#!/usr/bin/env bash
# Training run for the JVM's AOT cache (JEP 483/514): starts the packaged app with -XX:AOTCacheOutput, waits for
# readiness (which includes the batcher's warm-up sweep, i.e. real inference), sends the requests in
# src/main/docker/aot-training/ plus the health and metrics endpoints, then stops it with SIGTERM; the JVM writes
# the cache while exiting.
#
#   src/main/docker/aot-train.sh <java> <quarkus-app-dir> <model.onnx> <cache-file> [requests-dir]
#
# JAVA_ARGFILE (optional): a java @argfile with the flags the image starts the app with; the training run must use
# the same ones (a different GC, for one, makes the JVM ignore parts of the cache).
# AOT_TRAINING_ENGINE (optional, default onnxruntime): the engine the training run uses. On a GPU machine, with a
# plan for <model.onnx> already in LAMA_TENSORRT_ENGINE_DIR (bin/build-engine), "tensorrt" puts the TensorRT and
# CUDA classes of the GPU path into the cache as well.
# The cache is only valid for the exact same java binary (same runtime image) and the same class path, so run it
# with the runtime the image ships and in the directory layout the image uses.
# HTTP goes through curl, or through python3's standard library where there is no curl (a bare GPU host).
set -euo pipefail

# http_ok URL: succeeds on a 2xx answer
http_ok() {
  if command -v curl >/dev/null 2>&1; then curl -fs -o /dev/null "$1"; return; fi
  python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5).read()' "$1" 2>/dev/null
}
# http_body URL: the answer's body on stdout
http_body() {
  if command -v curl >/dev/null 2>&1; then curl -fs "$1"; return; fi
  python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' \
    "$1" 2>/dev/null
}
# http_post_json URL FILE: POSTs FILE as JSON, prints the status code
http_post_json() {
  if command -v curl >/dev/null 2>&1; then
    curl -sS -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data-binary @"$2" "$1"; return
  fi
  python3 - "$1" "$2" <<'PY'
import sys, urllib.error, urllib.request
request = urllib.request.Request(sys.argv[1], data=open(sys.argv[2], "rb").read(),
                                 headers={"Content-Type": "application/json"})
try:
    with urllib.request.urlopen(request, timeout=300) as response:
        response.read()
        print(response.status, end="")
except urllib.error.HTTPError as error:
    print(error.code, end="")
PY
}

java=${1:?usage: aot-train.sh <java> <app-dir> <model> <cache-file> [requests-dir]}
app=${2:?}; model=${3:?}; cache=${4:?}; requests=${5:-$(dirname "$0")/aot-training}
port=${AOT_TRAINING_PORT:-18080}
log=$(mktemp)
flags=(--enable-native-access=ALL-UNNAMED)
[ -n "${JAVA_ARGFILE:-}" ] && flags=("@$JAVA_ARGFILE")
"$java" "${flags[@]}" -XX:AOTCacheOutput="$cache" \
  -Dquarkus.http.port="$port" -Dlama.model.path="$model" -Dlama.engine="${AOT_TRAINING_ENGINE:-onnxruntime}" \
  -jar "$app/quarkus-run.jar" >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
ready=
for _ in $(seq 1 1200); do   # up to 120 s: the warm-up sweep runs the model at every batch size
  if http_ok "http://127.0.0.1:$port/q/health/ready"; then ready=1; break; fi
  if ! kill -0 "$pid" 2>/dev/null; then break; fi
  sleep 0.1
done
if [ -z "$ready" ]; then echo "aot-train: the app did not become ready" >&2; cat "$log" >&2; exit 1; fi
# The startup timeline marks "ready" only after the warm-up sweep; wait for it so the sweep's code is in the cache.
for _ in $(seq 1 600); do
  if http_body "http://127.0.0.1:$port/q/metrics" | grep -Eq 'lama_startup_phase_seconds\{phase="ready"\} [0-9]'; then break; fi
  sleep 0.1
done
for path in /q/health/started /q/health/live /q/health/ready /q/metrics; do
  http_ok "http://127.0.0.1:$port$path" || { echo "aot-train: GET $path failed" >&2; exit 1; }
done
sent=0
for body in "$requests"/*.json; do
  [ -e "$body" ] || continue
  # a route that does not exist yet answers 404; the training still covers startup and the engine
  code=$(http_post_json "http://127.0.0.1:$port/api/v1/inpaint" "$body")
  echo "aot-train: POST /api/v1/inpaint $(basename "$body") -> $code"
  sent=$((sent + 1))
done
kill -TERM "$pid"
wait "$pid" || true
trap - EXIT
if [ ! -s "$cache" ]; then echo "aot-train: no cache written" >&2; cat "$log" >&2; exit 1; fi
echo "aot-train: $(du -h "$cache" | cut -f1) cache after $sent inpaint request(s): $cache"
