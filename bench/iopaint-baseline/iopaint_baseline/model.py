"""The LaMa model this server runs: lama-export's big-lama generator in its original ``torch.fft`` form.

With ``--random-init`` the weights are built by the same function, with the same seed, width, blocks and
calibration tile as ``lama-export --random-init``, so the server runs the very weights that went into the
ONNX file lama-serve runs (given the same PyTorch version; ``--save-weights`` and ``--checkpoint`` remove
even that dependence). Wrapped as the exported graph is: mask the image, generate, composite, scale to 0..255.
"""

import os
import sys
from dataclasses import dataclass
from typing import Optional

import torch

_EXPORTER = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "tools", "lama-export"))
if _EXPORTER not in sys.path:
    sys.path.insert(0, _EXPORTER)

from lama_export.generator import BIG_LAMA_BLOCKS, BIG_LAMA_WIDTH, LamaInpainter  # noqa: E402
from lama_export.random_init import random_generator  # noqa: E402
from lama_export.weights import load_generator  # noqa: E402


@dataclass
class ModelSource:
    """Where the weights come from: a checkpoint file, or lama-export's seeded random initialisation."""
    checkpoint: Optional[str] = None
    seed: int = 0
    width: int = BIG_LAMA_WIDTH
    blocks: int = BIG_LAMA_BLOCKS
    tile: int = 512  # lama-export calibrates random BatchNorm statistics at its --tile

    def describe(self) -> str:
        if self.checkpoint:
            return f"checkpoint {self.checkpoint}"
        return f"random seed {self.seed} width {self.width} blocks {self.blocks} (calibrated at {self.tile})"


def build_model(source: ModelSource, device: torch.device) -> LamaInpainter:
    """The composited LaMa (image [1,3,H,W] 0..1, mask [1,1,H,W] 0/1 -> [1,3,H,W] 0..255), FP32, eval mode."""
    if source.checkpoint:
        generator, _ = load_generator(source.checkpoint)
    else:
        # Built on the CPU exactly as the exporter builds it (the calibration pass depends on the device's
        # kernels), then moved.
        generator = random_generator(source.seed, source.width, source.blocks, source.tile)
    generator.set_fourier_form("fft")
    return LamaInpainter(generator).float().eval().to(device)


def save_weights(model: LamaInpainter, path: str) -> None:
    """Writes the generator's state dict (``model.N....`` keys), readable by ``lama-export --checkpoint``."""
    torch.save({k: v.detach().cpu() for k, v in model.generator.state_dict().items()}, path)


def reference_difference(model: LamaInpainter, path: str) -> float:
    """Max abs difference (0..255) between ``model`` and the samples of a ``lama-export --reference`` file.

    That file is written next to an ONNX export; a small difference proves the server runs the weights that
    went into the ONNX file, whatever PyTorch version built each.
    """
    import re

    from lama_export.probe import probe_input

    samples = []
    tile = None
    with open(path) as lines:
        for line in lines:
            if line.startswith("#"):
                match = re.search(r"at tile (\d+)", line)
                tile = int(match.group(1)) if match else tile
            elif line.strip():
                c, y, x, value = line.split()
                samples.append((int(c), int(y), int(x), float(value)))
    if tile is None or not samples:
        raise ValueError(f"{path} is not a lama-export reference file")
    device = next(model.parameters()).device
    image, mask = probe_input(tile)
    with torch.inference_mode():
        output = model(image.to(device), mask.to(device))[0].cpu()
    channels, ys, xs, values = (torch.tensor(column) for column in zip(*samples))
    return float((output[channels, ys, xs] - values.float()).abs().max())
