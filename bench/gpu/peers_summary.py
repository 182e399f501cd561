#!/usr/bin/env python3
"""Sums up one GPU proof run: the TensorRT engine's best offline throughput, batch-1 latency and the cost of a
change of batch size, beside PyTorch eager and torch.compile measured in the same run. Prints one JSON document.

usage: peers_summary.py WORKDIR VARIANT

Reads WORKDIR/perf-VARIANT.json and perf-VARIANT-graphs.json (TensorRtOfflineBench), torch-eager.json and
torch-compile.json (bench/gpu/torch_eager.py, torch_compile.py), env.txt and compare-VARIANT.json.
"""
import json
import os
import sys


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def shape_change_ms(perf):
    """Mean over the alternated sizes of (p50 when sizes alternate) - (p50 of the same size run back to back)."""
    alternating = perf.get("alternating")
    if not alternating:
        return None
    steady = {r["batch"]: r["p50_ms"] for r in perf["results"]}
    deltas = [p50 - steady[size] for size, p50 in zip(alternating["sizes"], alternating["p50_ms"]) if size in steady]
    return round(sum(deltas) / len(deltas), 3) if deltas else None


def main():
    workdir, variant = sys.argv[1], sys.argv[2]
    engines = {}
    for label, suffix in (("plain", ""), ("cuda_graphs", "-graphs")):
        perf = load(os.path.join(workdir, f"perf-{variant}{suffix}.json"))
        if perf:
            best = max(perf["results"], key=lambda r: r["all_contexts_img_s"])
            batch1 = next((r for r in perf["results"] if r["batch"] == 1), None)
            engines[label] = {"plan": perf["plan"], "best_img_s": best["all_contexts_img_s"], "best_batch": best["batch"],
                              "contexts": best["contexts"], "batch1_ms": batch1["p50_ms"] if batch1 else None,
                              "shape_change_ms": shape_change_ms(perf),
                              "by_batch": {r["batch"]: {"p50_ms": r["p50_ms"], "img_s": r["all_contexts_img_s"]}
                                           for r in perf["results"]}}
    best_engine = max(engines.values(), key=lambda e: e["best_img_s"]) if engines else {}
    eager = load(os.path.join(workdir, "torch-eager.json")) or {"results": []}
    compiled = load(os.path.join(workdir, "torch-compile.json")) or {"results": []}
    compare = load(os.path.join(workdir, f"compare-{variant}.json")) or {"comparisons": []}
    gpu = ""
    env = os.path.join(workdir, "env.txt")
    if os.path.exists(env):
        lines = open(env).read().splitlines()
        gpu = lines[1].split(",")[0].strip() if len(lines) > 1 else ""
        date = lines[0].strip() if lines else ""
    torch_best = max((r["img_s"] for r in compiled["results"]), default=None)
    summary = {
        "gpu": gpu,
        "date": date if os.path.exists(env) else "",
        "variant": variant,
        "engine_best_img_s": best_engine.get("best_img_s"),
        "engine_batch1_ms": min((e["batch1_ms"] for e in engines.values() if e["batch1_ms"]), default=None),
        "shape_change_ms": engines.get("plain", {}).get("shape_change_ms"),
        "torch_compile_best_img_s": torch_best,
        "torch_compile_batch1_ms": next((r["ms_per_batch"] for r in compiled["results"] if r["batch"] == 1), None),
        "torch_eager_best_img_s": max((r["img_s"] for r in eager["results"]), default=None),
        "engine_vs_torch_compile": round(best_engine["best_img_s"] / torch_best, 3)
        if best_engine and torch_best else None,
        "engines": engines,
        "torch_compile": compiled["results"],
        "torch_eager": eager["results"],
        "accuracy_vs_onnxruntime_fp32": [{k: c.get(k) for k in ("inputs", "batch", "engine", "max_abs", "mean_abs", "nan", "inf")}
                                         for c in compare["comparisons"] if c.get("against") == "onnxruntime-cpu-fp32"],
    }
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
