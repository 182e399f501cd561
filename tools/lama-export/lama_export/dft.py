"""Constant real matrices that compute LaMa's orthonormal 2-D real FFT and its inverse by matrix products.

For x of shape (..., H, W) and wf = W // 2 + 1 (all matrices carry the 1/sqrt(N) "ortho" scaling):

* forward along W (real to half spectrum): [re | im] = x @ [Cw | Sw], Cw[n,k] = cos(2 pi n k / W),
  Sw[n,k] = -sin(2 pi n k / W);
* forward along H (complex): Y = (Ch + i Sh) A with Ch[m,n] = cos(2 pi m n / H), Sh[m,n] = -sin(...);
  on a row vector [A_re | A_im] of length 2H this is one product with a 2H x 2H real block matrix;
* inverse along H: the same with the conjugate (Sh -> -Sh);
* inverse along W (C2R): x[n] = sum_k c_k (U_re[k] cos(2 pi k n / W) - U_im[k] sin(2 pi k n / W)) with
  c_k = 1 for k = 0 and k = W/2 and 2 otherwise. The imaginary parts of the DC and Nyquist columns fall away
  because their sine rows are zero, which is exactly what a C2R transform does with a spectrum that is not
  Hermitian-consistent (the 1x1 convolution in between makes it so).

Matrices are computed in float64 with numpy and only then cast, so their error is at the float32 rounding level.
"""

import numpy as np


def _angles(n_rows: int, n_cols: int, period: int) -> np.ndarray:
    rows = np.arange(n_rows, dtype=np.float64)[:, None]
    cols = np.arange(n_cols, dtype=np.float64)[None, :]
    # Reduce the integer product modulo the period first: keeps the angle small and the cos/sin exact-ish.
    return 2.0 * np.pi * ((rows * cols) % period) / period


def half_spectrum_width(width: int) -> int:
    return width // 2 + 1


def forward_w(width: int) -> np.ndarray:
    """[W, 2*wf]: right-multiplying rows of length W gives the real parts, then the imaginary parts."""
    wf = half_spectrum_width(width)
    angle = _angles(width, wf, width)
    scale = 1.0 / np.sqrt(width)
    return np.concatenate([np.cos(angle), -np.sin(angle)], axis=1) * scale


def complex_h(height: int, inverse: bool) -> np.ndarray:
    """[2H, 2H]: right-multiplying a row [re(0..H-1) | im(0..H-1)] applies the (inverse) complex DFT."""
    angle = _angles(height, height, height)
    scale = 1.0 / np.sqrt(height)
    cos = np.cos(angle) * scale
    sin = (np.sin(angle) if inverse else -np.sin(angle)) * scale
    # Column vector form: [Y_re; Y_im] = [[C, -S], [S, C]] @ [A_re; A_im]; rows use its transpose.
    block = np.block([[cos, -sin], [sin, cos]])
    return np.ascontiguousarray(block.T)


def inverse_w(width: int) -> np.ndarray:
    """[2*wf, W]: right-multiplying a row [re(0..wf-1) | im(0..wf-1)] gives the real signal (C2R)."""
    wf = half_spectrum_width(width)
    angle = _angles(wf, width, width)
    weight = np.full((wf, 1), 2.0)
    weight[0] = 1.0
    if width % 2 == 0:
        weight[-1] = 1.0
    scale = 1.0 / np.sqrt(width)
    return np.concatenate([weight * np.cos(angle), -weight * np.sin(angle)], axis=0) * scale


def aligned_spectrum_width(width: int, multiple: int = 8) -> int:
    """The half-spectrum width rounded up to ``multiple``: the conv form stores wf columns plus zero columns, so
    that every DFT operand has a channel count GPU kernels handle at full speed (33 -> 40 for W = 64)."""
    wf = half_spectrum_width(width)
    return -(-wf // multiple) * multiple


def _pad_halves(matrix: np.ndarray, axis: int, wf: int, padded: int) -> np.ndarray:
    """Inserts zeros after each of the two halves (real, imaginary) of length wf along ``axis``."""
    real, imag = np.split(matrix, [wf], axis=axis)
    shape = list(matrix.shape)
    shape[axis] = padded - wf
    zeros = np.zeros(shape)
    return np.concatenate([real, zeros, imag, zeros], axis=axis)


def forward_w_conv(width: int) -> np.ndarray:
    """[2*wp, W, 1, 1] 1x1-convolution weight: W input channels (one row of the signal) -> wp real parts, then wp
    imaginary parts, the columns from wf to wp being zero."""
    padded = aligned_spectrum_width(width)
    matrix = _pad_halves(forward_w(width), 1, half_spectrum_width(width), padded)
    return np.ascontiguousarray(matrix.T)[:, :, None, None]


def complex_h_conv(height: int, inverse: bool) -> np.ndarray:
    """[2H, 2H, 1, 1] 1x1-convolution weight: channels [re(0..H-1), im(0..H-1)] -> the same of the (inverse) DFT."""
    return np.ascontiguousarray(complex_h(height, inverse).T)[:, :, None, None]


def inverse_w_conv(width: int) -> np.ndarray:
    """[W, 2*wp, 1, 1] 1x1-convolution weight: wp real then wp imaginary parts -> W samples; the zero columns of
    the padded spectrum get zero weights, so whatever they hold is ignored."""
    padded = aligned_spectrum_width(width)
    matrix = _pad_halves(inverse_w(width), 0, half_spectrum_width(width), padded)
    return np.ascontiguousarray(matrix.T)[:, :, None, None]


def forward_w_stacked(width: int) -> np.ndarray:
    """[2, W, wp]: right-multiplying rows of length W by [0] gives the real parts, by [1] the imaginary parts, each
    padded with zero columns from wf to wp (the ``bmm`` form broadcasts it over a (real, imaginary) axis)."""
    wf, padded = half_spectrum_width(width), aligned_spectrum_width(width)
    real, imag = np.split(forward_w(width), [wf], axis=1)
    zeros = np.zeros((width, padded - wf))
    return np.stack([np.concatenate([real, zeros], axis=1), np.concatenate([imag, zeros], axis=1)])


def complex_h_column(height: int, inverse: bool) -> np.ndarray:
    """[2H, 2H]: LEFT-multiplying a column [re(0..H-1); im(0..H-1)] applies the (inverse) complex DFT along H."""
    return np.ascontiguousarray(complex_h(height, inverse).T)


def inverse_w_stacked(width: int) -> np.ndarray:
    """[2, wp, W]: the real parts times [0] plus the imaginary parts times [1] give the real signal (C2R); the
    rows from wf to wp are zero, so whatever the padded columns of the spectrum hold is ignored."""
    wf, padded = half_spectrum_width(width), aligned_spectrum_width(width)
    real, imag = np.split(inverse_w(width), [wf], axis=0)
    zeros = np.zeros((padded - wf, width))
    return np.stack([np.concatenate([real, zeros], axis=0), np.concatenate([imag, zeros], axis=0)])
