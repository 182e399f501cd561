#!/usr/bin/env python3
"""PyTorch eager baseline on the GPU: the exporter's big-lama module (random weights, torch.fft Fourier units),
fp16 weights and activations (the FFTs run in fp32 inside each Fourier unit), batched. Prints one JSON line.

usage: torch_eager.py [BATCH ...]     (default 1 32)
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools", "lama-export"))
from lama_export.generator import LamaInpainter  # noqa: E402
from lama_export.random_init import random_generator  # noqa: E402
from torch_timing import seconds_per_run  # noqa: E402


def measure(model, batch, tile, dtype, seconds=3.0):
    image = torch.rand(batch, 3, tile, tile, device="cuda", dtype=dtype)
    mask = (torch.rand(batch, 1, tile, tile, device="cuda") > 0.7).to(dtype)
    per_run = seconds_per_run(model, image, mask, seconds)
    return {"batch": batch, "ms_per_batch": round(1000 * per_run, 2), "img_s": round(batch / per_run, 1)}


def main():
    batches = [int(b) for b in sys.argv[1:]] or [1, 32]
    tile = 512
    generator = random_generator(0, 64, 18, tile).set_fourier_form("fft")
    model = LamaInpainter(generator).eval().cuda().half()
    results = [measure(model, b, tile, torch.float16) for b in batches]
    print(json.dumps({"baseline": "pytorch-eager-fp16", "torch": torch.__version__,
                      "gpu": torch.cuda.get_device_name(0), "results": results}))


if __name__ == "__main__":
    main()
