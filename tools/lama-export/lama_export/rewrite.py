"""Rewrites of a loaded generator that keep its function and give TensorRT a graph it runs faster or safer.

All are exact up to float rounding and are applied after the weights are loaded, so checkpoints load unchanged:

- :func:`fold_batch_norms` folds the BatchNorm that follows each FFC's sums (``bn(conv_a(x) + conv_b(y))``) into
  the convolutions on both sides of the sum. ONNX exporters fold a BatchNorm only into a convolution it directly
  follows; after a sum it stays a separate layer, and TensorRT runs it as one more pass over the tensor plus a
  format change, where ``conv_a + conv_b + ReLU`` fuses into one kernel.
- :func:`scale_spectrum` makes each Fourier unit compute a scaled-down spectrum in which no value exceeds twice
  the unit's largest input value (a real and an imaginary part of up to one each): the forward transforms are
  scaled by a power of two, the inverse ones by its reciprocal, and the spectral convolution's BatchNorm is folded
  into it with its shift scaled alike (ReLU commutes with a positive scale). With norm="ortho" a transform along
  an axis of n samples can grow a value sqrt(n) times (a flat input puts everything into the zero frequency):
  64 times over the two axes at tile 512, which is how LaMa's Fourier units overflow fp16 on bright or flat
  images. Scaled, they are at no more risk than any other fp16 layer.
- :func:`align_channels` widens the first convolution's input (4 channels: masked RGB and mask) and the last
  convolution's output (3 channels: RGB) to a multiple of 8 with zero weights. Tensor-core kernels want channel
  counts in multiples of 8; with 3 or 4 the builder falls back to slow kernels (the 7x7 output convolution was
  the slowest layer of the engine). The extra inputs repeat the mask, the extra outputs are dropped after the
  sigmoid.
"""

import copy
import math
from typing import Tuple

import torch
from torch import nn

from .generator import FFC_BN_ACT, FourierUnit, LamaGenerator


def _affine(bn: nn.BatchNorm2d) -> Tuple[torch.Tensor, torch.Tensor]:
    """(scale, shift) with bn(y) = scale * y + shift per channel, in eval mode."""
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    return scale, bn.bias - bn.running_mean * scale


def _scale_outputs(conv: nn.Conv2d, scale: torch.Tensor) -> None:
    conv.weight.mul_(scale.reshape(-1, 1, 1, 1))
    if conv.bias is not None:
        conv.bias.mul_(scale)


def _add_bias(conv: nn.Conv2d, shift: torch.Tensor) -> None:
    if conv.bias is None:
        conv.bias = nn.Parameter(shift.clone())
    else:
        conv.bias.add_(shift)


@torch.no_grad()
def fold_batch_norms(generator: LamaGenerator) -> int:
    """Folds every FFC_BN_ACT's BatchNorms into the FFC's convolutions; returns how many were folded."""
    folded = 0
    for layer in generator.modules():
        if not isinstance(layer, FFC_BN_ACT):
            continue
        ffc = layer.ffc
        branches = ((layer.bn_l, (ffc.convl2l, ffc.convg2l)),
                    (layer.bn_g, (ffc.convl2g, ffc.convg2g.conv2 if ffc.convg2g is not None else None)))
        for bn, convs in branches:
            if not isinstance(bn, nn.BatchNorm2d):
                continue
            present = [conv for conv in convs if conv is not None]
            scale, shift = _affine(bn)
            for conv in present:
                # a linear map of the sum: scaling each term's output channels scales the sum
                _scale_outputs(conv, scale)
            _add_bias(present[0], shift)
            folded += 1
        if isinstance(layer.bn_l, nn.BatchNorm2d):
            layer.bn_l = nn.Identity()
        if isinstance(layer.bn_g, nn.BatchNorm2d):
            layer.bn_g = nn.Identity()
    return folded


def spectrum_scale_for(tile: int) -> float:
    """The scale of the spectrum at ``tile``: per transform, at most 1/sqrt(n) and a power of two (exact in floating
    point), for the n = tile / 8 samples per axis of the Fourier units (three stride-2 downsamplings)."""
    samples = tile // 8
    per_transform = 2.0 ** -math.ceil(0.5 * math.log2(samples))
    return per_transform * per_transform


@torch.no_grad()
def scale_spectrum(generator: LamaGenerator, tile: int) -> float:
    """Scales every Fourier unit's spectrum by :func:`spectrum_scale_for` ``(tile)``; returns the scale."""
    scale = spectrum_scale_for(tile)
    for unit in generator.modules():
        if not isinstance(unit, FourierUnit) or unit.spectrum_scale != 1.0:
            continue
        if isinstance(unit.bn, nn.BatchNorm2d):
            bn_scale, shift = _affine(unit.bn)
            _scale_outputs(unit.conv_layer, bn_scale)
            _add_bias(unit.conv_layer, shift)
            unit.bn = nn.Identity()
        if unit.conv_layer.bias is not None:
            # conv(s * y) + s * b = s * (conv(y) + b): the whole spectral convolution scales with its input
            unit.conv_layer.bias.mul_(scale)
        unit.spectrum_scale = scale
    return scale


class _FirstChannels(nn.Module):
    """Applies ``inner`` and keeps the first ``channels`` channels (drops the zero-weight padding channels)."""

    def __init__(self, inner: nn.Module, channels: int):
        super().__init__()
        self.inner = inner
        self.channels = channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.inner(x)[:, :self.channels]


def _aligned(count: int, multiple: int) -> int:
    return -(-count // multiple) * multiple


@torch.no_grad()
def align_channels(generator: LamaGenerator, multiple: int = 8) -> None:
    """Widens the first convolution's input and the last convolution's output to a multiple of ``multiple``."""
    first = generator.model[1].ffc.convl2l
    wide_in = _aligned(first.in_channels, multiple)
    if wide_in != first.in_channels:
        weight = first.weight.new_zeros(first.out_channels, wide_in, *first.kernel_size)
        weight[:, :first.in_channels] = first.weight
        first.weight = nn.Parameter(weight)
        first.in_channels = wide_in
        generator.input_channels = wide_in

    last = generator.model[-2]
    if not isinstance(last, nn.Conv2d):
        raise ValueError(f"expected the output convolution before the sigmoid, found {type(last).__name__}")
    wide_out = _aligned(last.out_channels, multiple)
    if wide_out == last.out_channels:
        return
    widened = nn.Conv2d(last.in_channels, wide_out, last.kernel_size, bias=last.bias is not None)
    widened.weight.zero_()
    widened.weight[:last.out_channels] = last.weight
    if last.bias is not None:
        widened.bias.zero_()
        widened.bias[:last.out_channels] = last.bias
    generator.model[-2] = widened
    generator.model[-1] = _FirstChannels(generator.model[-1], last.out_channels)


def rewrite(generator: LamaGenerator, probe: torch.Tensor, fold: bool, align: bool,
            scale: bool = False) -> Tuple[LamaGenerator, float]:
    """Applies the chosen rewrites to a copy of ``generator`` (eval mode); returns it and the largest difference
    of its output from the original's on ``probe`` (0..1 scale; the probe's size is the tile)."""
    rewritten = copy.deepcopy(generator).eval()
    if fold:
        fold_batch_norms(rewritten)
    if align:
        align_channels(rewritten)
    if scale:
        scale_spectrum(rewritten, probe.shape[-1])
    with torch.no_grad():
        before = generator.eval()(probe)
        after = rewritten(probe)
    return rewritten, float((before - after).abs().max())
