"""Random weights with realistic activation statistics, for test and benchmark models.

PyTorch's default initialisation leaves BatchNorm at identity statistics, so activations shrink layer after
layer and the sigmoid output of a fresh generator is almost a constant 0.5. Here the BatchNorm affine
parameters are randomised and the running statistics are then measured on one random masked input at the
model's tile size (a "calibration" pass in training mode), which keeps every layer near unit scale and gives
an output that actually depends on the input, as a trained model's does.
"""

import torch
from torch import nn

from .generator import LamaGenerator


def random_masked_input(batch: int, tile: int, generator: torch.Generator) -> torch.Tensor:
    """The generator's 4-channel input: a random image with a random rectangular hole zeroed, plus the mask."""
    image = torch.rand(batch, 3, tile, tile, generator=generator)
    mask = torch.zeros(batch, 1, tile, tile)
    for i in range(batch):
        y0, x0 = torch.randint(0, tile // 2, (2,), generator=generator).tolist()
        h, w = torch.randint(tile // 8, tile // 2, (2,), generator=generator).tolist()
        mask[i, :, y0:y0 + h, x0:x0 + w] = 1.0
    return torch.cat([image * (1.0 - mask), mask], dim=1)


def random_generator(seed: int, width: int, blocks: int, tile: int) -> LamaGenerator:
    """Builds a generator with seeded random weights, calibrated at ``tile``; returned in eval mode."""
    torch.manual_seed(seed)
    model = LamaGenerator(width=width, blocks=blocks)
    rng = torch.Generator().manual_seed(seed)
    norms = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    with torch.no_grad():
        for norm in norms:
            norm.weight.copy_(0.5 + torch.rand(norm.weight.shape, generator=rng))
            norm.bias.copy_(0.2 * (torch.rand(norm.bias.shape, generator=rng) - 0.5))
            norm.reset_running_stats()
            norm.momentum = None  # cumulative average: one pass sets the statistics exactly
        model.train()
        model(random_masked_input(1, tile, rng))
    for norm in norms:
        norm.momentum = 0.1
    return model.eval()
