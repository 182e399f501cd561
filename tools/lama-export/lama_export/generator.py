"""The big-lama generator (an FFC-ResNet), written to match the module tree of advimman/lama.

Module and attribute names follow the released checkpoints exactly, so that the generator part of
``big-lama/models/best.ckpt`` (``generator.model.N....``) loads with strict key checking. Layers that the
original builds as parameterless ``nn.Identity`` (the global branch of local-only convolutions) are left out
here; they hold no state, so the key set is the same.

The Fourier units come in two interchangeable forms, chosen per generator with :func:`set_fourier_form`:

``fft``  the original: ``torch.fft.rfftn`` / ``irfftn`` with ``norm="ortho"``;
``gemm`` constant real DFT matrices applied as a few large 2-D matrix products (MatMul, Transpose and
         Reshape only), which TensorRT's ONNX parser accepts;
``conv`` the same transforms as 1x1 convolutions: the transformed axis is moved into the channel position
         (Reshape, two Transposes), the half spectrum is padded with zero columns to a multiple of 8, and the
         spectrum stays in the (batch * channels, [re | im] x rows, columns) layout in which both the
         transform along the rows and LaMa's spectral 1x1 convolution read it without a transpose.

Reflect padding comes in two forms too (:func:`set_pad_form`): ``slice`` is one ONNX ``Pad(mode=reflect)``
(TensorRT runs it as a reflecting Slice), ``concat`` copies the mirrored rows and columns with plain Slices
and Concats, ``gather`` reads each padded row and then each padded column from a constant index list (two
Gathers per padding, whatever its width).
"""

from typing import Dict, Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import dft

FOURIER_FORMS = ("fft", "gemm", "conv", "bmm")
PAD_FORMS = ("slice", "concat", "gather")

# Hyper-parameters of configs/training/big-lama.yaml.
BIG_LAMA_WIDTH = 64
BIG_LAMA_BLOCKS = 18
N_DOWNSAMPLING = 3
MAX_FEATURES = 1024
GLOBAL_RATIO = 0.75


class DftMatrices:
    """Caches the constant DFT matrices per (form, height, width, dtype, device).

    Every Fourier unit of one size uses the same four matrices; the exporter stores each of them once.
    """

    _cache: Dict[Tuple[str, int, int, torch.dtype, torch.device], Tuple[torch.Tensor, ...]] = {}
    # The four transforms of each matrix form: forward along W, forward along H, inverse along H, inverse along W.
    _BUILDERS = {
        "gemm": (dft.forward_w, lambda h: dft.complex_h(h, inverse=False), lambda h: dft.complex_h(h, inverse=True),
                 dft.inverse_w),
        "conv": (dft.forward_w_conv, lambda h: dft.complex_h_conv(h, inverse=False),
                 lambda h: dft.complex_h_conv(h, inverse=True), dft.inverse_w_conv),
        "bmm": (dft.forward_w_stacked, lambda h: dft.complex_h_column(h, inverse=False),
                lambda h: dft.complex_h_column(h, inverse=True), dft.inverse_w_stacked),
    }

    @classmethod
    def get(cls, height: int, width: int, dtype: torch.dtype, device: torch.device,
            form: str = "gemm", spectrum_scale: float = 1.0) -> Tuple[torch.Tensor, ...]:
        """The matrices of ``form``: 2-D matrices for ``gemm``, [out, in, 1, 1] weights for ``conv``, (real,
        imaginary) stacks and left-hand matrices for ``bmm``. With ``spectrum_scale`` s, each forward transform
        is scaled by sqrt(s) and each inverse by 1/sqrt(s): the spectrum comes out s times the usual one and
        goes back to the usual signal."""
        key = (form, height, width, dtype, device, spectrum_scale)
        if key not in cls._cache:
            fwd_w, fwd_h, inv_h, inv_w = cls._BUILDERS[form]
            root = np.sqrt(spectrum_scale)
            arrays = (fwd_w(width) * root, fwd_h(height) * root, inv_h(height) / root, inv_w(width) / root)
            cls._cache[key] = tuple(torch.from_numpy(np.asarray(a, dtype=np.float64)).to(dtype=dtype, device=device)
                                    for a in arrays)
        return cls._cache[key]

    @classmethod
    def clear(cls) -> None:
        cls._cache.clear()


class _ReflectPadFunction(torch.autograd.Function):
    """Reflect padding that exports as ONE ONNX ``Pad(mode="reflect")`` with a constant ``pads`` tensor.

    PyTorch's own export of reflect padding builds ``pads`` at run time from Shape/Slice ops that the 1.13
    exporter cannot constant-fold, which also loses the static spatial sizes of everything downstream.
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor, pad: int) -> torch.Tensor:
        return F.pad(x, (pad, pad, pad, pad), mode="reflect")

    @staticmethod
    def symbolic(g, x, pad: int):
        # ONNX order: begins of (N, C, H, W), then ends of (N, C, H, W).
        pads = g.op("Constant", value_t=torch.tensor([0, 0, pad, pad, 0, 0, pad, pad], dtype=torch.int64))
        return g.op("Pad", x, pads, mode_s="reflect")


def _reflect_pad_concat(x: torch.Tensor, pad: int) -> torch.Tensor:
    """Reflect padding from single-row and single-column Slices joined by Concat (rows first, then columns)."""
    height, width = _static(x.shape[2]), _static(x.shape[3])
    top = [x[:, :, i:i + 1] for i in range(pad, 0, -1)]
    bottom = [x[:, :, height - 1 - i:height - i] for i in range(1, pad + 1)]
    x = torch.cat(top + [x] + bottom, dim=2)
    left = [x[:, :, :, i:i + 1] for i in range(pad, 0, -1)]
    right = [x[:, :, :, width - 1 - i:width - i] for i in range(1, pad + 1)]
    return torch.cat(left + [x] + right, dim=3)


def _reflect_indices(size: int, pad: int) -> torch.Tensor:
    """Source index of each position of an axis of ``size`` reflect-padded by ``pad``: p..1, 0..size-1, size-2..."""
    return torch.tensor(list(range(pad, 0, -1)) + list(range(size)) + list(range(size - 2, size - 2 - pad, -1)),
                        dtype=torch.int64)


def _reflect_pad_gather(x: torch.Tensor, pad: int) -> torch.Tensor:
    """Reflect padding as two Gathers with constant indices: the rows, then the columns."""
    height, width = _static(x.shape[2]), _static(x.shape[3])
    rows = _reflect_indices(height, pad).to(x.device)
    columns = _reflect_indices(width, pad).to(x.device)
    return x.index_select(2, rows).index_select(3, columns)


def reflect_pad(x: torch.Tensor, pad: int, form: str = "slice") -> torch.Tensor:
    if not pad:
        return x
    if form == "concat":
        return _reflect_pad_concat(x, pad)
    if form == "gather":
        return _reflect_pad_gather(x, pad)
    if torch.onnx.is_in_onnx_export():
        return _ReflectPadFunction.apply(x, pad)
    # Plain eager / TorchScript tracing: a Python autograd function could not be saved in a TorchScript file.
    return F.pad(x, (pad, pad, pad, pad), mode="reflect")


class ReflectionPad2d(nn.Module):
    """Same as ``nn.ReflectionPad2d(pad)`` (no state), with the export-friendly padding above."""

    def __init__(self, pad: int):
        super().__init__()
        self.pad = pad
        self.pad_form = "slice"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return reflect_pad(x, self.pad, self.pad_form)


class ReflectConv2d(nn.Conv2d):
    """``nn.Conv2d(..., padding_mode="reflect")`` with the export-friendly padding; same parameters and keys."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1, padding: int = 0,
                 bias: bool = False):
        super().__init__(in_channels, out_channels, kernel_size, stride=stride, padding=0, bias=bias)
        self.reflect = padding
        self.pad_form = "slice"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_padded(reflect_pad(x, self.reflect, self.pad_form))

    def forward_padded(self, padded: torch.Tensor) -> torch.Tensor:
        """The convolution of an input that the caller already padded by ``self.reflect``."""
        return super().forward(padded)


def _static(size) -> int:
    # Spatial and channel extents are fixed by the tile size; turning them into Python ints keeps them out of
    # the traced graph (constants in every Reshape, with -1 only for the batch-derived dimension).
    return int(size)


class FourierUnit(nn.Module):
    """Spectral 1x1 convolution: real FFT, conv + BN + ReLU on interleaved (real, imag) channels, inverse FFT.

    Channel ``2c`` holds the real part and ``2c + 1`` the imaginary part of input channel ``c``.
    """

    def __init__(self, channels: int):
        super().__init__()
        self.conv_layer = nn.Conv2d(2 * channels, 2 * channels, kernel_size=1, bias=False)
        self.bn = nn.BatchNorm2d(2 * channels)
        self.relu = nn.ReLU(inplace=False)
        self.form = "fft"
        # s: the spectrum this unit computes is s times the usual one (rewrite.scale_spectrum); 1 = as trained
        self.spectrum_scale = 1.0

    def spectral_conv(self, spectrum: torch.Tensor) -> torch.Tensor:
        return self.relu(self.bn(self.conv_layer(spectrum)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.form == "gemm":
            return self._forward_gemm(x)
        if self.form == "conv":
            return self._forward_conv(x)
        if self.form == "bmm":
            return self._forward_bmm(x)
        return self._forward_fft(x)

    def _forward_fft(self, x: torch.Tensor) -> torch.Tensor:
        batch, channels, height, width = x.shape
        # torch.fft has no half-precision kernels on every device; reduced precisions run in float32.
        fft_dtype = x.dtype if x.dtype in (torch.float32, torch.float64) else torch.float32
        spectrum = torch.fft.rfftn(x.to(fft_dtype), dim=(-2, -1), norm="ortho")
        # (B, C, h, wf) complex -> (B, C, 2, h, wf) -> (B, 2C, h, wf): channel 2c real, 2c+1 imaginary.
        parts = torch.stack((spectrum.real, spectrum.imag), dim=2)
        parts = parts.reshape(batch, 2 * channels, height, -1).to(x.dtype) * self.spectrum_scale
        parts = self.spectral_conv(parts) / self.spectrum_scale
        parts = parts.reshape(batch, channels, 2, height, -1).to(fft_dtype)
        spectrum = torch.complex(parts[:, :, 0], parts[:, :, 1])
        return torch.fft.irfftn(spectrum, s=(height, width), dim=(-2, -1), norm="ortho").to(x.dtype)

    def _forward_gemm(self, x: torch.Tensor) -> torch.Tensor:
        # Each transform is ONE 2-D MatMul whose M dimension folds batch, channels and the untouched spatial
        # axis; the transposes between them only move the (real, imag) axis next to the contracted one.
        channels, height, width = _static(x.shape[1]), _static(x.shape[2]), _static(x.shape[3])
        wf = dft.half_spectrum_width(width)
        fwd_w, fwd_h, inv_h, inv_w = DftMatrices.get(height, width, x.dtype, x.device, "gemm", self.spectrum_scale)

        a = torch.matmul(x.reshape(-1, width), fwd_w)                         # (B*C*h, 2*wf)
        a = a.reshape(-1, channels, height, 2, wf).permute(0, 1, 4, 3, 2)     # (B, C, wf, 2, h)
        y = torch.matmul(a.reshape(-1, 2 * height), fwd_h)                    # (B*C*wf, 2*h)
        # A 1x1 conv ignores the order of the spatial axes, so it runs on (wf, h) rather than (h, wf).
        y = y.reshape(-1, channels, wf, 2, height).permute(0, 1, 3, 2, 4)     # (B, C, 2, wf, h)
        y = self.spectral_conv(y.reshape(-1, 2 * channels, wf, height))
        y = y.reshape(-1, channels, 2, wf, height).permute(0, 1, 3, 2, 4)     # (B, C, wf, 2, h)
        u = torch.matmul(y.reshape(-1, 2 * height), inv_h)                    # (B*C*wf, 2*h)
        u = u.reshape(-1, channels, wf, 2, height).permute(0, 1, 4, 3, 2)     # (B, C, h, 2, wf)
        out = torch.matmul(u.reshape(-1, 2 * wf), inv_w)                      # (B*C*h, w)
        return out.reshape(-1, channels, height, width)

    def _forward_conv(self, x: torch.Tensor) -> torch.Tensor:
        # A 1x1 convolution over N "images" of C' channels is a product with a C' x C' matrix applied to every
        # position; reshaping so that the transformed axis is the channel axis turns each DFT into one.
        channels, height, width = _static(x.shape[1]), _static(x.shape[2]), _static(x.shape[3])
        wp = dft.aligned_spectrum_width(width)
        fwd_w, fwd_h, inv_h, inv_w = DftMatrices.get(height, width, x.dtype, x.device, "conv", self.spectrum_scale)

        a = F.conv2d(x.reshape(-1, width, 1, 1), fwd_w)                          # (B*C*h, 2*wp): (B, C, h, 2, wp)
        a = a.reshape(-1, channels, height, 2, wp).transpose(2, 3)               # (B, C, 2, h, wp)
        y = F.conv2d(a.reshape(-1, 2 * height, wp, 1), fwd_h)                    # (B*C, 2h, wp): (B, C, 2, h, wp)
        # (B, C, 2, h, wp) read as (B, 2C, h, wp) has channel 2c real and 2c + 1 imaginary: LaMa's order.
        y = self.spectral_conv(y.reshape(-1, 2 * channels, height, wp))
        u = F.conv2d(y.reshape(-1, 2 * height, wp, 1), inv_h)                    # (B*C, 2h, wp): (B, C, 2, h, wp)
        u = u.reshape(-1, channels, 2, height, wp).transpose(2, 3)               # (B, C, h, 2, wp)
        out = F.conv2d(u.reshape(-1, 2 * wp, 1, 1), inv_w)                       # (B*C*h, w)
        return out.reshape(-1, channels, height, width)


    def _forward_bmm(self, x: torch.Tensor) -> torch.Tensor:
        # No transposes: the (real, imaginary) axis is created next to the channels by a broadcast product, the H
        # transforms multiply from the left (rows are H) and the W transforms from the right, so every
        # intermediate is a plain reshape of the one before. LaMa's channel order (2c real, 2c + 1 imaginary)
        # falls out of (B, C, 2, h, wp) read as (B, 2C, h, wp).
        channels, height, width = _static(x.shape[1]), _static(x.shape[2]), _static(x.shape[3])
        wp = dft.aligned_spectrum_width(width)
        fwd_w, fwd_h, inv_h, inv_w = DftMatrices.get(height, width, x.dtype, x.device, "bmm", self.spectrum_scale)

        a = torch.matmul(x.unsqueeze(2), fwd_w)                                  # (B, C, 2, h, wp)
        y = torch.matmul(fwd_h, a.reshape(-1, channels, 2 * height, wp))          # (B, C, 2h, wp): [re; im]
        y = self.spectral_conv(y.reshape(-1, 2 * channels, height, wp))
        u = torch.matmul(inv_h, y.reshape(-1, channels, 2 * height, wp))          # (B, C, 2h, wp): [re; im]
        out = torch.matmul(u.reshape(-1, channels, 2, height, wp), inv_w)         # (B, C, 2, h, w)
        return out.sum(dim=2)


class SpectralTransform(nn.Module):
    """The global-to-global path: 1x1 conv halving the channels, Fourier unit with a skip, 1x1 conv back."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        hidden = out_channels // 2
        self.conv1 = nn.Sequential(
            nn.Conv2d(in_channels, hidden, kernel_size=1, bias=False),
            nn.BatchNorm2d(hidden),
            nn.ReLU(inplace=False),
        )
        self.fu = FourierUnit(hidden)
        self.conv2 = nn.Conv2d(hidden, out_channels, kernel_size=1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv1(x)
        return self.conv2(x + self.fu(x))


class FFC(nn.Module):
    """Fast Fourier convolution over a (local, global) channel split.

    ``global_in`` / ``global_out`` are channel counts (0 = that branch is absent).
    """

    def __init__(self, in_channels: int, out_channels: int, global_in: int, global_out: int,
                 kernel_size: int, stride: int = 1, padding: int = 0):
        super().__init__()
        local_in, local_out = in_channels - global_in, out_channels - global_out
        self.pad_form = "slice"

        def spatial(cin: int, cout: int) -> nn.Conv2d:
            return ReflectConv2d(cin, cout, kernel_size, stride=stride, padding=padding)

        self.convl2l = spatial(local_in, local_out) if local_in and local_out else None
        self.convl2g = spatial(local_in, global_out) if local_in and global_out else None
        self.convg2l = spatial(global_in, local_out) if global_in and local_out else None
        self.convg2g = SpectralTransform(global_in, global_out) if global_in and global_out else None

    def forward(self, x_l: torch.Tensor, x_g: Optional[torch.Tensor]):
        # convl2l and convl2g read the same local input: pad it once for both.
        padded_l = reflect_pad(x_l, self.convl2l.reflect, self.pad_form)
        out_l = self.convl2l.forward_padded(padded_l)
        if self.convg2l is not None:
            out_l = out_l + self.convg2l(x_g)
        out_g = None
        if self.convl2g is not None:
            out_g = self.convl2g.forward_padded(padded_l)
            if self.convg2g is not None:
                out_g = out_g + self.convg2g(x_g)
        return out_l, out_g


class FFC_BN_ACT(nn.Module):  # noqa: N801 - the name of the original class, kept for readers comparing both
    """FFC followed by BatchNorm + ReLU on each branch; takes and returns a (local, global-or-None) pair."""

    def __init__(self, in_channels: int, out_channels: int, global_in: int, global_out: int,
                 kernel_size: int, stride: int = 1, padding: int = 0):
        super().__init__()
        self.ffc = FFC(in_channels, out_channels, global_in, global_out, kernel_size, stride, padding)
        self.bn_l = nn.BatchNorm2d(out_channels - global_out)
        self.bn_g = nn.BatchNorm2d(global_out) if global_out else None
        self.act = nn.ReLU(inplace=False)

    def forward(self, x):
        x_l, x_g = x if isinstance(x, tuple) else (x, None)
        out_l, out_g = self.ffc(x_l, x_g)
        out_l = self.act(self.bn_l(out_l))
        if out_g is not None:
            out_g = self.act(self.bn_g(out_g))
        return out_l, out_g


class FFCResnetBlock(nn.Module):
    """Two FFC_BN_ACT 3x3 layers with an identity skip on both branches."""

    def __init__(self, channels: int, global_channels: int):
        super().__init__()
        self.conv1 = FFC_BN_ACT(channels, channels, global_channels, global_channels, 3, padding=1)
        self.conv2 = FFC_BN_ACT(channels, channels, global_channels, global_channels, 3, padding=1)

    def forward(self, x):
        x_l, x_g = x
        out_l, out_g = self.conv2(self.conv1((x_l, x_g)))
        return x_l + out_l, x_g + out_g


class ConcatTupleLayer(nn.Module):
    """Joins the (local, global) pair into one tensor, local channels first."""

    def forward(self, x):
        x_l, x_g = x
        return x_l if x_g is None else torch.cat([x_l, x_g], dim=1)


def widen_input(x: torch.Tensor, channels: int) -> torch.Tensor:
    """The generator input (masked RGB, mask) with the mask repeated up to ``channels`` channels."""
    missing = channels - _static(x.shape[1])
    return x if missing <= 0 else torch.cat([x] + [x[:, -1:]] * missing, dim=1)


class LamaGenerator(nn.Module):
    """big-lama's FFCResNetGenerator: 4 input channels (RGB with the hole zeroed, mask) -> RGB in [0, 1].

    ``width`` (ngf) and ``blocks`` default to big-lama's 64 and 18; smaller values keep the full topology
    (reflect padding, 3 downsamplings, 3/4 global channels in the residual blocks) for small test models.
    """

    def __init__(self, width: int = BIG_LAMA_WIDTH, blocks: int = BIG_LAMA_BLOCKS):
        super().__init__()
        if width < 2 or blocks < 1:
            raise ValueError(f"width must be >= 2 and blocks >= 1, got width={width}, blocks={blocks}")
        self.width, self.blocks = width, blocks
        # 4, or 8 once rewrite.align_channels widened the first convolution (the extra inputs repeat the mask)
        self.input_channels = 4
        layers = [ReflectionPad2d(3), FFC_BN_ACT(4, width, 0, 0, kernel_size=7)]
        channels = width
        for i in range(N_DOWNSAMPLING):
            out = min(MAX_FEATURES, width * 2 ** (i + 1))
            # The last downsampling already splits its output into local and global channels.
            global_out = int(out * GLOBAL_RATIO) if i == N_DOWNSAMPLING - 1 else 0
            layers.append(FFC_BN_ACT(channels, out, 0, global_out, kernel_size=3, stride=2, padding=1))
            channels = out
        global_channels = int(channels * GLOBAL_RATIO)
        layers += [FFCResnetBlock(channels, global_channels) for _ in range(blocks)]
        layers.append(ConcatTupleLayer())
        for _ in range(N_DOWNSAMPLING):
            out = channels // 2
            layers += [nn.ConvTranspose2d(channels, out, kernel_size=3, stride=2, padding=1, output_padding=1),
                       nn.BatchNorm2d(out), nn.ReLU(inplace=False)]
            channels = out
        layers += [ReflectionPad2d(3), nn.Conv2d(channels, 3, kernel_size=7), nn.Sigmoid()]
        self.model = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(widen_input(x, self.input_channels))

    def fourier_units(self):
        return [m for m in self.modules() if isinstance(m, FourierUnit)]

    def set_fourier_form(self, form: str) -> "LamaGenerator":
        if form not in FOURIER_FORMS:
            raise ValueError(f"unknown Fourier form {form!r}; expected one of {FOURIER_FORMS}")
        for unit in self.fourier_units():
            unit.form = form
        return self

    def set_pad_form(self, form: str) -> "LamaGenerator":
        if form not in PAD_FORMS:
            raise ValueError(f"unknown pad form {form!r}; expected one of {PAD_FORMS}")
        for module in self.modules():
            if hasattr(module, "pad_form"):
                module.pad_form = form
        return self


class LamaInpainter(nn.Module):
    """The exported graph: mask the image, run the generator, composite, scale to 0..255.

    image [N,3,T,T] RGB in 0..1, mask [N,1,T,T] with 1 = fill -> output [N,3,T,T] in 0..255 where
    output = 255 * (mask * prediction + (1 - mask) * image), clamped to 0..255.
    """

    def __init__(self, generator: LamaGenerator):
        super().__init__()
        self.generator = generator

    def forward(self, image: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        keep = 1.0 - mask
        # the mask once per input channel past RGB: one Concat, whatever the generator's input width
        masks = [mask] * (self.generator.input_channels - 3)
        prediction = self.generator(torch.cat([image * keep] + masks, dim=1))
        inpainted = mask * prediction + keep * image
        return torch.clamp(inpainted * 255.0, 0.0, 255.0)
