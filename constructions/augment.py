"""Differentiable siamese augmentation for distillation (torch).

Each operation draws its parameters once per call from an explicit ``torch.Generator`` and
applies them to a whole batch with differentiable tensor operations, so gradients reach the
synthetic pixels. :func:`augment_pair` applies the *same* draw to a real and a synthetic batch
(siamese augmentation: the matching compares like with like).

Operations (``AUGMENTATIONS``): ``flip`` (horizontal, probability ½), ``crop`` (translation by up
to 1/8 of the side, zero padded), ``scale`` (factor in [0.8, 1.2] per axis), ``rotate`` (angle in
[−15°, 15°]), ``colour`` (brightness shift in [−0.5, 0.5], contrast factor in [0.5, 1.5] about
the image mean, saturation factor in [0, 2] about the channel mean: a no-op on one channel),
``cutout`` (a zero square of half the side at a random centre).
"""

from __future__ import annotations

import math
from typing import Callable, Sequence

import torch
import torch.nn.functional as F

Params = dict[str, torch.Tensor]


def _uniform(generator: torch.Generator, low: float, high: float, size: int = 1) -> torch.Tensor:
    return low + (high - low) * torch.rand(size, generator=generator, device=generator.device)


def _affine(x: torch.Tensor, matrix: torch.Tensor) -> torch.Tensor:
    """Resample ``x`` through the 2×3 affine ``matrix`` (shared by the batch), zero outside."""
    theta = matrix.to(x.dtype).to(x.device).expand(x.shape[0], 2, 3)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, padding_mode="zeros", align_corners=False)


def _flip(x, p):
    return torch.where(p["flip"].to(x.device) > 0.5, x.flip(3), x)


def _crop(x, p):
    shift = p["shift"].to(x.device)
    matrix = torch.stack([torch.stack([torch.ones_like(shift[0]), torch.zeros_like(shift[0]), shift[0]]),
                          torch.stack([torch.zeros_like(shift[0]), torch.ones_like(shift[0]), shift[1]])])
    return _affine(x, matrix[None])


def _scale(x, p):
    s = p["scale"].to(x.device)
    zero = torch.zeros_like(s[0])
    matrix = torch.stack([torch.stack([s[0], zero, zero]), torch.stack([zero, s[1], zero])])
    return _affine(x, matrix[None])


def _rotate(x, p):
    angle = p["angle"].to(x.device)[0]
    c, s, zero = torch.cos(angle), torch.sin(angle), torch.zeros_like(angle)
    matrix = torch.stack([torch.stack([c, -s, zero]), torch.stack([s, c, zero])])
    return _affine(x, matrix[None])


def _colour(x, p):
    x = x + p["brightness"].to(x.device)
    channel_mean = x.mean(dim=1, keepdim=True)
    x = (x - channel_mean) * p["saturation"].to(x.device) + channel_mean
    image_mean = x.mean(dim=(1, 2, 3), keepdim=True)
    return (x - image_mean) * p["contrast"].to(x.device) + image_mean


def _cutout(x, p):
    h, w = x.shape[2], x.shape[3]
    centre = p["centre"].to(x.device)
    rows = torch.arange(h, device=x.device, dtype=x.dtype)[:, None]
    cols = torch.arange(w, device=x.device, dtype=x.dtype)[None, :]
    inside = ((rows - centre[0] * h).abs() < h / 4) & ((cols - centre[1] * w).abs() < w / 4)
    return x * (~inside).to(x.dtype)


_SAMPLERS: dict[str, Callable[[torch.Generator], Params]] = {
    "flip": lambda g: {"flip": _uniform(g, 0, 1)},
    "crop": lambda g: {"shift": _uniform(g, -0.25, 0.25, 2)},  # ±1/8 side in [-1, 1] grid units
    "scale": lambda g: {"scale": _uniform(g, 0.8, 1.2, 2)},
    "rotate": lambda g: {"angle": _uniform(g, -math.pi / 12, math.pi / 12)},
    "colour": lambda g: {"brightness": _uniform(g, -0.5, 0.5), "saturation": _uniform(g, 0, 2),
                         "contrast": _uniform(g, 0.5, 1.5)},
    "cutout": lambda g: {"centre": _uniform(g, 0, 1, 2)},
}
_APPLY: dict[str, Callable[[torch.Tensor, Params], torch.Tensor]] = {
    "flip": _flip, "crop": _crop, "scale": _scale, "rotate": _rotate, "colour": _colour, "cutout": _cutout,
}
AUGMENTATIONS: tuple[str, ...] = tuple(_APPLY)


def validate_augmentations(names: Sequence[str]) -> tuple[str, ...]:
    unknown = [name for name in names if name not in _APPLY]
    if unknown:
        raise ValueError(f"unknown augmentation(s) {unknown}; valid: {', '.join(AUGMENTATIONS)}")
    return tuple(names)


def sample(names: Sequence[str], generator: torch.Generator) -> list[tuple[str, Params]]:
    """One draw of parameters for each operation in ``names`` (in order)."""
    return [(name, _SAMPLERS[name](generator)) for name in validate_augmentations(names)]


def apply(x: torch.Tensor, draw: list[tuple[str, Params]]) -> torch.Tensor:
    for name, params in draw:
        x = _APPLY[name](x, params)
    return x


def augment(x: torch.Tensor, names: Sequence[str], generator: torch.Generator) -> torch.Tensor:
    return apply(x, sample(names, generator)) if names else x


def augment_pair(real: torch.Tensor, synthetic: torch.Tensor, names: Sequence[str],
                 generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """The same augmentation draw applied to both batches (siamese)."""
    if not names:
        return real, synthetic
    draw = sample(names, generator)
    return apply(real, draw), apply(synthetic, draw)
