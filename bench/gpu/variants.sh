# Sourced by the GPU benchmark scripts: an export VARIANT is FOURIER-PAD[+FLAG...] (e.g. conv-concat, or
# conv-concat+fold-batch-norms+align-channels); variant_export_args prints the tools/lama-export arguments it
# stands for, one per line.
variant_export_args() {
  local forms=${1%%+*} flag
  local -a extra=()
  printf '%s\n' --fourier-form "${forms%-*}" --pad-form "${forms#*-}"
  IFS=+ read -ra extra <<< "${1#"$forms"}"
  for flag in "${extra[@]}"; do [ -n "$flag" ] && printf -- '--%s\n' "$flag"; done
  return 0
}

# export_variant PYTHON OUT.onnx VARIANT [EXPORTER ARGS...]: tools/lama-export (seeded random weights) into a part
# file, renamed to OUT.onnx once the export succeeded, so that an export cut short never leaves a file a later run
# would take as done. PYTHON may be a shell function; REPO is the repository root.
export_variant() {
  local py=$1 out=$2 variant=$3
  shift 3
  local -a forms=()
  mapfile -t forms < <(variant_export_args "$variant")
  "$py" "$REPO/tools/lama-export/export.py" --random-init --seed 0 "${forms[@]}" "$@" -o "${out%.onnx}.part.onnx" \
    && mv "${out%.onnx}.part.onnx" "$out"
}

# seed_timing_caches ENGINE_DIR: puts TensorRT timing caches into ENGINE_DIR before a build, never over one that is
# there (a cache the directory already holds has this GPU's latest timings). TIMING_CACHE names one file; without it,
# every cache kept under bench/gpu/results is offered and, where several runs left a cache of the same name (the
# same GPU type and TensorRT version), the newest run's wins: the result folders start with their date. TensorRT
# then reads the one named for the GPU it builds on.
seed_timing_caches() {
  local dest=$1 cache
  mkdir -p "$dest"
  if [ -n "${TIMING_CACHE:-}" ]; then
    [ -e "$dest/$(basename "$TIMING_CACHE")" ] || cp "$TIMING_CACHE" "$dest/"
    return 0
  fi
  local dir
  while IFS= read -r dir; do
    for cache in "$dir"timing-trt*.cache; do
      [ -e "$cache" ] || continue
      [ -e "$dest/$(basename "$cache")" ] || cp "$cache" "$dest/"
    done
  done < <(printf '%s\n' "$REPO"/bench/gpu/results/*/ | sort -r)
  return 0
}
