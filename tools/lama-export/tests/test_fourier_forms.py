"""The export form of the Fourier units (matrix products) gives the same generator as the torch.fft form."""

import time

import pytest
import torch

from lama_export.generator import FourierUnit, LamaGenerator
from lama_export.random_init import random_generator, random_masked_input


def both_forms(generator, x, form="gemm", pad_form="slice"):
    with torch.no_grad():
        reference = generator.set_fourier_form("fft").set_pad_form("slice")(x)
        exported = generator.set_fourier_form(form).set_pad_form(pad_form)(x)
    return reference, exported


@pytest.mark.parametrize("form,pad_form", [("gemm", "slice"), ("conv", "slice"), ("conv", "concat"),
                                           ("conv", "gather"), ("bmm", "concat")])
@pytest.mark.parametrize("tile,width,blocks", [(512, 8, 2), (256, 16, 3), (256, 8, 1)])
def test_generator_forms_agree(tile, width, blocks, form, pad_form):
    generator = random_generator(seed=tile + width + blocks, width=width, blocks=blocks, tile=tile)
    x = random_masked_input(2, tile, torch.Generator().manual_seed(99))
    reference, exported = both_forms(generator, x, form, pad_form)
    assert reference.shape == (2, 3, tile, tile)
    assert (reference - exported).abs().max().item() <= 1e-4
    # The comparison means something only if the output depends on the input.
    assert reference.std().item() > 0.05


def test_fourier_unit_forms_agree_in_float64_with_trained_like_statistics():
    torch.manual_seed(3)
    unit = FourierUnit(6).double().eval()
    with torch.no_grad():
        unit.bn.running_mean.uniform_(-1, 1)
        unit.bn.running_var.uniform_(0.5, 2)
        unit.bn.bias.uniform_(-0.5, 0.5)
    for height, width in [(64, 64), (32, 48), (9, 15)]:
        x = torch.randn(3, 6, height, width, dtype=torch.float64)
        unit.form = "fft"
        reference = unit(x)
        for form in ("gemm", "conv", "bmm"):
            unit.form = form
            exported = unit(x)
            assert (reference - exported).abs().max().item() < 1e-10, (form, height, width)


@pytest.mark.parametrize("form", ["gemm", "conv", "bmm"])
def test_matrix_forms_keep_batch_items_independent(form):
    generator = random_generator(seed=1, width=8, blocks=1, tile=128).set_fourier_form(form)
    x = random_masked_input(3, 128, torch.Generator().manual_seed(4))
    with torch.no_grad():
        together = generator(x)
        alone = torch.cat([generator(x[i:i + 1]) for i in range(3)])
    assert (together - alone).abs().max().item() <= 1e-5


def test_unknown_form_is_rejected():
    with pytest.raises(ValueError, match="unknown Fourier form"):
        LamaGenerator(width=8, blocks=1).set_fourier_form("dft")
    with pytest.raises(ValueError, match="unknown pad form"):
        LamaGenerator(width=8, blocks=1).set_pad_form("zeros")


@pytest.mark.parametrize("form", ["concat", "gather"])
@pytest.mark.parametrize("pad", [1, 3])
def test_copied_padding_is_reflect_padding(pad, form):
    from lama_export.generator import reflect_pad
    x = torch.randn(2, 3, 9, 11)
    expected = torch.nn.functional.pad(x, (pad, pad, pad, pad), mode="reflect")
    assert torch.equal(reflect_pad(x, pad, form), expected)


@pytest.mark.full
@pytest.mark.parametrize("tile", [512, 256])
def test_full_size_generator_forms_agree(tile):
    generator = random_generator(seed=7, width=64, blocks=18, tile=tile)
    x = random_masked_input(1, tile, torch.Generator().manual_seed(8))
    started = time.time()
    reference, exported = both_forms(generator, x)
    difference = (reference - exported).abs().max().item()
    print(f"full-size generator at {tile}: max abs difference {difference:.3g} "
          f"({time.time() - started:.1f} s for both forms)")
    assert difference <= 1e-4

