"""The baseline builds the very weights lama-export puts into its ONNX files."""

import os

import pytest
import torch

from iopaint_baseline.model import ModelSource, build_model, reference_difference, save_weights

REPO = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURE_REFERENCE = os.path.join(REPO, "src", "test", "resources", "models", "lama-fixture-reference.txt")


def test_random_weights_reproduce_the_committed_onnx_fixture():
    # lama-fixture.onnx was exported with --random-init --seed 2026 --width 8 --blocks 2 --tile 512.
    model = build_model(ModelSource(seed=2026, width=8, blocks=2, tile=512), torch.device("cpu"))
    assert reference_difference(model, FIXTURE_REFERENCE) < 0.05
    other_seed = build_model(ModelSource(seed=2027, width=8, blocks=2, tile=512), torch.device("cpu"))
    assert reference_difference(other_seed, FIXTURE_REFERENCE) > 1.0


def test_saved_weights_load_back_as_a_checkpoint(tmp_path):
    model = build_model(ModelSource(seed=5, width=8, blocks=1, tile=64), torch.device("cpu"))
    path = str(tmp_path / "weights.pt")
    save_weights(model, path)
    loaded = build_model(ModelSource(checkpoint=path), torch.device("cpu"))
    image, mask = torch.rand(1, 3, 64, 64), (torch.rand(1, 1, 64, 64) > 0.7).float()
    with torch.no_grad():
        assert torch.equal(model(image, mask), loaded(image, mask))
    assert all(unit.form == "fft" for unit in loaded.generator.fourier_units())


def test_a_file_that_is_not_a_reference_is_refused(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello\n")
    model = build_model(ModelSource(seed=5, width=8, blocks=1, tile=64), torch.device("cpu"))
    with pytest.raises(ValueError):
        reference_difference(model, str(path))
