"""Loading real generator weights into :class:`LamaGenerator`.

Supported sources:

* advimman/lama ``best.ckpt`` (PyTorch Lightning): ``state_dict`` keys ``generator.model.N....``;
* a TorchScript file traced around the generator, such as IOPaint's ``big-lama.pt`` (made by advimman's
  ``bin/to_jit.py``, which wraps the training module, so keys look like ``model.generator.model.N....``);
* a plain ``torch.save`` of a state dict (or of ``{"state_dict": ...}``) with any such prefix.

Whatever precedes ``model.N.`` in a key is treated as a prefix and removed; width and number of residual
blocks are read from the tensors, and the result is loaded with strict key and shape checking.
"""

import importlib.abc
import importlib.machinery
import re
import sys
import types
import zipfile
from typing import Dict, Tuple

import torch

from .generator import LamaGenerator

_GENERATOR_KEY = re.compile(r"^(?P<prefix>(?:.*?\.)?)model\.(?P<index>\d+)\.(?P<rest>.+)$")
_STEM_WEIGHT = "model.1.ffc.convl2l.weight"


class WeightsError(ValueError):
    """The file holds no generator state this exporter can map, or it does not fit the architecture."""


class _Placeholder:
    """Stands in for classes of packages that are not installed (omegaconf, pytorch_lightning, ...).

    A Lightning checkpoint pickles its hyper-parameters and callback states next to the weights; only the
    tensors are needed, so anything else is unpickled into these inert objects instead of failing.
    """

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs

    def __setstate__(self, state):
        self.state = state


def _importing_for_unpickler() -> bool:
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == "find_class":
            return True
        frame = frame.f_back
    return False


class _StubModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """While active, any module that cannot be imported is replaced by a stub whose attributes are
    placeholder classes. Installed last on ``sys.meta_path``, so real modules are always preferred.

    (``torch.load(pickle_module=...)`` would be the natural hook, but torch 1.13 ignores that argument
    unless ``weights_only`` is set, and then refuses it.)
    """

    def __init__(self):
        self.created = []

    def find_spec(self, fullname, path=None, target=None):
        if not _importing_for_unpickler():
            return None  # an optional import elsewhere must still fail as usual
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec):
        module = types.ModuleType(spec.name)
        module.__path__ = []

        def placeholder(name, _module=spec.name):
            if name.startswith("__"):
                raise AttributeError(name)
            return type(name, (_Placeholder,), {"__module__": _module})

        module.__getattr__ = placeholder
        self.created.append(spec.name)
        return module

    def exec_module(self, module):
        pass

    def __enter__(self):
        sys.meta_path.append(self)
        return self

    def __exit__(self, *exc):
        sys.meta_path.remove(self)
        for name in self.created:
            sys.modules.pop(name, None)
        return False


def _is_torchscript(path: str) -> bool:
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        return any(name.split("/", 1)[-1].startswith("code/") for name in archive.namelist())


def read_state_dict(path: str) -> Tuple[Dict[str, torch.Tensor], str]:
    """Returns the tensors stored in ``path`` and the kind of file ("torchscript" or "checkpoint")."""
    if _is_torchscript(path):
        module = torch.jit.load(path, map_location="cpu")
        return dict(module.state_dict()), "torchscript"
    with _StubModules():
        # Lightning checkpoints hold pickled objects besides tensors, so weights_only must be off (it is on
        # by default from torch 2.6). Only load checkpoints from a source you trust.
        loaded = torch.load(path, map_location="cpu", weights_only=False)
    if isinstance(loaded, dict) and "state_dict" in loaded and isinstance(loaded["state_dict"], dict):
        loaded = loaded["state_dict"]
    if not isinstance(loaded, dict):
        raise WeightsError(f"{path}: expected a checkpoint dict or a TorchScript module, found {type(loaded).__name__}")
    return {k: v for k, v in loaded.items() if isinstance(v, torch.Tensor)}, "checkpoint"


def generator_state(state: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    """Picks the generator's tensors and renames them ``model.N....`` (the keys of :class:`LamaGenerator`).

    When several prefixes carry ``model.N.`` keys (say a generator and something else), the one that names
    the generator wins; anything still ambiguous is an error rather than a guess.
    """
    by_prefix: Dict[str, Dict[str, torch.Tensor]] = {}
    for key, tensor in state.items():
        match = _GENERATOR_KEY.match(key)
        if match:
            by_prefix.setdefault(match.group("prefix"), {})[key[len(match.group("prefix")):]] = tensor
    candidates = {p: s for p, s in by_prefix.items() if _STEM_WEIGHT in s}
    if len(candidates) > 1:
        named = {p: s for p, s in candidates.items() if "generator" in p}
        candidates = named if len(named) == 1 else candidates
    if not candidates:
        raise WeightsError(f"no generator weights found: no key ends in '{_STEM_WEIGHT}' "
                           f"(first keys: {sorted(state)[:5]})")
    if len(candidates) > 1:
        raise WeightsError(f"several generators found, prefixes {sorted(candidates)}")
    (prefix, tensors), = candidates.items()
    return {key: (t.float() if t.is_floating_point() else t) for key, t in tensors.items()}


def architecture_of(state: Dict[str, torch.Tensor]) -> Tuple[int, int]:
    """(width, blocks) of the generator whose ``model.N....`` tensors are given."""
    width = state[_STEM_WEIGHT].shape[0]
    blocks = len({key.split(".")[1] for key in state if ".conv1.ffc.convl2l." in key})
    return int(width), blocks


def load_generator(path: str) -> Tuple[LamaGenerator, str]:
    """Builds the generator stored in ``path`` (eval mode); returns it with the file's kind."""
    state, kind = read_state_dict(path)
    tensors = generator_state(state)
    width, blocks = architecture_of(tensors)
    generator = LamaGenerator(width=width, blocks=blocks)
    try:
        generator.load_state_dict(tensors, strict=True)
    except RuntimeError as error:
        raise WeightsError(f"{path}: the generator weights do not fit big-lama's architecture "
                           f"(width {width}, {blocks} blocks): {error}") from error
    return generator.eval(), kind
