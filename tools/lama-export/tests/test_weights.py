"""Loading real checkpoints: the released best.ckpt key layout and IOPaint-style TorchScript files.

The released files cannot be downloaded here, so the best.ckpt layout is rebuilt from its published
description (advimman/lama configs/training/big-lama.yaml and the module tree of saicinpainting ffc.py),
written out below independently of the generator code, and loaded with strict checking.
"""

import sys
import types

import pytest
import torch
from torch import nn

from lama_export.generator import LamaGenerator
from lama_export.random_init import random_generator, random_masked_input
from lama_export.weights import WeightsError, generator_state, load_generator, read_state_dict

BN = ("weight", "bias", "running_mean", "running_var", "num_batches_tracked")


def released_generator_layout():
    """Every generator tensor of big-lama/models/best.ckpt with its shape (989 with num_batches_tracked)."""
    spec = {}

    def bn(prefix, channels):
        for name in BN:
            spec[f"{prefix}.{name}"] = () if name == "num_batches_tracked" else (channels,)

    spec["generator.model.1.ffc.convl2l.weight"] = (64, 4, 7, 7)
    bn("generator.model.1.bn_l", 64)
    spec["generator.model.2.ffc.convl2l.weight"] = (128, 64, 3, 3)
    bn("generator.model.2.bn_l", 128)
    spec["generator.model.3.ffc.convl2l.weight"] = (256, 128, 3, 3)
    bn("generator.model.3.bn_l", 256)
    spec["generator.model.4.ffc.convl2l.weight"] = (128, 256, 3, 3)
    spec["generator.model.4.ffc.convl2g.weight"] = (384, 256, 3, 3)
    bn("generator.model.4.bn_l", 128)
    bn("generator.model.4.bn_g", 384)
    for block in range(5, 23):
        for conv in ("conv1", "conv2"):
            p = f"generator.model.{block}.{conv}"
            spec[f"{p}.ffc.convl2l.weight"] = (128, 128, 3, 3)
            spec[f"{p}.ffc.convl2g.weight"] = (384, 128, 3, 3)
            spec[f"{p}.ffc.convg2l.weight"] = (128, 384, 3, 3)
            spec[f"{p}.ffc.convg2g.conv1.0.weight"] = (192, 384, 1, 1)
            bn(f"{p}.ffc.convg2g.conv1.1", 192)
            spec[f"{p}.ffc.convg2g.fu.conv_layer.weight"] = (384, 384, 1, 1)
            bn(f"{p}.ffc.convg2g.fu.bn", 384)
            spec[f"{p}.ffc.convg2g.conv2.weight"] = (384, 192, 1, 1)
            bn(f"{p}.bn_l", 128)
            bn(f"{p}.bn_g", 384)
    for index, (cin, cout) in zip((24, 27, 30), ((512, 256), (256, 128), (128, 64))):
        spec[f"generator.model.{index}.weight"] = (cin, cout, 3, 3)  # ConvTranspose2d: [in, out, k, k]
        spec[f"generator.model.{index}.bias"] = (cout,)
        bn(f"generator.model.{index + 1}", cout)
    spec["generator.model.34.weight"] = (3, 64, 7, 7)
    spec["generator.model.34.bias"] = (3,)
    return spec


def synthetic_checkpoint_state(seed=0):
    rng = torch.Generator().manual_seed(seed)
    state = {}
    for key, shape in released_generator_layout().items():
        if key.endswith("num_batches_tracked"):
            state[key] = torch.tensor(1000, dtype=torch.long)
        elif key.endswith("running_var"):
            state[key] = 0.5 + torch.rand(shape, generator=rng)
        else:
            state[key] = 0.05 * torch.randn(shape, generator=rng)
    # A Lightning checkpoint of the training module also holds discriminator and loss weights.
    state["discriminator.model0.0.weight"] = torch.zeros(64, 3, 4, 4)
    state["loss_resnet_pl.impl.conv1.weight"] = torch.zeros(64, 3, 7, 7)
    return state


def test_layout_has_the_published_tensor_count():
    assert len(released_generator_layout()) == 989


def test_released_best_ckpt_layout_loads_strictly_into_the_full_generator():
    state = synthetic_checkpoint_state()
    tensors = generator_state(state)
    generator = LamaGenerator()  # big-lama's defaults
    result = generator.load_state_dict(tensors, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    assert len(generator.state_dict()) == 989
    loaded = generator.state_dict()
    for key, value in state.items():
        if key.startswith("generator."):
            assert torch.equal(loaded[key[len("generator."):]], value), key
    assert sum(p.numel() for p in generator.parameters()) == 50_975_875


class FakeConfig:
    """Stands for omegaconf.DictConfig in a pickled Lightning checkpoint."""

    def __init__(self, values):
        self.values = values


def test_best_ckpt_file_loads_without_the_training_packages(tmp_path):
    # Pickle the checkpoint with a class from a module that will not be importable when it is read back,
    # as omegaconf / pytorch_lightning are not installed where the exporter runs.
    module = types.ModuleType("fake_omegaconf")
    FakeConfig.__module__ = "fake_omegaconf"
    module.FakeConfig = FakeConfig
    sys.modules["fake_omegaconf"] = module
    source = random_generator(seed=5, width=8, blocks=2, tile=64)
    state = {f"generator.{k}": v for k, v in source.state_dict().items()}
    state["discriminator.model0.0.weight"] = torch.zeros(4, 3, 4, 4)
    path = tmp_path / "best.ckpt"
    try:
        torch.save({"state_dict": state, "hyper_parameters": FakeConfig({"generator": {"ngf": 8}}),
                    "epoch": 3}, path)
    finally:
        del sys.modules["fake_omegaconf"]

    generator, kind = load_generator(str(path))
    assert kind == "checkpoint"
    assert (generator.width, generator.blocks) == (8, 2)
    x = random_masked_input(1, 64, torch.Generator().manual_seed(1))
    with torch.no_grad():
        assert torch.equal(generator(x), source(x))


class TrainingModuleStandIn(nn.Module):
    """Has the attribute path of advimman's DefaultInpaintingTrainingModule (``.generator``)."""

    def __init__(self, generator):
        super().__init__()
        self.generator = generator


class JitWrapperStandIn(nn.Module):
    """The shape of the module bin/to_jit.py traces: (image, mask) -> inpainted in 0..1, held as ``.model``."""

    def __init__(self, generator):
        super().__init__()
        self.model = TrainingModuleStandIn(generator)

    def forward(self, image, mask):
        masked = image * (1 - mask)
        predicted = self.model.generator(torch.cat([masked, mask], dim=1))
        return mask * predicted + (1 - mask) * image


def test_traced_torchscript_wrapper_maps_to_the_generator(tmp_path):
    source = random_generator(seed=9, width=8, blocks=3, tile=64)
    image, mask = torch.rand(1, 3, 64, 64), (torch.rand(1, 1, 64, 64) > 0.7).float()
    traced = torch.jit.trace(JitWrapperStandIn(source).eval(), (image, mask))
    path = tmp_path / "big-lama.pt"
    traced.save(str(path))

    state, kind = read_state_dict(str(path))
    assert kind == "torchscript"
    assert "model.generator.model.5.conv1.ffc.convg2g.fu.conv_layer.weight" in state
    generator, _ = load_generator(str(path))
    assert (generator.width, generator.blocks) == (8, 3)
    with torch.no_grad():
        expected = traced(image, mask)
        got = mask * generator(torch.cat([image * (1 - mask), mask], dim=1)) + (1 - mask) * image
    assert (got - expected).abs().max().item() < 1e-6


def test_prefix_is_stripped_whatever_it_is():
    source = LamaGenerator(width=8, blocks=1)
    for prefix in ("", "generator.", "model.generator.", "module.net.generator."):
        state = {prefix + k: v for k, v in source.state_dict().items()}
        assert set(generator_state(state)) == set(source.state_dict())


def test_two_unnamed_generators_are_an_error_not_a_guess():
    state = {}
    for prefix in ("a.", "b."):
        state.update({prefix + k: v for k, v in LamaGenerator(width=8, blocks=1).state_dict().items()})
    with pytest.raises(WeightsError, match="several generators"):
        generator_state(state)


def test_a_file_without_a_generator_is_reported(tmp_path):
    path = tmp_path / "other.pth"
    torch.save({"state_dict": {"encoder.layer1.weight": torch.zeros(3)}}, path)
    with pytest.raises(WeightsError, match="no generator weights"):
        load_generator(str(path))


def test_mismatched_shapes_are_reported(tmp_path):
    state = {f"generator.{k}": v for k, v in LamaGenerator(width=8, blocks=1).state_dict().items()}
    state["generator.model.5.conv1.ffc.convg2g.fu.conv_layer.weight"] = torch.zeros(10, 10, 1, 1)
    path = tmp_path / "broken.ckpt"
    torch.save({"state_dict": state}, path)
    with pytest.raises(WeightsError, match="do not fit"):
        load_generator(str(path))
