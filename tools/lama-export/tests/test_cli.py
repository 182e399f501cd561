"""The command line end to end: random models and models from a checkpoint file."""

import onnx
import pytest
import torch

from lama_export.cli import main
from lama_export.onnx_export import sha256_of
from lama_export.random_init import random_generator


def metadata(path):
    return {p.key: p.value for p in onnx.load(path).metadata_props}


def test_random_model_at_another_tile_size(tmp_path):
    out = str(tmp_path / "r.onnx")
    assert main(["--random-init", "--seed", "4", "--width", "8", "--blocks", "1", "--tile", "256",
                 "--verify", "-o", out]) == 0
    found = metadata(out)
    assert found["lama-serve.tile"] == "256"
    assert found["lama-serve.source"] == "random seed 4"
    dims = [d.dim_value for d in onnx.load(out).graph.input[0].type.tensor_type.shape.dim[1:]]
    assert dims == [3, 256, 256]


def test_same_seed_same_model_other_seed_other_model(tmp_path):
    paths = []
    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        paths.append(str(tmp_path / f"{name}.onnx"))
        assert main(["--random-init", "--seed", str(seed), "--width", "8", "--blocks", "1", "--tile", "128",
                     "-o", paths[-1]]) == 0
    assert sha256_of(paths[0]) == sha256_of(paths[1])
    assert sha256_of(paths[0]) != sha256_of(paths[2])


def test_checkpoint_source_is_recorded_with_its_sha256(tmp_path):
    generator = random_generator(seed=3, width=8, blocks=1, tile=128)
    checkpoint = tmp_path / "best.ckpt"
    torch.save({"state_dict": {f"generator.{k}": v for k, v in generator.state_dict().items()}}, checkpoint)
    out = str(tmp_path / "c.onnx")
    assert main(["--checkpoint", str(checkpoint), "--tile", "128", "-o", out]) == 0
    found = metadata(out)
    assert found["lama-serve.source"] == f"checkpoint best.ckpt sha256 {sha256_of(str(checkpoint))}"
    assert (found["lama-serve.width"], found["lama-serve.blocks"]) == ("8", "1")


@pytest.mark.parametrize("arguments", [
    ["--random-init", "--tile", "500"],
    ["--checkpoint", "x.ckpt", "--width", "8"],
    ["--tile", "512"],
])
def test_bad_arguments_are_refused(tmp_path, arguments):
    with pytest.raises(SystemExit) as exit_info:
        main(arguments + ["-o", str(tmp_path / "x.onnx")])
    assert exit_info.value.code == 2
