#!/usr/bin/env bash
# Cold-start measurement: starts the service N times with the given command, polls /q/health/ready every 10 ms
# and prints, per run and as medians (all in ms):
#   probe_ready  launch -> first 200 from /q/health/ready, seen from outside
#   jvm_start    launch -> the JVM's own start time (process_start_time_seconds)
#   config_loaded .. ready   the service's startup phases, ms after JVM start (lama_startup_phase_seconds)
#   ready_wall   launch -> the service's "ready" phase (jvm_start + ready)
#   first_req    with --first-request FILE: duration of one POST /api/v1/inpaint of FILE right after readiness
# --json FILE also writes every run and the medians to FILE; with the TensorRT engine also each run's TensorRT start
# sub-phases in seconds (tensorrt_start_s, from lama_tensorrt_start_phase_seconds) and their medians.
# Needs python3 only (no curl).
#
#   bench/coldstart/measure.sh [-n runs] [-p port] [-l label] [--first-request FILE] [--json FILE] -- <command that starts the service>
#
# Example (model already in the cache, ONNX Runtime):
#   LAMA_MODEL_URL=... LAMA_MODEL_SHA256=... LAMA_MODEL_CACHE_DIR=/var/cache/lama LAMA_ENGINE=onnxruntime \
#   bench/coldstart/measure.sh -n 7 -l jvm+aot -- java -XX:AOTCache=app.aot --enable-native-access=ALL-UNNAMED \
#     -jar target/quarkus-app/quarkus-run.jar
# Polling runs in one Python process (standard library), not a curl per probe, to keep its CPU use small.
set -euo pipefail
exec python3 "$(dirname "$0")/coldstart.py" "$@"
