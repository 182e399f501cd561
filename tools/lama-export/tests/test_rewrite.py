"""The graph rewrites keep the generator's function and change the exported graph the way they claim to."""

import numpy as np
import onnx
import pytest
import torch
from onnx import numpy_helper

from lama_export.cli import main
from lama_export.generator import FFC_BN_ACT, LamaInpainter
from lama_export.random_init import random_generator, random_masked_input
from lama_export.rewrite import (UnshuffledConv2d, align_channels, fold_batch_norms, rewrite, scale_spectrum,
                                 spectrum_scale_for)

TILE = 64


@pytest.fixture(scope="module")
def generator():
    return random_generator(seed=21, width=8, blocks=2, tile=TILE).eval()


@pytest.fixture(scope="module")
def probe():
    return random_masked_input(2, TILE, torch.Generator().manual_seed(22))


def batch_norms(module):
    return sum(isinstance(m, torch.nn.BatchNorm2d) for m in module.modules())


def test_folding_removes_the_batch_norm_of_every_ffc_sum_and_keeps_the_output(generator, probe):
    branches = sum((layer.bn_l is not None) + (layer.bn_g is not None)
                   for layer in generator.modules() if isinstance(layer, FFC_BN_ACT))
    folded, difference = rewrite(generator, probe, fold=True, align=False)
    assert batch_norms(generator) - batch_norms(folded) == branches
    assert difference < 1e-5
    # the calibrated statistics are far from identity, so a fold that dropped the shift or the scale would show
    assert (generator(probe) - generator(probe * 0.5)).abs().max() > 1e-3


def test_a_fold_without_the_shift_would_be_caught(generator, probe):
    broken = rewrite(generator, probe, fold=False, align=False)[0]
    fold_batch_norms(broken)
    with torch.no_grad():
        for layer in broken.modules():
            if isinstance(layer, FFC_BN_ACT) and layer.ffc.convl2l.bias is not None:
                layer.ffc.convl2l.bias.zero_()
        assert (broken(probe) - generator(probe)).abs().max() > 1e-3


def test_aligned_channels_are_multiples_of_8_and_change_nothing(generator, probe):
    aligned, difference = rewrite(generator, probe, fold=False, align=True)
    assert difference == 0.0
    assert aligned.model[1].ffc.convl2l.weight.shape[1] == 8 and aligned.input_channels == 8
    assert aligned.model[-2].weight.shape[0] == 8
    assert aligned(probe).shape == (2, 3, TILE, TILE)
    with torch.no_grad():
        # the inpainter feeds the widened input itself (masked RGB, then the mask five times)
        image, mask = probe[:, :3], probe[:, 3:]
        expected = LamaInpainter(generator)(image, mask)
        assert torch.allclose(LamaInpainter(aligned)(image, mask), expected, atol=1e-5)


def test_align_twice_is_align_once(generator, probe):
    aligned = rewrite(generator, probe, fold=False, align=True)[0]
    align_channels(aligned)
    assert aligned.model[1].ffc.convl2l.weight.shape[1] == 8 and aligned.model[-2].weight.shape[0] == 8


def test_exported_graph_has_the_rewrites(tmp_path):
    plain, rewritten = str(tmp_path / "plain.onnx"), str(tmp_path / "rewritten.onnx")
    common = ["--random-init", "--seed", "5", "--width", "8", "--blocks", "1", "--tile", "128"]
    assert main(common + ["-o", plain]) == 0
    assert main(common + ["--fold-batch-norms", "--align-channels", "-o", rewritten]) == 0
    models = {name: onnx.load(path) for name, path in (("plain", plain), ("rewritten", rewritten))}
    ops = {name: [n.op_type for n in m.graph.node] for name, m in models.items()}
    assert ops["rewritten"].count("BatchNormalization") < ops["plain"].count("BatchNormalization")
    metadata = {p.key: p.value for p in models["rewritten"].metadata_props}
    assert metadata["lama-serve.rewrites"] == "fold-batch-norms,align-channels-8"
    assert "lama-serve.rewrites" not in {p.key for p in models["plain"].metadata_props}
    weights = {t.name: numpy_helper.to_array(t) for t in models["rewritten"].graph.initializer}
    conv_weights = [weights[n.input[1]] for n in models["rewritten"].graph.node
                    if n.op_type == "Conv" and n.input[1] in weights and weights[n.input[1]].ndim == 4]
    kernels = [w.shape for w in conv_weights if w.shape[2:] == (7, 7)]
    assert (8, 8, 7, 7) in kernels  # the first convolution: 8 outputs (width) from 8 inputs
    assert any(shape[0] == 8 and shape[1] == 8 for shape in kernels)
    assert all(shape[1] % 8 == 0 and shape[0] % 8 == 0 for shape in kernels)
    # the graph still answers with 3 channels per image
    dims = [d.dim_value for d in models["rewritten"].graph.output[0].type.tensor_type.shape.dim[1:]]
    assert dims == [3, 128, 128]


def test_rewritten_export_runs_the_same_in_onnxruntime(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    common = ["--random-init", "--seed", "6", "--width", "8", "--blocks", "1", "--tile", "128"]
    outputs = []
    for name, extra in (("plain", []),
                        ("rewritten", ["--fold-batch-norms", "--align-channels", "--scale-spectrum"])):
        path = str(tmp_path / f"{name}.onnx")
        assert main(common + extra + ["-o", path]) == 0
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        rng = np.random.default_rng(7)
        image = rng.random((2, 3, 128, 128), dtype=np.float32)
        mask = (rng.random((2, 1, 128, 128)) > 0.6).astype(np.float32)
        outputs.append(session.run(None, {"image": image, "mask": mask})[0])
    assert np.abs(outputs[0] - outputs[1]).max() < 0.01


def test_scaled_spectrum_keeps_the_output_for_every_form(generator, probe):
    for form in ("fft", "conv", "gemm", "bmm"):
        generator.set_fourier_form(form)
        scaled, difference = rewrite(generator, probe, fold=False, align=False, scale=True)
        assert difference < 1e-5, form
        assert all(unit.spectrum_scale == 1 / 16 for unit in scaled.fourier_units())  # 8 samples: 1/4 per axis
    generator.set_fourier_form("fft")


@pytest.mark.parametrize("tile,per_axis", [(512, 8), (256, 8), (128, 4), (64, 4)])
def test_spectrum_scale_is_a_power_of_two_at_most_one_over_sqrt_n_per_axis(tile, per_axis):
    assert spectrum_scale_for(tile) == 1 / per_axis ** 2
    assert per_axis >= (tile // 8) ** 0.5


def spectrum_peak(unit, x):
    """The largest value that enters the unit's spectral convolution (the spectrum) on input ``x``."""
    seen = []
    handle = unit.conv_layer.register_forward_hook(lambda module, inputs, output: seen.append(inputs[0].abs().max()))
    with torch.no_grad():
        unit(x)
    handle.remove()
    return float(seen[0])


def test_a_flat_input_overflows_fp16_in_the_usual_spectrum_and_not_in_the_scaled_one():
    # the global features of a 512 tile are 64 x 64; a flat one puts 64 times its value into the zero frequency
    model = random_generator(seed=23, width=8, blocks=1, tile=512).eval().set_fourier_form("conv")
    unit = model.fourier_units()[0]
    flat = torch.full((1, unit.conv_layer.in_channels // 2, 64, 64), 2000.0)
    assert spectrum_peak(unit, flat) == pytest.approx(64 * 2000.0, rel=1e-4)  # > 65504, fp16's largest value
    scale_spectrum(model, 512)
    assert spectrum_peak(unit, flat) <= 2 * 2000.0
    worst = torch.where(torch.rand(1, flat.shape[1], 64, 64, generator=torch.Generator().manual_seed(3)) > 0.5,
                        2000.0, -2000.0)
    assert spectrum_peak(unit, worst) <= 2 * 2000.0


def test_scaled_export_records_the_scale(tmp_path):
    out = str(tmp_path / "scaled.onnx")
    assert main(["--random-init", "--seed", "5", "--width", "8", "--blocks", "1", "--tile", "512",
                 "--scale-spectrum", "-o", out]) == 0
    metadata = {p.key: p.value for p in onnx.load(out).metadata_props}
    assert metadata["lama-serve.rewrites"] == "scale-spectrum-0.015625"


@pytest.mark.parametrize("kernel", [1, 3, 5, 7])
def test_an_unshuffled_convolution_is_the_same_convolution(kernel):
    torch.manual_seed(kernel)
    conv = torch.nn.Conv2d(5, 3, kernel, bias=True).double()
    unshuffled = UnshuffledConv2d(conv)
    x = torch.randn(2, 5, 20 + kernel - 1, 26 + kernel - 1, dtype=torch.float64)
    assert unshuffled.inner.weight.shape == (12, 20, (kernel - 1) // 2 + 1, (kernel - 1) // 2 + 1)
    with torch.no_grad():
        assert (unshuffled(x) - conv(x)).abs().max() < 1e-12
        # every tap of the original kernel lands somewhere: a changed weight changes the output
        conv.weight[1, 2, kernel - 1, 0] += 1.0
        assert (unshuffled(x) - conv(x)).abs().max() > 0.1


def test_a_kernel_of_even_size_cannot_be_unshuffled():
    with pytest.raises(ValueError, match="multiple of 2"):
        UnshuffledConv2d(torch.nn.Conv2d(2, 2, 4))


def test_unshuffled_output_keeps_the_generator_and_exports_a_12_channel_convolution(generator, probe, tmp_path):
    unshuffled, difference = rewrite(generator, probe, fold=False, align=False, unshuffle=True)
    assert isinstance(unshuffled.model[-2], UnshuffledConv2d)
    assert difference < 1e-5
    out = str(tmp_path / "unshuffled.onnx")
    assert main(["--random-init", "--seed", "5", "--width", "8", "--blocks", "1", "--tile", "128",
                 "--fold-batch-norms", "--scale-spectrum", "--unshuffle-output", "-o", out]) == 0
    model = onnx.load(out)
    metadata = {p.key: p.value for p in model.metadata_props}
    assert metadata["lama-serve.rewrites"] == \
        f"fold-batch-norms,scale-spectrum-{spectrum_scale_for(128):g},unshuffle-output-2"
    weights = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    kernels = [weights[n.input[1]].shape for n in model.graph.node
               if n.op_type == "Conv" and n.input[1] in weights and weights[n.input[1]].ndim == 4]
    assert (12, 32, 4, 4) in kernels  # 3 outputs x 4 phases, from 8 channels x 4 phases (width 8)
    assert not any(shape[0] == 3 for shape in kernels)
    dims = [d.dim_value for d in model.graph.output[0].type.tensor_type.shape.dim[1:]]
    assert dims == [3, 128, 128]
