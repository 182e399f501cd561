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
- :func:`unshuffle_output` computes the 7x7 output convolution (64 channels to 3 at full resolution) on the 2x2
  space-to-depth rearrangement of its padded input: a 4x4 convolution from 256 channels to 12, whose outputs
  depth-to-space back to the original ones. The same sums of the same products (about 30 % more multiplications,
  by zero weights), in a shape with enough channels for tensor-core kernels: with 3 output channels TensorRT ran
  this layer without them (6.9 ms of 90 per batch of 32 on an H100).
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


class UnshuffledConv2d(nn.Module):
    """A stride-1, unpadded convolution computed on the ``factor`` x ``factor`` space-to-depth rearrangement of its
    input: output pixel (f*I + r, f*J + s) of channel o is channel (o, r, s) of a convolution of the rearranged
    input, whose weight at input channel (c, t, u) and tap (A, B) is the original weight at tap
    (f*A + t - r, f*B + u - s) (zero outside the kernel). Input and output sizes must be multiples of ``factor``."""

    def __init__(self, conv: nn.Conv2d, factor: int = 2):
        super().__init__()
        if conv.stride != (1, 1) or conv.padding != (0, 0) or conv.dilation != (1, 1) or conv.groups != 1:
            raise ValueError("only a stride-1, unpadded, undilated, ungrouped convolution can be unshuffled")
        k_h, k_w = conv.kernel_size
        f = factor
        if (k_h - 1) % f or (k_w - 1) % f:
            # then the padded input and the output cannot both be multiples of f
            raise ValueError(f"kernel {conv.kernel_size}: kernel size - 1 must be a multiple of {f}")
        # output pixel f*I + r reads input rows f*I + r + i for taps i < k: rows f*(I + A) + t with A <= (k-1)/f
        taps_h, taps_w = (k_h - 1) // f + 1, (k_w - 1) // f + 1
        out_c, in_c = conv.out_channels, conv.in_channels
        weight = conv.weight.new_zeros(out_c, f, f, in_c, f, f, taps_h, taps_w)
        with torch.no_grad():
            for r in range(f):
                for t in range(f):
                    for a in range(taps_h):
                        i = f * a + t - r
                        if not 0 <= i < k_h:
                            continue
                        for s in range(f):
                            for u in range(f):
                                for b in range(taps_w):
                                    j = f * b + u - s
                                    if 0 <= j < k_w:
                                        weight[:, r, s, :, t, u, a, b] = conv.weight[:, :, i, j]
        self.factor = f
        self.inner = nn.Conv2d(in_c * f * f, out_c * f * f, (taps_h, taps_w), bias=conv.bias is not None,
                               dtype=conv.weight.dtype, device=conv.weight.device)
        with torch.no_grad():
            self.inner.weight.copy_(weight.reshape(out_c * f * f, in_c * f * f, taps_h, taps_w))
            if conv.bias is not None:
                self.inner.bias.copy_(conv.bias.repeat_interleave(f * f))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f = self.factor
        if x.shape[-2] % f or x.shape[-1] % f:
            raise ValueError(f"input {tuple(x.shape[-2:])} must be a multiple of {f} in both sizes")
        return nn.functional.pixel_shuffle(self.inner(nn.functional.pixel_unshuffle(x, f)), f)


@torch.no_grad()
def unshuffle_output(generator: LamaGenerator, factor: int = 2) -> None:
    """Replaces the output convolution (before the sigmoid) by its :class:`UnshuffledConv2d`."""
    last = generator.model[-2]
    if not isinstance(last, nn.Conv2d):
        raise ValueError(f"expected the output convolution before the sigmoid, found {type(last).__name__}")
    generator.model[-2] = UnshuffledConv2d(last, factor)


def rewrite(generator: LamaGenerator, probe: torch.Tensor, fold: bool, align: bool,
            scale: bool = False, unshuffle: bool = False) -> Tuple[LamaGenerator, float]:
    """Applies the chosen rewrites to a copy of ``generator`` (eval mode); returns it and the largest difference
    of its output from the original's on ``probe`` (0..1 scale; the probe's size is the tile)."""
    rewritten = copy.deepcopy(generator).eval()
    if fold:
        fold_batch_norms(rewritten)
    if align:
        align_channels(rewritten)
    if scale:
        scale_spectrum(rewritten, probe.shape[-1])
    if unshuffle:
        unshuffle_output(rewritten)
    with torch.no_grad():
        before = generator.eval()(probe)
        after = rewritten(probe)
    return rewritten, float((before - after).abs().max())
