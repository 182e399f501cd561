#!/usr/bin/env python3
"""Sums TensorRT's per-layer times (the offline benchmark's "layer_profiles", from --profile) by kind of layer and
lists the slowest layers.

    python3 bench/gpu/profile_summary.py perf.json [more.json ...] [--top 25]

Layer names are TensorRT's: fused layers join their ONNX node names with " + ", "Reformatting CopyNode ..." are the
layout and precision conversions TensorRT inserts, "{ForeignNode[...]}" a region TensorRT compiled as one unit.
Each layer is counted once, in the first kind whose rule matches (the order of KINDS).
"""
import json
import re
import sys

# (kind, pattern on the layer name); the exporter names the Fourier units' nodes ".../fu/..." and the
# reflect padding's ".../pad..."
KINDS = [
    ("reformat/copy", re.compile(r"Reformat|CopyNode|reformat", re.I)),
    ("fused region (ForeignNode)", re.compile(r"ForeignNode")),
    ("Fourier unit (DFT products, spectral conv)", re.compile(r"/fu/|fourier|spectral", re.I)),
    ("transposed convolution", re.compile(r"ConvTranspose", re.I)),
    ("padding, slices, concats", re.compile(r"/pad|Pad\b|Slice|Concat", re.I)),
    ("convolution", re.compile(r"Conv", re.I)),
    ("element-wise, other", re.compile(r".")),
]


def kind_of(name):
    for kind, pattern in KINDS:
        if pattern.search(name):
            return kind
    return "element-wise, other"


def summarize(path, top):
    with open(path) as f:
        doc = json.load(f)
    for profile in doc.get("layer_profiles", []):
        layers = profile["layers"]
        total = sum(layer["ms"] for layer in layers) or 1.0
        sums = {}
        for layer in layers:
            kind = kind_of(layer["name"])
            count, ms = sums.get(kind, (0, 0.0))
            sums[kind] = (count + 1, ms + layer["ms"])
        print(f"{path}: batch {profile['batch']}, {len(layers)} layers, {profile['sum_ms']:.2f} ms per run "
              f"(mean of {profile['runs']}; profiling serializes the layers)")
        for kind, _ in KINDS:
            if kind in sums:
                count, ms = sums[kind]
                print(f"  {kind:<45} {count:>5} layers {ms:9.2f} ms  {100 * ms / total:5.1f} %")
        print(f"  slowest {top}:")
        for layer in sorted(layers, key=lambda layer: -layer["ms"])[:top]:
            name = layer["name"] if len(layer["name"]) <= 150 else layer["name"][:147] + "..."
            print(f"    {layer['ms']:8.3f} ms  {name}")


def main(argv):
    top = 25
    paths = []
    i = 0
    while i < len(argv):
        if argv[i] == "--top":
            top = int(argv[i + 1])
            i += 2
        else:
            paths.append(argv[i])
            i += 1
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    for path in paths:
        summarize(path, top)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
