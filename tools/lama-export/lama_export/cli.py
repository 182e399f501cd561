"""Command line: export a LaMa generator (random or from a checkpoint) to lama-serve's ONNX contract."""

import argparse
import os
import sys
import time

import torch

from .generator import BIG_LAMA_BLOCKS, BIG_LAMA_WIDTH
from .onnx_export import export_inpainter, log, sha256_of
from .probe import check_with_onnxruntime, write_reference
from .random_init import random_generator
from .rewrite import rewrite, spectrum_scale_for
from .weights import load_generator


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="lama-export",
        description="Export big-lama to ONNX (opset 17, Fourier units as constant DFT matrix products, "
                    "dynamic batch, fixed tile) with lama-serve's I/O contract.")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--checkpoint", metavar="PATH",
                        help="weights: advimman/lama best.ckpt (PyTorch Lightning) or IOPaint's TorchScript "
                             "big-lama.pt / anime-manga-big-lama.pt")
    source.add_argument("--random-init", action="store_true", help="seeded random weights (tests, benchmarks)")
    parser.add_argument("--output", "-o", required=True, metavar="FILE.onnx")
    parser.add_argument("--tile", type=int, default=512, help="tile size T (multiple of 8; default 512)")
    parser.add_argument("--seed", type=int, default=0, help="seed for --random-init (default 0)")
    parser.add_argument("--width", type=int, default=BIG_LAMA_WIDTH,
                        help=f"ngf for --random-init (default {BIG_LAMA_WIDTH} = big-lama)")
    parser.add_argument("--blocks", type=int, default=BIG_LAMA_BLOCKS,
                        help=f"FFC residual blocks for --random-init (default {BIG_LAMA_BLOCKS} = big-lama)")
    parser.add_argument("--fourier-form", choices=("conv", "gemm", "bmm"), default="conv",
                        help="how the exported graph computes the DFTs: conv = constant DFT matrices as 1x1 "
                             "convolutions, two transposes per Fourier unit (default; the faster form in TensorRT "
                             "and ONNX Runtime), gemm = the same matrices in 2-D MatMuls, four transposes, bmm = "
                             "batched MatMuls from the left (H) and the right (W), no transposes")
    parser.add_argument("--pad-form", choices=("concat", "slice", "gather"), default="concat",
                        help="how reflect padding is exported: concat = Slices of the mirrored rows/columns "
                             "joined by Concat (default; TensorRT runs them as plain copies), slice = one "
                             "Pad(reflect) node, which TensorRT runs as a much slower reflecting Slice, gather = "
                             "two Gathers with constant indices (rows, then columns)")
    parser.add_argument("--fold-batch-norms", action="store_true",
                        help="fold the BatchNorm after each FFC's sums into the convolutions on both sides of the "
                             "sum (exact up to rounding; one layer and one pass over the tensor fewer per branch)")
    parser.add_argument("--align-channels", action="store_true",
                        help="widen the first convolution's input (4 channels) and the output convolution (3) to "
                             "8 with zero weights, for tensor-core kernels (exact; the extra outputs are dropped)")
    parser.add_argument("--scale-spectrum", action="store_true",
                        help="compute each Fourier unit's spectrum scaled down by a power of two (sqrt(n) per "
                             "transform) and scale it back in the inverse, so that no spectral value exceeds the "
                             "unit's largest input: the unit is then as safe in fp16 as any other layer (exact)")
    parser.add_argument("--unshuffle-output", action="store_true",
                        help="compute the 7x7 output convolution (to 3 channels) on the 2x2 space-to-depth "
                             "rearrangement of its input, as a 4x4 convolution to 12 channels followed by "
                             "depth-to-space, which tensor-core kernels can run (exact)")
    parser.add_argument("--verify", action="store_true",
                        help="before exporting, compare the matrix-product Fourier units with torch.fft on a "
                             "random masked input at the tile size (slow for the full model on a CPU)")
    parser.add_argument("--reference", metavar="FILE.txt",
                        help="also write reference output samples on a fixed probe input, computed with the "
                             "torch.fft Fourier units (to check a runtime executing the exported graph)")
    parser.add_argument("--check-onnxruntime", action="store_true",
                        help="after exporting, run the file in ONNX Runtime (needs the onnxruntime package) at "
                             "batch 2 and compare with the torch.fft generator")
    args = parser.parse_args(argv)
    if args.checkpoint and (args.width != BIG_LAMA_WIDTH or args.blocks != BIG_LAMA_BLOCKS):
        parser.error("--width/--blocks apply to --random-init only; a checkpoint defines its own size")
    if args.tile % 8 or args.tile < 16:
        parser.error(f"--tile must be a multiple of 8 and at least 16, got {args.tile}")
    return args


def verify_forms(generator, tile: int, seed: int, form: str = "conv", pad_form: str = "concat") -> float:
    """Max abs difference of the generator output between the fft Fourier form and ``form``."""
    from .random_init import random_masked_input
    x = random_masked_input(1, tile, torch.Generator().manual_seed(seed + 1))
    with torch.no_grad():
        reference = generator.set_fourier_form("fft").set_pad_form("slice")(x)
        exported = generator.set_fourier_form(form).set_pad_form(pad_form)(x)
    return float((reference - exported).abs().max())


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    started = time.time()
    if args.random_init:
        log(f"building a random generator (seed {args.seed}, width {args.width}, blocks {args.blocks}) "
            f"and calibrating its BatchNorm statistics at {args.tile}x{args.tile} ...")
        generator = random_generator(args.seed, args.width, args.blocks, args.tile)
        source = f"random seed {args.seed}"
    else:
        log(f"loading {args.checkpoint} ...")
        digest = sha256_of(args.checkpoint)
        generator, kind = load_generator(args.checkpoint)
        source = f"{kind} {os.path.basename(args.checkpoint)} sha256 {digest}"
    log(f"generator ready in {time.time() - started:.1f} s "
        f"({sum(p.numel() for p in generator.parameters()):,} parameters)")
    rewrites = [name for name, chosen in (("fold-batch-norms", args.fold_batch_norms),
                                          ("align-channels-8", args.align_channels),
                                          (f"scale-spectrum-{spectrum_scale_for(args.tile):g}",
                                           args.scale_spectrum),
                                          ("unshuffle-output-2", args.unshuffle_output)) if chosen]
    if rewrites:
        from .random_init import random_masked_input
        probe = random_masked_input(1, args.tile, torch.Generator().manual_seed(args.seed + 2))
        generator, difference = rewrite(generator, probe, args.fold_batch_norms, args.align_channels,
                                        args.scale_spectrum, args.unshuffle_output)
        log(f"rewrote the generator ({', '.join(rewrites)}): max abs difference of its output (0..1) {difference:.3g}")
        if difference > 1e-4:
            log("FAILED: the rewritten generator differs by more than 1e-4")
            return 1
    if args.verify:
        log("verifying the matrix-product Fourier units against torch.fft ...")
        difference = verify_forms(generator, args.tile, args.seed, args.fourier_form, args.pad_form)
        log(f"max abs difference of the generator output (0..1): {difference:.3g}")
        if difference > 1e-4:
            log("FAILED: the forms differ by more than 1e-4")
            return 1
    export_inpainter(generator, args.tile, source, args.output, fourier_form=args.fourier_form,
                     pad_form=args.pad_form,
                     extra_metadata={"lama-serve.rewrites": ",".join(rewrites)} if rewrites else None)
    if args.check_onnxruntime:
        log("running the exported file in ONNX Runtime (CPU) at batch 2 ...")
        difference = check_with_onnxruntime(args.output, generator, args.tile)
        log(f"max abs difference ONNX Runtime vs torch.fft (0..255 scale): {difference:.3g}")
        if difference > 0.05:
            log("FAILED: the exported graph differs from the PyTorch model")
            return 1
    if args.reference:
        write_reference(generator, args.tile, args.reference, f"{os.path.basename(args.output)} ({source})")
        log(f"wrote reference samples to {args.reference}")
    log(f"sha256 {sha256_of(args.output)}  {args.output}")
    return 0
