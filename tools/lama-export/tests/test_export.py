"""The exported ONNX graph: valid, TensorRT-friendly ops, dynamic batch only, contract metadata."""

import os
import re

import onnx
import pytest
import torch
from onnx import helper, numpy_helper

from lama_export.onnx_export import check_graph, export_inpainter, sha256_of
from lama_export.random_init import random_generator

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
FIXTURE = os.path.join(REPO, "src", "test", "resources", "models", "lama-fixture.onnx")
RECIPE = os.path.join(REPO, "src", "test", "resources", "models", "lama-fixture.txt")
# Everything TensorRT 8.6's ONNX parser takes; the exporter must not need more.
ALLOWED_OPS = {"Add", "BatchNormalization", "Clip", "Concat", "Conv", "ConvTranspose", "MatMul", "Mul", "Pad",
               "Relu", "Reshape", "Sigmoid", "Sub", "Transpose"}


@pytest.fixture(scope="module", params=[512, 256])
def exported(request, tmp_path_factory):
    tile = request.param
    generator = random_generator(seed=11, width=8, blocks=2, tile=tile)
    path = str(tmp_path_factory.mktemp("onnx") / f"lama-{tile}.onnx")
    export_inpainter(generator, tile, "random seed 11", path, fourier_form="gemm", pad_form="slice")
    return tile, generator, onnx.load(path)


def initializers(model):
    return {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}


def test_graph_is_valid_opset_17_with_tensorrt_friendly_ops(exported):
    _, _, model = exported
    onnx.checker.check_model(model)
    assert [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")] == [17]
    ops = {node.op_type for node in model.graph.node}
    assert not ops & {"DFT", "STFT"}
    assert ops <= ALLOWED_OPS, ops - ALLOWED_OPS
    # Nothing computes shapes at run time: every Reshape/Pad operand is a constant.
    assert not ops & {"Shape", "Gather", "ConstantOfShape", "Constant"}


def test_only_the_batch_axis_is_symbolic(exported):
    tile, _, model = exported
    found = {}
    for value in list(model.graph.input) + list(model.graph.output):
        found[value.name] = [d.dim_param or d.dim_value for d in value.type.tensor_type.shape.dim]
    assert found == {"image": ["batch", 3, tile, tile], "mask": ["batch", 1, tile, tile],
                     "output": ["batch", 3, tile, tile]}


def test_reshapes_are_batch_agnostic(exported):
    _, _, model = exported
    values = initializers(model)
    reshapes = [node for node in model.graph.node if node.op_type == "Reshape"]
    assert reshapes
    for node in reshapes:
        shape = values[node.input[1]].tolist()
        assert shape[0] == -1 and all(extent > 0 for extent in shape[1:]), (node.name, shape)


def test_fourier_units_are_four_large_gemms_on_shared_constant_matrices(exported):
    tile, generator, model = exported
    values = initializers(model)
    matmuls = [node for node in model.graph.node if node.op_type == "MatMul"]
    assert len(matmuls) == 4 * len(generator.fourier_units())
    h = tile // 8
    wf = h // 2 + 1
    operands = {node.input[1] for node in matmuls}
    # One copy of each DFT matrix in the file, shared by every Fourier unit.
    assert sorted(values[name].shape for name in operands) == sorted([(h, 2 * wf), (2 * h, 2 * h),
                                                                      (2 * h, 2 * h), (2 * wf, h)])
    for node in matmuls:
        assert node.input[1] in values, "DFT matrices must be constant initializers"


def test_contract_metadata(exported):
    tile, generator, model = exported
    metadata = {p.key: p.value for p in model.metadata_props}
    assert metadata["lama-serve.tile"] == str(tile)
    assert metadata["lama-serve.output-range"] == "0..255"
    assert metadata["lama-serve.source"] == "random seed 11"
    assert "mask" in metadata["lama-serve.contract"] and "composited" in metadata["lama-serve.contract"]
    assert metadata["lama-serve.width"] == "8" and metadata["lama-serve.blocks"] == "2"


def test_check_graph_rejects_a_dft_node(exported):
    tile, _, model = exported
    broken = onnx.ModelProto()
    broken.CopyFrom(model)
    last = broken.graph.node[-1]
    last.output[0] = "pre_dft"
    broken.graph.node.append(helper.make_node("DFT", ["pre_dft"], ["output"], onesided=0))
    with pytest.raises(ValueError, match="DFT"):
        check_graph(broken, tile)


def test_onnxruntime_matches_torch_when_available(exported, tmp_path):
    pytest.importorskip("onnxruntime")
    from lama_export.probe import check_with_onnxruntime
    tile, generator, model = exported
    path = str(tmp_path / "m.onnx")
    onnx.save(model, path)
    assert check_with_onnxruntime(path, generator, tile) < 0.01


def recipe():
    with open(RECIPE) as text:
        content = text.read()
    command = re.search(r"export\.py (.*?)\n\n", content, re.S).group(1).replace("\\\n", " ")
    return content, command.split()


def test_committed_fixture_matches_its_recipe():
    content, arguments = recipe()
    assert os.path.getsize(FIXTURE) < 3_000_000
    assert re.search(r"sha256: ([0-9a-f]{64})", content).group(1) == sha256_of(FIXTURE)
    model = onnx.load(FIXTURE)
    check_graph(model, 512)
    metadata = {p.key: p.value for p in model.metadata_props}
    seed = arguments[arguments.index("--seed") + 1]
    assert metadata["lama-serve.source"] == f"random seed {seed}"
    assert re.search(rf"^Seed: {seed}$", content, re.M)


@pytest.mark.skipif(not torch.__version__.startswith("1.13") or not onnx.__version__.startswith("1.12"),
                    reason="byte-exact reproduction is recorded for torch 1.13 + onnx 1.12 only")
def test_recipe_reproduces_the_fixture_bytes(tmp_path):
    from lama_export.cli import main
    _, arguments = recipe()
    out = str(tmp_path / "again.onnx")
    index = arguments.index("-o")
    assert main(arguments[:index] + ["-o", out] + arguments[index + 2:]) == 0
    assert sha256_of(out) == sha256_of(FIXTURE)


def test_rejects_tile_sizes_the_generator_cannot_take():
    generator = random_generator(seed=0, width=8, blocks=1, tile=64)
    with pytest.raises(ValueError, match="multiple of 8"):
        export_inpainter(generator, 100, "random seed 0", os.devnull)



@pytest.mark.parametrize("pad_form", ["slice", "concat", "gather"])
def test_conv_form_computes_every_dft_as_a_1x1_convolution(tmp_path, pad_form):
    tile = 256
    generator = random_generator(seed=12, width=8, blocks=1, tile=tile)
    path = str(tmp_path / "conv.onnx")
    export_inpainter(generator, tile, "random seed 12", path, fourier_form="conv", pad_form=pad_form)
    model = onnx.load(path)
    ops = [node.op_type for node in model.graph.node]
    assert "MatMul" not in ops and set(ops) <= ALLOWED_OPS | {"Slice", "Gather"}
    assert ("Pad" in ops) == (pad_form == "slice") and ("Slice" in ops) == (pad_form == "concat")
    assert ("Gather" in ops) == (pad_form == "gather")
    values = initializers(model)
    h = tile // 8
    wp = 24  # h // 2 + 1 = 17 columns, aligned to a multiple of 8
    dft_convs = [n for n in model.graph.node if n.op_type == "Conv" and "/fu/" in n.name and "conv_layer" not in n.name]
    assert len(dft_convs) == 4 * len(generator.fourier_units())
    assert sorted({values[n.input[1]].shape for n in dft_convs}) == sorted(
        {(2 * wp, h, 1, 1), (2 * h, 2 * h, 1, 1), (h, 2 * wp, 1, 1)})
    metadata = {p.key: p.value for p in model.metadata_props}
    assert metadata["lama-serve.fourier"].startswith("conv")
    assert metadata.get("lama-serve.reflect-pad", "slice") == pad_form



def test_bmm_form_has_no_transpose_and_four_products_per_unit(tmp_path):
    tile = 256
    generator = random_generator(seed=13, width=8, blocks=1, tile=tile)
    path = str(tmp_path / "bmm.onnx")
    export_inpainter(generator, tile, "random seed 13", path, fourier_form="bmm", pad_form="concat")
    model = onnx.load(path)
    ops = [node.op_type for node in model.graph.node]
    assert "Transpose" not in ops and set(ops) <= ALLOWED_OPS | {"Slice", "Unsqueeze", "ReduceSum"}
    values = initializers(model)
    h = tile // 8
    wp = 24  # h // 2 + 1 = 17 columns, aligned to a multiple of 8
    products = [n for n in model.graph.node if n.op_type == "MatMul" and "/fu/" in n.name]
    assert len(products) == 4 * len(generator.fourier_units())
    shapes = {values[i].shape for n in products for i in n.input if i in values}
    # the same four constant matrices serve every unit: W forward (re, im), H forward and inverse from the left,
    # W inverse (re, im)
    assert shapes == {(2, h, wp), (2 * h, 2 * h), (2, wp, h)}
    assert len({i for n in products for i in n.input if i in values}) == 4
    metadata = {p.key: p.value for p in model.metadata_props}
    assert metadata["lama-serve.fourier"].startswith("bmm")
