#!/usr/bin/env python3
"""Where the GPU time of the PyTorch baselines goes: the same big-lama module as torch_eager.py / torch_compile.py
(random weights, torch.fft Fourier units in fp32, fp16 weights, channels_last), run under torch.profiler at one
batch size; CUDA kernel time summed by kind (convolutions and matrix products, FFT, fused/elementwise, layout
copies, other) per image. The counterpart of the TensorRT per-layer profile (bench/gpu/profile_summary.py).

usage: torch_kernels.py [--compile] [--runs N] [BATCH]      (default batch 32, 5 profiled runs)
Prints a table on stderr and one JSON line on stdout.
"""
import argparse
import json
import os
import re
import sys
import time
from collections import defaultdict

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools", "lama-export"))
from lama_export.generator import LamaInpainter  # noqa: E402
from lama_export.random_init import random_generator  # noqa: E402

# First match wins; kernel names of cuDNN, cuBLAS, CUTLASS, cuFFT, Triton and ATen.
KINDS = [
    ("fft", re.compile(r"fft|radix|r2c|c2r", re.I)),
    ("fused (triton)", re.compile(r"^triton", re.I)),
    ("conv/matmul", re.compile(r"conv|gemm|xmma|cutlass|implicit|wgrad|dgrad|sm\d\d_|cudnn|hmma|wmma", re.I)),
    ("layout", re.compile(r"nchw|nhwc|transpose|copy|permute|cat|pad|reflect", re.I)),
    ("elementwise/reduce", re.compile(r"elementwise|reduce|vectorized|unrolled|batch_norm|relu|add|mul", re.I)),
]


def kind_of(name):
    return next((kind for kind, pattern in KINDS if pattern.search(name)), "other")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--compile", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("batch", nargs="?", type=int, default=32)
    args = parser.parse_args()
    tile = 512
    torch.backends.cudnn.benchmark = True
    generator = random_generator(0, 64, 18, tile).set_fourier_form("fft")
    model = LamaInpainter(generator).eval().cuda().half().to(memory_format=torch.channels_last)
    if args.compile:
        model = torch.compile(model, dynamic=False)
    image = torch.rand(args.batch, 3, tile, tile, device="cuda", dtype=torch.float16)
    mask = (torch.rand(args.batch, 1, tile, tile, device="cuda") > 0.7).to(torch.float16)
    image = image.contiguous(memory_format=torch.channels_last)
    mask = mask.contiguous(memory_format=torch.channels_last)
    with torch.inference_mode():
        started = time.perf_counter()
        for _ in range(3):
            model(image, mask)
        torch.cuda.synchronize()
        warm_s = time.perf_counter() - started
        activities = [torch.profiler.ProfilerActivity.CUDA]
        with torch.profiler.profile(activities=activities) as profiler:
            for _ in range(args.runs):
                model(image, mask)
            torch.cuda.synchronize()
    by_kind, by_kernel = defaultdict(float), defaultdict(float)
    for event in profiler.key_averages():
        cuda_us = getattr(event, "device_time_total", None)
        if cuda_us is None:
            cuda_us = event.cuda_time_total
        if cuda_us <= 0 or event.key.startswith(("ProfilerStep", "aten::", "cuda")):
            continue
        by_kernel[event.key] += cuda_us
        by_kind[kind_of(event.key)] += cuda_us
    per_image = args.runs * args.batch * 1000.0  # microseconds -> ms per image
    total = sum(by_kind.values()) / per_image
    print(f"{'compiled' if args.compile else 'eager'} batch {args.batch} on {torch.cuda.get_device_name(0)}: "
          f"{total:.3f} ms of kernels per image (warm-up {warm_s:.1f} s)", file=sys.stderr)
    for kind, us in sorted(by_kind.items(), key=lambda kv: -kv[1]):
        print(f"  {kind:<20} {us / per_image:7.3f} ms/img  {100 * us / sum(by_kind.values()):5.1f} %", file=sys.stderr)
    top = sorted(by_kernel.items(), key=lambda kv: -kv[1])[:12]
    for name, us in top:
        print(f"    {us / per_image:7.3f}  {name[:110]}", file=sys.stderr)
    print(json.dumps({"torch": torch.__version__, "gpu": torch.cuda.get_device_name(0), "compiled": args.compile,
                      "batch": args.batch, "kernel_ms_per_image": round(total, 4),
                      "by_kind_ms_per_image": {k: round(v / per_image, 4) for k, v in by_kind.items()},
                      "top_kernels_ms_per_image": [[n, round(us / per_image, 4)] for n, us in top]}))


if __name__ == "__main__":
    main()
