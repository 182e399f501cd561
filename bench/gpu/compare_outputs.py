#!/usr/bin/env python3
"""Compares the TensorRT engine's outputs (dumped by TensorRtOfflineBench --dump) with ONNX Runtime on the CPU
and with each other, on the same inputs. Prints one JSON document.

usage: compare_outputs.py MODEL.onnx DUMP_DIR [DUMP_DIR ...]

Each DUMP_DIR holds b{N}-image.f32, b{N}-mask.f32 and b{N}-{engine}.f32 (raw little-endian float32, NCHW,
output in 0..255), and x{N}-*.f32 likewise for the inputs at the extremes (all-black and all-white images, whole
tile to fill). The inputs must be identical across directories (the bench seeds them).
"""
import glob
import json
import os
import sys
import time

import numpy as np
import onnxruntime as ort


def main():
    model, dirs = sys.argv[1], sys.argv[2:]
    session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    tile = session.get_inputs()[0].shape[2]
    report = {"onnxruntime": ort.__version__, "comparisons": []}
    sets = sorted({os.path.basename(p).split("-")[0] for d in dirs for p in glob.glob(f"{d}/[bx]*-image.f32")})
    for name in sets:
        batch = int(name[1:])
        image = np.fromfile(f"{dirs[0]}/{name}-image.f32", dtype="<f4").reshape(batch, 3, tile, tile)
        mask = np.fromfile(f"{dirs[0]}/{name}-mask.f32", dtype="<f4").reshape(batch, 1, tile, tile)
        started = time.time()
        reference = session.run(["output"], {"image": image, "mask": mask})[0]
        ort_seconds = time.time() - started
        outputs = {}
        for d in dirs:
            same = np.fromfile(f"{d}/{name}-image.f32", dtype="<f4").reshape(image.shape)
            if not np.array_equal(same, image):
                raise SystemExit(f"inputs differ between {dirs[0]} and {d}")
            for path in glob.glob(f"{d}/{name}-tensorrt-*.f32"):
                engine = os.path.basename(path)[len(f"{name}-"):-4]
                outputs[engine] = np.fromfile(path, dtype="<f4").reshape(reference.shape)
        hole = np.broadcast_to(mask > 0.5, reference.shape)
        inputs = "extremes" if name.startswith("x") else "random"
        for engine, out in sorted(outputs.items()):
            diff = np.abs(out.astype(np.float64) - reference)
            report["comparisons"].append({
                "batch": batch, "inputs": inputs, "engine": engine, "against": "onnxruntime-cpu-fp32",
                "max_abs": float(diff.max()), "mean_abs": float(diff.mean()),
                "max_abs_in_hole": float(diff[hole].max()), "nan": int(np.isnan(out).sum()),
                "inf": int(np.isinf(out).sum()), "reference_nonfinite": int((~np.isfinite(reference)).sum()),
                "ort_seconds": round(ort_seconds, 2)})
        fp32 = [n for n in outputs if n.startswith("tensorrt-fp32")]
        for engine in outputs:
            if fp32 and engine not in fp32:
                diff = np.abs(outputs[engine].astype(np.float64) - outputs[fp32[0]])
                report["comparisons"].append({"batch": batch, "inputs": inputs, "engine": engine, "against": fp32[0],
                                              "max_abs": float(diff.max()), "mean_abs": float(diff.mean())})
        report.setdefault("output_range", [float(reference.min()), float(reference.max())])
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
