#!/usr/bin/python3
"""Times the big-lama generator in PyTorch with each Fourier-unit form (torch.fft vs matrix products).

Eager PyTorch only: it shows what the matrix-product DFT costs relative to cuFFT/pocketfft, not what
TensorRT makes of the exported graph. Usage: bench_forms.py [--batch 8] [--tile 512] [--half] [--device cuda]
"""

import argparse
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from lama_export.random_init import random_generator, random_masked_input  # noqa: E402


def timed(generator, x, repeats):
    with torch.no_grad():
        for _ in range(3):
            generator(x)
        if x.is_cuda:
            torch.cuda.synchronize()
        started = time.perf_counter()
        for _ in range(repeats):
            generator(x)
        if x.is_cuda:
            torch.cuda.synchronize()
    return (time.perf_counter() - started) / repeats


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--tile", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--half", action="store_true", help="fp16 weights and activations")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = parser.parse_args()
    generator = random_generator(seed=0, width=64, blocks=18, tile=args.tile).to(args.device)
    x = random_masked_input(args.batch, args.tile, torch.Generator().manual_seed(1)).to(args.device)
    if args.half:
        generator, x = generator.half(), x.half()
    for form in ("fft", "gemm"):
        seconds = timed(generator.set_fourier_form(form), x, args.repeats)
        print(f"{form:5s} batch {args.batch} tile {args.tile} {'fp16' if args.half else 'fp32'} on "
              f"{torch.cuda.get_device_name() if x.is_cuda else 'CPU'}: {seconds * 1e3:.1f} ms "
              f"({args.batch / seconds:.1f} images/s)")


if __name__ == "__main__":
    main()
