#!/usr/bin/env bash
# Validates k8s/ against the Kubernetes and Knative Serving schemas (npm: kubernetes-models 5.1.0, generated from
# the Kubernetes OpenAPI spec; @kubernetes-models/knative 4.0.0, generated from knative.dev/serving's API types)
# plus the Knative webhook rules in validate.mjs, and checks that every manifest in testdata/invalid/ is rejected.
# Needs node >= 20 and npm; installs the packages once into $LAMA_K8S_VALIDATOR_DIR (default ~/.cache/...).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${LAMA_K8S_VALIDATOR_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/lama-serve-k8s-validator}
packages=(kubernetes-models@5.1.0 @kubernetes-models/knative@4.0.0 js-yaml@4.1.0)
if [ ! -f "$dir/.installed-$(echo "${packages[*]}" | md5sum | cut -c1-12)" ]; then
  mkdir -p "$dir"
  (cd "$dir" && [ -f package.json ] || echo '{"private": true}' >"$dir/package.json")
  npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "${packages[@]}"
  touch "$dir/.installed-$(echo "${packages[*]}" | md5sum | cut -c1-12)"
fi
# ES modules resolve packages next to the importing file, so the script runs from the install dir.
cp "$here/validate.mjs" "$dir/validate.mjs"

echo "== manifests"
node "$dir/validate.mjs" "$here"/*.yaml "$here"/cpu/*.yaml

echo "== testdata/invalid (each must be rejected)"
failed=0
for bad in "$here"/testdata/invalid/*.yaml; do
  expect=$(sed -n 's/^# expect: //p' "$bad")
  if out=$(node "$dir/validate.mjs" "$bad" 2>&1); then
    echo "NOT REJECTED: $(basename "$bad")"; failed=1
  elif ! grep -qF -- "$expect" <<<"$out"; then
    echo "REJECTED FOR ANOTHER REASON: $(basename "$bad") (expected '$expect'):"; echo "$out"; failed=1
  else
    echo "rejected as expected: $(basename "$bad"): $expect"
  fi
done
exit $failed
