#!/usr/bin/env python3
"""torch.compile baseline on the GPU: what a Python user gets by compiling the same big-lama module (random
weights, torch.fft Fourier units run in fp32 inside each unit) with fp16 weights and activations and channels_last
memory. Every batch size gets its own specialised graph (dynamic=False). Prints one JSON line.

usage: torch_compile.py [--mode MODE] [--wait-for FILE] [BATCH ...]     (default mode "default", batches 1 8 32)

All sizes are compiled first; with --wait-for the timing starts only once FILE exists, so the compilation (mostly
CPU work) can overlap other work on the machine while the timed runs have the GPU to themselves.
"""
import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools", "lama-export"))
from lama_export.generator import LamaInpainter  # noqa: E402
from lama_export.random_init import random_generator  # noqa: E402
from torch_timing import seconds_per_run  # noqa: E402


def inputs(batch, tile):
    image = torch.rand(batch, 3, tile, tile, device="cuda", dtype=torch.float16)
    mask = (torch.rand(batch, 1, tile, tile, device="cuda") > 0.7).to(torch.float16)
    return image.contiguous(memory_format=torch.channels_last), mask.contiguous(memory_format=torch.channels_last)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", default="default")
    parser.add_argument("--wait-for")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("batches", nargs="*", type=int, default=[1, 8, 32])
    args = parser.parse_args()
    tile = 512
    torch.backends.cudnn.benchmark = True
    generator = random_generator(0, 64, 18, tile).set_fourier_form("fft")
    model = LamaInpainter(generator).eval().cuda().half().to(memory_format=torch.channels_last)
    compiled = torch.compile(model, mode=args.mode, dynamic=False)
    compile_s = {}
    with torch.inference_mode():
        for batch in args.batches:
            started = time.perf_counter()
            image, mask = inputs(batch, tile)
            for _ in range(3):
                compiled(image, mask)
            torch.cuda.synchronize()
            compile_s[batch] = round(time.perf_counter() - started, 1)
            print(f"compiled batch {batch} in {compile_s[batch]} s", file=sys.stderr, flush=True)
        if args.wait_for:
            while not os.path.exists(args.wait_for):
                time.sleep(1)
        results = []
        for batch in args.batches:
            image, mask = inputs(batch, tile)
            seconds = seconds_per_run(compiled, image, mask, args.seconds)
            results.append({"batch": batch, "ms_per_batch": round(1000 * seconds, 2),
                            "img_s": round(batch / seconds, 1), "compile_s": compile_s[batch]})
            print(f"batch {batch}: {results[-1]}", file=sys.stderr, flush=True)
    print(json.dumps({"baseline": f"torch-compile-{args.mode}-fp16-channels-last", "torch": torch.__version__,
                      "gpu": torch.cuda.get_device_name(0), "results": results}))


if __name__ == "__main__":
    main()
