"""Networks used to distil and to evaluate distilled image sets (PyTorch).

* :class:`ConvNet` — the field's standard: ``depth`` blocks of 3×3 convolution (``width``
  channels) → instance normalisation (GroupNorm with one group per channel, affine) → ReLU →
  2×2 average pooling, then a linear classifier. Depth 3, width 128 is the default.
* :class:`MLP` — flatten, hidden layers with ReLU, linear classifier (no hidden layer:
  ``linear``, multinomial logistic regression on the flattened input).

Both expose ``embed(x)`` (the features before the classifier), which distribution matching uses.
Initialisation draws from an explicit ``torch.Generator`` (Kaiming-uniform weights, zero biases),
so a network is a pure function of its spec and seed. Architectures are looked up by name in
:data:`ARCHITECTURES`; an unknown name raises a ValueError listing the valid ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn


class ConvNet(nn.Module):
    def __init__(self, channels: int = 1, num_classes: int = 10, image_size: int = 28, width: int = 128,
                 depth: int = 3) -> None:
        super().__init__()
        if depth < 1 or width < 1:
            raise ValueError(f"ConvNet needs depth >= 1 and width >= 1, got depth={depth}, width={width}")
        if image_size // 2**depth < 1:
            raise ValueError(f"image size {image_size} is too small for {depth} pooling layers")
        layers: list[nn.Module] = []
        in_channels, size = channels, image_size
        for _ in range(depth):
            layers += [nn.Conv2d(in_channels, width, kernel_size=3, padding=1),
                       nn.GroupNorm(width, width, affine=True), nn.ReLU(), nn.AvgPool2d(2)]
            in_channels, size = width, size // 2
        self.features = nn.Sequential(*layers)
        self.feature_dim = width * size * size
        self.classifier = nn.Linear(self.feature_dim, num_classes)

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(x).flatten(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.embed(x))


class MLP(nn.Module):
    def __init__(self, channels: int = 1, num_classes: int = 10, image_size: int = 28,
                 hidden: tuple[int, ...] = (128, 128)) -> None:
        super().__init__()
        layers: list[nn.Module] = [nn.Flatten()]
        width = channels * image_size * image_size
        for size in hidden:
            layers += [nn.Linear(width, size), nn.ReLU()]
            width = size
        self.features = nn.Sequential(*layers)
        self.feature_dim = width
        self.classifier = nn.Linear(width, num_classes)

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.embed(x))


@dataclass(frozen=True)
class Architecture:
    """A named network recipe: ``build(channels, num_classes, image_size)`` returns a fresh module."""

    name: str
    build: Callable[[int, int, int], nn.Module]
    description: str


ARCHITECTURES: dict[str, Architecture] = {
    a.name: a
    for a in (
        Architecture("convnet", lambda c, k, s: ConvNet(c, k, s, width=128, depth=3), "ConvNet-3, width 128"),
        Architecture("convnet-w64", lambda c, k, s: ConvNet(c, k, s, width=64, depth=3), "ConvNet-3, width 64"),
        Architecture("convnet-w32", lambda c, k, s: ConvNet(c, k, s, width=32, depth=3), "ConvNet-3, width 32"),
        Architecture("convnet-d2", lambda c, k, s: ConvNet(c, k, s, width=128, depth=2), "ConvNet-2, width 128"),
        Architecture("convnet-w32-d2", lambda c, k, s: ConvNet(c, k, s, width=32, depth=2), "ConvNet-2, width 32"),
        Architecture("convnet-d4", lambda c, k, s: ConvNet(c, k, s, width=128, depth=4), "ConvNet-4, width 128"),
        Architecture("mlp", lambda c, k, s: MLP(c, k, s, hidden=(128, 128)), "MLP 128-128"),
        Architecture("linear", lambda c, k, s: MLP(c, k, s, hidden=()), "multinomial logistic regression"),
    )
}


def initialise(module: nn.Module, generator: torch.Generator) -> nn.Module:
    """Re-draw every convolution and linear weight (Kaiming-uniform, ReLU gain) from ``generator``;
    biases to zero; normalisation layers to the identity affine map."""
    with torch.no_grad():
        for layer in module.modules():
            if isinstance(layer, (nn.Conv2d, nn.Linear)):
                nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu", generator=generator)
                if layer.bias is not None:
                    layer.bias.zero_()
            elif isinstance(layer, nn.GroupNorm):
                layer.weight.fill_(1.0)
                layer.bias.zero_()
    return module


def build_network(name: str, *, channels: int = 1, num_classes: int = 10, image_size: int = 28,
                  generator: torch.Generator) -> nn.Module:
    """A freshly initialised network of architecture ``name`` (see :data:`ARCHITECTURES`)."""
    if name not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {name!r}; valid: {', '.join(ARCHITECTURES)}")
    return initialise(ARCHITECTURES[name].build(channels, num_classes, image_size), generator)


def seeded_generator(seed: int, device: str | torch.device = "cpu") -> torch.Generator:
    """A torch.Generator on ``device`` seeded with ``seed`` (never the wall clock)."""
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return torch.Generator(device=device).manual_seed(seed)
