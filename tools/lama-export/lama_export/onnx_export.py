"""ONNX export of the inpainter graph with lama-serve's contract, plus the graph clean-ups it needs."""

import hashlib
import inspect
import io
import sys
import time
import warnings
from typing import Dict, Optional

import onnx
import torch

from . import __version__
from .generator import DftMatrices, LamaGenerator, LamaInpainter

OPSET = 17
INPUT_NAMES = ("image", "mask")
OUTPUT_NAME = "output"
BATCH_AXIS = "batch"
CONTRACT = ("image[N,3,T,T] float RGB 0..1; mask[N,1,T,T] float 1=fill; "
            "output[N,3,T,T] float 0..255 composited (mask*prediction + (1-mask)*image)")
# Operators TensorRT's ONNX parser (8.6 through 10.x) cannot take.
FORBIDDEN_OPS = frozenset({"DFT", "STFT", "Loop", "If", "Scan"})


def log(message: str) -> None:
    print(f"[lama-export] {message}", file=sys.stderr, flush=True)


FOURIER_DESCRIPTIONS = {
    "gemm": "gemm (constant real DFT matrices, MatMul/Transpose/Reshape)",
    "conv": "conv (constant real DFT matrices as 1x1 Conv weights, spectrum padded to a multiple of 8)",
    "bmm": "bmm (constant real DFT matrices in broadcast MatMuls from the left and right, no Transpose, spectrum "
           "padded to a multiple of 8)",
}


def export_inpainter(generator: LamaGenerator, tile: int, source: str, path: str,
                     extra_metadata: Optional[Dict[str, str]] = None, fourier_form: str = "conv",
                     pad_form: str = "concat") -> onnx.ModelProto:
    """Exports ``generator`` wrapped in the contract graph at a fixed ``tile`` with a dynamic batch axis.

    The Fourier units are switched to ``fourier_form`` (``gemm`` or ``conv``) and the reflect paddings to
    ``pad_form`` (``slice``, ``concat`` or ``gather``) for the export. Returns the saved model.
    """
    if tile % 8 != 0 or tile < 16:
        raise ValueError(f"tile must be a multiple of 8 and >= 16 (three stride-2 downsamplings), got {tile}")
    if fourier_form not in FOURIER_DESCRIPTIONS:
        raise ValueError(f"fourier_form must be one of {sorted(FOURIER_DESCRIPTIONS)}, got {fourier_form!r}")
    generator = generator.eval().set_fourier_form(fourier_form).set_pad_form(pad_form)
    inpainter = LamaInpainter(generator).eval()
    image = torch.rand(2, 3, tile, tile)
    mask = (torch.rand(2, 1, tile, tile) > 0.5).float()

    kwargs = dict(
        input_names=list(INPUT_NAMES),
        output_names=[OUTPUT_NAME],
        dynamic_axes={name: {0: BATCH_AXIS} for name in (*INPUT_NAMES, OUTPUT_NAME)},
        opset_version=OPSET,
        do_constant_folding=True,
    )
    # PyTorch >= 2.9 defaults to the dynamo exporter; the TorchScript-based one gives the same graph on 1.13.
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False
    started = time.time()
    log(f"tracing and exporting at tile {tile} (width {generator.width}, blocks {generator.blocks}) ...")
    buffer = io.BytesIO()
    # Matrices made inside the trace get stable names in the graph whether or not a forward ran before.
    DftMatrices.clear()
    with torch.no_grad(), warnings.catch_warnings():
        # The Reshape extents are turned into Python ints on purpose (see generator._static).
        warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
        # torch 1.13 flags g.op() in symbolic functions as deprecated, yet it is the API on every version.
        warnings.filterwarnings("ignore", category=FutureWarning)
        torch.onnx.export(inpainter, (image, mask), buffer, **kwargs)
    log(f"traced in {time.time() - started:.1f} s; post-processing ...")

    model = onnx.load_from_string(buffer.getvalue())
    constants_to_initializers(model)
    removed = deduplicate_initializers(model)
    if removed:
        log(f"merged {removed} duplicate constant tensors")
    metadata = {
        "lama-serve.contract": CONTRACT,
        "lama-serve.tile": str(tile),
        "lama-serve.output-range": "0..255",
        "lama-serve.source": source,
        "lama-serve.width": str(generator.width),
        "lama-serve.blocks": str(generator.blocks),
        "lama-serve.fourier": FOURIER_DESCRIPTIONS[fourier_form],
        "lama-serve.exporter": f"lama-export {__version__}, torch {torch.__version__}, onnx {onnx.__version__}",
    }
    if pad_form != "slice":
        # Only a non-default form is recorded: files exported before the option existed keep their bytes.
        metadata["lama-serve.reflect-pad"] = pad_form
    metadata.update(extra_metadata or {})
    for key, value in metadata.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    declare_output_shape(model, tile)
    model.producer_name = "lama-export"
    model.producer_version = __version__
    check_graph(model, tile)
    onnx.save(model, path)
    log(f"wrote {path} ({model.ByteSize() / 1e6:.1f} MB) in {time.time() - started:.1f} s")
    return model


def constants_to_initializers(model: onnx.ModelProto) -> None:
    """Moves tensor-valued Constant nodes (the DFT matrices, Reshape shapes, Pad widths) into initializers."""
    graph = model.graph
    nodes = []
    for node in graph.node:
        if node.op_type == "Constant" and len(node.attribute) == 1 and node.attribute[0].name == "value":
            tensor = onnx.TensorProto()
            tensor.CopyFrom(node.attribute[0].t)
            tensor.name = node.output[0]
            graph.initializer.append(tensor)
        else:
            nodes.append(node)
    del graph.node[:]
    graph.node.extend(nodes)


def declare_output_shape(model: onnx.ModelProto, tile: int) -> None:
    """States the output's true static extents: the tracer loses them behind the batch-agnostic Reshapes."""
    (output,) = model.graph.output
    dims = output.type.tensor_type.shape.dim
    del dims[:]
    first = dims.add()
    first.dim_param = BATCH_AXIS
    for extent in (3, tile, tile):
        dims.add().dim_value = extent


def deduplicate_initializers(model: onnx.ModelProto) -> int:
    """Keeps one copy of constant tensors with identical contents (the tracer emits the shared DFT matrices
    once per Fourier unit). Handles both initializers and Constant nodes; returns how many were removed."""
    graph = model.graph
    canonical: Dict[tuple, str] = {}
    rename: Dict[str, str] = {}

    def key_of(tensor: onnx.TensorProto) -> tuple:
        data = tensor.SerializeToString() if not tensor.raw_data else tensor.raw_data
        return tensor.data_type, tuple(tensor.dims), hashlib.sha256(data).hexdigest()

    kept = []
    for tensor in graph.initializer:
        key = key_of(tensor)
        if key in canonical:
            rename[tensor.name] = canonical[key]
        else:
            canonical[key] = tensor.name
            kept.append(tensor)
    nodes = []
    for node in graph.node:
        if node.op_type == "Constant" and len(node.attribute) == 1 and node.attribute[0].name == "value":
            key = key_of(node.attribute[0].t)
            if key in canonical:
                rename[node.output[0]] = canonical[key]
                continue
            canonical[key] = node.output[0]
        nodes.append(node)
    if not rename:
        return 0
    del graph.initializer[:]
    graph.initializer.extend(kept)
    del graph.node[:]
    graph.node.extend(nodes)
    for node in graph.node:
        for i, name in enumerate(node.input):
            if name in rename:
                node.input[i] = rename[name]
    for output in graph.output:
        if output.name in rename:
            raise ValueError(f"graph output {output.name} is a duplicated constant")
    return len(rename)


def check_graph(model: onnx.ModelProto, tile: int) -> None:
    """Raises ValueError unless the model is valid ONNX with the contract's I/O and TensorRT-safe ops."""
    onnx.checker.check_model(model)
    ops = {node.op_type for node in model.graph.node}
    bad = ops & FORBIDDEN_OPS
    if bad:
        raise ValueError(f"graph contains operators TensorRT cannot parse: {sorted(bad)}")
    expected = {"image": 3, "mask": 1, OUTPUT_NAME: 3}
    for value in list(model.graph.input) + list(model.graph.output):
        if value.name not in expected:
            raise ValueError(f"unexpected graph input/output {value.name}")
        dims = value.type.tensor_type.shape.dim
        shape = [d.dim_param or d.dim_value for d in dims]
        if len(dims) != 4 or not dims[0].dim_param or any(d.dim_param for d in dims[1:]) \
                or shape[1:] != [expected[value.name], tile, tile]:
            raise ValueError(f"{value.name}: expected [{BATCH_AXIS},{expected[value.name]},{tile},{tile}] "
                             f"with only the batch axis symbolic, found {shape}")


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
