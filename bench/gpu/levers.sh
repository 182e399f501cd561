#!/usr/bin/env bash
# Engine levers, one at a time. Each lever is an export variant plus engine options; each is built with ONE
# fixed-shape profile of batch BATCH (default 32) per execution slot (SLOTS, default 2 as in the service), so that a
# build takes minutes, and then timed at that batch (p50 on one slot, images/s on one slot and with every slot busy,
# with and without CUDA graphs) with TensorRT's per-layer profile, and its outputs dumped for the comparison with
# ONNX Runtime (extremes included). Compare levers with the "reference" lever
# (the default export and settings) of the same run, never with another run's figures.
#
#   bench/gpu/levers.sh WORKDIR QUARKUS_APP_DIR LEVER...
#
# A LEVER is NAME=VARIANT[,OPTION=VALUE...]: VARIANT is FOURIER-PAD[+FLAG...] of tools/lama-export (conv-concat is
# the default export, conv-slice pads with ONNX Pad(reflect), conv-gather with Gathers, gemm-* runs the DFTs as
# MatMuls; each +FLAG is one more exporter flag, e.g. conv-concat+fold-batch-norms+align-channels), the options are
# TensorRtOfflineBench's engine options without the dashes, e.g.
#   reference=conv-concat  unpinned=conv-concat,fp16-pinning=none  padop=conv-slice  level5=conv-concat,level=5
# Environment: BATCH (32), SLOTS (2), LEVEL (3), PRECISION (fp16), SECONDS_PER_POINT (3), TIMING_CACHE (copied into
# the engine directory first; without it, the newest timing cache kept under bench/gpu/results for each GPU type is,
# and TensorRT takes the one named for this GPU), PARALLEL_BUILDS (1: build one after another; more overlaps builds, which share the GPU while
# TensorRT times its tactics), PYTHON (python3 with torch and onnx, for the export and the comparison),
# BUILD_ONLY=1 exports and builds, then stops (a later run with the same WORKDIR finds the engines built and times
# them: e.g. to build while the GPU is busy with something else, and time on an idle GPU),
# COMPARE=0 skips the ONNX Runtime comparison, TORCH_COMPILE=0 the torch.compile baseline (bench/gpu/torch_compile.py at
# batch 1 and BATCH: compiled while the engines build, timed once the levers' GPU work is over, so that each has the
# GPU to itself).
# Writes WORKDIR/lever-NAME.json (+ .log), WORKDIR/lever-NAME-graphs.json, WORKDIR/levers.json (the summary) and
# prints a table.
set -uo pipefail
PY_BIN="${PYTHON:-python3}"
PY() { env -u LD_LIBRARY_PATH "$PY_BIN" "$@"; }
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=variants.sh
. "$HERE/variants.sh"
REPO="$(cd "$HERE/../.." && pwd)"
W="${1:?workdir}"; APPDIR="$(cd "${2:?quarkus-app dir}" && pwd)"; shift 2
[ $# -gt 0 ] || { echo "usage: levers.sh WORKDIR QUARKUS_APP_DIR NAME=VARIANT[,option=value...] ..." >&2; exit 2; }
BATCH="${BATCH:-32}"; LEVEL="${LEVEL:-3}"; P="${PRECISION:-fp16}"
mkdir -p "$W/engines"
stage() { echo "== $(date -u +%T) $*"; }
ENGINE_BENCH_JAR="${ENGINE_BENCH_JAR:-$(ls "$APPDIR"/../lama-serve-*-engine-bench.jar 2>/dev/null | head -1)}"
CP="${ENGINE_BENCH_JAR:-}:$APPDIR/app/*:$APPDIR/lib/main/*:$APPDIR/lib/boot/*:$APPDIR/quarkus/generated-bytecode.jar:${GPU_RIG_CP:-}"
JAVA=(java --enable-native-access=ALL-UNNAMED -Xmx16g -cp "$CP")
BENCH=io.lamaserve.bench.engine.TensorRtOfflineBench
seed_timing_caches "$W/engines"

names=(); variants=(); options=()
for lever in "$@"; do
  name=${lever%%=*}; spec=${lever#*=}; variant=${spec%%,*}
  opts=()
  if [ "$spec" != "$variant" ]; then
    IFS=, read -ra pairs <<< "${spec#*,}"
    for pair in "${pairs[@]}"; do opts+=("--${pair%%=*}" "${pair#*=}"); done
  fi
  names+=("$name"); variants+=("$variant"); options+=("${opts[*]:-}")
done

if [ "${TORCH_COMPILE:-1}" = 1 ] && [ "${BUILD_ONLY:-0}" != 1 ]; then
  rm -f "$W/gpu-idle"
  # started outside this shell's children, so that the waits for the exports and builds below do not wait for it
  ( PY "$HERE/torch_compile.py" --wait-for "$W/gpu-idle" 1 "$BATCH" > "$W/torch-compile.json" 2> "$W/torch-compile.log" &
    echo $! > "$W/torch-compile.pid" )
  torch_pid=$(cat "$W/torch-compile.pid")
fi

stage "export: ${variants[*]}"
unique_variants=$(printf '%s\n' "${variants[@]}" | sort -u)
for v in $unique_variants; do  # the exports run side by side: each is mostly one core's work
  [ -f "$W/big-lama-$v.onnx" ] && continue
  # shellcheck disable=SC2086
  export_variant PY "$W/big-lama-$v.onnx" "$v" ${EXPORT_ARGS:-} > "$W/export-$v.log" 2>&1 &
done
wait
for v in $unique_variants; do
  [ -f "$W/big-lama-$v.onnx" ] || { stage "export of $v failed"; tail -5 "$W/export-$v.log"; exit 1; }
done

common() {  # the engine of lever $1: one profile of BATCH on one slot
  local i=$1
  echo --onnx "$W/big-lama-${variants[$i]}.onnx" --engine-dir "$W/engines" --precision "$P" --level "$LEVEL" \
       --quick-level -1 --max-batch "$BATCH" --batch-sizes "$BATCH" --contexts "${SLOTS:-2}" ${options[$i]}
}

stage "build ${#names[@]} lever(s), ${PARALLEL_BUILDS:-1} at a time"
running=0
for i in "${!names[@]}"; do
  # shellcheck disable=SC2046
  ( start=$(date +%s.%N)
    "${JAVA[@]}" $BENCH $(common "$i") --batches 1 --seconds 0.5 > "$W/lever-${names[$i]}-build.json" \
      2> "$W/lever-${names[$i]}-build.log"
    echo "${names[$i]}: build finished (rc $?) after $(PY -c "import time; print(round(time.time() - $start, 1))") s" ) &
  running=$((running + 1))
  if [ "$running" -ge "${PARALLEL_BUILDS:-1}" ]; then wait -n; running=$((running - 1)); fi
done
wait
if [ "${BUILD_ONLY:-0}" = 1 ]; then stage "built (BUILD_ONLY=1)"; exit 0; fi

# the dumps hold a batch of 1 (random inputs) and one of 4 (the extremes): an engine of BATCH < 4 is timed only
[ "$BATCH" -ge 4 ] || COMPARE=0
for i in "${!names[@]}"; do
  n=${names[$i]}
  dump=()
  [ "${COMPARE:-1}" = 1 ] && dump=(--dump "$W/dump-lever-$n" --dump-batches 1)
  stage "$n: batch $BATCH, per-layer profile, dumps (plain enqueues)"
  # shellcheck disable=SC2046
  "${JAVA[@]}" $BENCH $(common "$i") --graphs false --batches "$BATCH" --seconds "${SECONDS_PER_POINT:-3}" \
      --profile "$BATCH" --profile-runs 10 "${dump[@]}" \
      > "$W/lever-$n.json" 2> "$W/lever-$n.log" || tail -5 "$W/lever-$n.log"
  # shellcheck disable=SC2046
  "${JAVA[@]}" $BENCH $(common "$i") --graphs true --batches "$BATCH" --seconds "${SECONDS_PER_POINT:-3}" \
      > "$W/lever-$n-graphs.json" 2> "$W/lever-$n-graphs.log" || tail -5 "$W/lever-$n-graphs.log"
  grep -E "^batch|^profile" "$W/lever-$n.log" "$W/lever-$n-graphs.log" | sed "s|$W/||"
done

if [ -n "${torch_pid:-}" ]; then
  stage "torch.compile: timing at batch 1 and $BATCH"
  touch "$W/gpu-idle"
  while kill -0 "$torch_pid" 2>/dev/null; do sleep 1; done
  grep -q results "$W/torch-compile.json" || tail -5 "$W/torch-compile.log"
fi

if [ "${COMPARE:-1}" = 1 ]; then
  for i in "${!names[@]}"; do
    n=${names[$i]}
    stage "$n: outputs against ONNX Runtime (CPU)"
    PY "$HERE/compare_outputs.py" "$W/big-lama-${variants[$i]}.onnx" "$W/dump-lever-$n" > "$W/compare-lever-$n.json" \
        2> "$W/compare-lever-$n.log" || tail -3 "$W/compare-lever-$n.log"
  done
fi

PY - "$W" "$BATCH" "${names[@]}" <<'PY'
import json, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(sys.argv[0])) if sys.argv[0] != "-" else "."))
w, batch, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]

def load(path):
    try:
        return json.load(open(path))
    except (OSError, ValueError):
        return None

rows = []
for n in names:
    plain, graphs, build = (load(os.path.join(w, f"lever-{n}{s}.json")) for s in ("", "-graphs", "-build"))
    compare = load(os.path.join(w, f"compare-lever-{n}.json")) or {"comparisons": []}
    row = {"lever": n, "plan": (plain or build or {}).get("plan"),
           "build_s": (build or {}).get("final_build_s")}
    for label, doc in (("plain", plain), ("graphs", graphs)):
        r = next((r for r in (doc or {}).get("results", []) if r["batch"] == batch), None)
        row[f"p50_ms_{label}"] = r and r["p50_ms"]
        row[f"img_s_{label}"] = r and r["single_context_img_s"]
        row[f"img_s_all_slots_{label}"] = r and r.get("all_contexts_img_s")
    prof = next((p for p in (plain or {}).get("layer_profiles", []) if p["batch"] == batch), None)
    row["profile_sum_ms"] = prof and prof["sum_ms"]
    row["max_abs"] = max((c["max_abs"] for c in compare["comparisons"]), default=None)
    row["nan_or_inf"] = any(c.get("nan") or c.get("inf") for c in compare["comparisons"])
    rows.append(row)
torch = load(os.path.join(w, "torch-compile.json")) or {}
torch_img_s = max((r.get("img_s") or 0 for r in torch.get("results", [])), default=None) or None
json.dump({"batch": batch, "levers": rows, "torch_compile": torch or None, "torch_compile_best_img_s": torch_img_s},
          open(os.path.join(w, "levers.json"), "w"), indent=1)
print(f"{'lever':<14} {'build s':>8} {'p50 ms':>8} {'img/s':>7} {'graphs ms':>9} {'img/s':>7} {'all slots':>9} "
      f"{'graphs':>7} {'profile ms':>10} {'max abs':>8}")
for r in rows:
    f = lambda v, spec: format(v, spec) if isinstance(v, (int, float)) else "-"
    print(f"{r['lever']:<14} {f(r['build_s'], '8.1f')} {f(r['p50_ms_plain'], '8.2f')} {f(r['img_s_plain'], '7.1f')} "
          f"{f(r['p50_ms_graphs'], '9.2f')} {f(r['img_s_graphs'], '7.1f')} {f(r['img_s_all_slots_plain'], '9.1f')} "
          f"{f(r['img_s_all_slots_graphs'], '7.1f')} {f(r['profile_sum_ms'], '10.2f')} "
          f"{f(r['max_abs'], '8.3f')}{'  NaN/Inf!' if r['nan_or_inf'] else ''}")
for r in torch.get("results", []):
    print(f"torch.compile batch {r['batch']}: {r['ms_per_batch']} ms, {r['img_s']} img/s")
PY
for i in "${!names[@]}"; do PY "$HERE/profile_summary.py" "$W/lever-${names[$i]}.json" --top 12; done
stage "levers done"
