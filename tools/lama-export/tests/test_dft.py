"""The constant DFT matrices against numpy's FFT (float64, so only the formulas are under test)."""

import numpy as np
import pytest

from lama_export import dft

SIZES = [(64, 64), (32, 32), (8, 12), (9, 15), (96, 64)]


def forward_2d(x):
    """The matrix-product forward transform, in the same row layout the generator uses."""
    height, width = x.shape[-2:]
    wf = dft.half_spectrum_width(width)
    a = x @ dft.forward_w(width)                                 # (..., h, [re wf | im wf])
    a = a.reshape(*x.shape[:-2], height, 2, wf)
    rows = np.swapaxes(a, -1, -3)                                # (..., wf, 2, h)
    y = rows.reshape(*rows.shape[:-2], 2 * height) @ dft.complex_h(height, inverse=False)
    y = y.reshape(*rows.shape)
    return np.swapaxes(y, -1, -3)                                # (..., h, 2, wf)


def inverse_2d(spectrum, width):
    """spectrum (..., h, 2, wf) -> real (..., h, w)."""
    height = spectrum.shape[-3]
    rows = np.swapaxes(spectrum, -1, -3)                          # (..., wf, 2, h)
    u = rows.reshape(*rows.shape[:-2], 2 * height) @ dft.complex_h(height, inverse=True)
    u = np.swapaxes(u.reshape(*rows.shape), -1, -3)              # (..., h, 2, wf)
    return u.reshape(*u.shape[:-2], -1) @ dft.inverse_w(width)


@pytest.mark.parametrize("height,width", SIZES)
def test_forward_matches_rfftn(height, width):
    rng = np.random.default_rng(height * 1000 + width)
    x = rng.standard_normal((3, height, width))
    expected = np.fft.rfftn(x, axes=(-2, -1), norm="ortho")
    got = forward_2d(x)
    assert np.abs(got[..., 0, :] - expected.real).max() < 1e-12
    assert np.abs(got[..., 1, :] - expected.imag).max() < 1e-12


@pytest.mark.parametrize("height,width", SIZES)
def test_inverse_matches_irfftn_on_spectra_that_are_not_hermitian(height, width):
    # The 1x1 convolution between the transforms produces arbitrary half spectra, including imaginary parts
    # in the DC and Nyquist columns that C2R must ignore.
    rng = np.random.default_rng(height * 7 + width)
    wf = dft.half_spectrum_width(width)
    spectrum = rng.standard_normal((2, height, 2, wf))
    assert np.abs(spectrum[..., 1, 0]).min() > 0
    expected = np.fft.irfftn(spectrum[..., 0, :] + 1j * spectrum[..., 1, :], s=(height, width),
                             axes=(-2, -1), norm="ortho")
    assert np.abs(inverse_2d(spectrum, width) - expected).max() < 1e-12


def test_round_trip_is_identity():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((4, 64, 64))
    assert np.abs(inverse_2d(forward_2d(x), 64) - x).max() < 1e-12


def test_matrix_shapes_are_the_few_large_gemm_operands():
    assert dft.forward_w(64).shape == (64, 66)
    assert dft.complex_h(64, inverse=False).shape == (128, 128)
    assert dft.inverse_w(64).shape == (66, 64)
