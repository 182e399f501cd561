"""A deterministic probe input and reference samples of a model's output on it.

The probe is defined by integer arithmetic so that any language can rebuild it bit for bit in float32:
image[c, y, x] = ((3x + 5y + 71c) mod 256) / 255, mask = 1 on rows 160..351 and columns 96..319 (scaled to
the tile size as T * r / 512). The reference is computed with the ORIGINAL torch.fft Fourier units, so a
runtime that executes the exported (matrix-product) graph can be checked against it independently.
"""

import torch

from .generator import LamaGenerator, LamaInpainter

SAMPLE_STRIDE = 16


def hole_bounds(tile: int):
    return tile * 160 // 512, tile * 352 // 512, tile * 96 // 512, tile * 320 // 512


def probe_input(tile: int):
    y = torch.arange(tile, dtype=torch.int64).view(1, 1, tile, 1)
    x = torch.arange(tile, dtype=torch.int64).view(1, 1, 1, tile)
    c = torch.arange(3, dtype=torch.int64).view(1, 3, 1, 1)
    image = ((3 * x + 5 * y + 71 * c) % 256).to(torch.float32) / 255.0
    top, bottom, left, right = hole_bounds(tile)
    mask = torch.zeros(1, 1, tile, tile)
    mask[:, :, top:bottom, left:right] = 1.0
    return image, mask


def write_reference(generator: LamaGenerator, tile: int, path: str, source: str) -> None:
    """Writes ``c y x value`` lines for every SAMPLE_STRIDE-th row and column of the 0..255 output."""
    image, mask = probe_input(tile)
    with torch.no_grad():
        output = LamaInpainter(generator.set_fourier_form("fft").set_pad_form("slice")).eval()(image, mask)[0]
    generator.set_fourier_form("gemm")
    top, bottom, left, right = hole_bounds(tile)
    with open(path, "w") as out:
        out.write(f"# Reference output of {source} at tile {tile}, computed with torch.fft Fourier units.\n")
        out.write("# Probe: image[c,y,x] = ((3x + 5y + 71c) mod 256) / 255 (float32); "
                  f"mask = 1 on rows {top}..{bottom - 1}, columns {left}..{right - 1}.\n")
        out.write(f"# Lines: c y x output (0..255), every {SAMPLE_STRIDE}th row and column.\n")
        for ch in range(3):
            for y in range(0, tile, SAMPLE_STRIDE):
                for x in range(0, tile, SAMPLE_STRIDE):
                    out.write(f"{ch} {y} {x} {float(output[ch, y, x]):.5f}\n")


def check_with_onnxruntime(path: str, generator: LamaGenerator, tile: int) -> float:
    """Runs the exported file in ONNX Runtime (CPU) on a batch of two probe inputs and returns the max abs
    difference, on the 0..255 scale, from the generator with torch.fft Fourier units."""
    import onnxruntime  # optional: only this check needs it

    image, mask = probe_input(tile)
    image = torch.cat([image, image.flip(-1)])
    mask = torch.cat([mask, mask.flip(-2)])
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {"image": image.numpy(), "mask": mask.numpy()})
    with torch.no_grad():
        expected = LamaInpainter(generator.set_fourier_form("fft").set_pad_form("slice")).eval()(image, mask)
    generator.set_fourier_form("gemm")
    return float((torch.from_numpy(got) - expected).abs().max())
