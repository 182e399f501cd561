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
