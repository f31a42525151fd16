"""Training configurations and the evaluation protocol for distilled sets (torch).

A :class:`Configuration` fixes everything that trains a network from data: architecture,
optimiser, learning rate and schedule, epochs, batch size, augmentation and weight decay. The
field's evaluation protocol is :data:`BASE`-like: SGD with momentum 0.9, weight decay 5·10⁻⁴,
learning rate 0.01 decayed ×0.1 at half-way. :func:`configuration_family` varies one factor at a
time around it to make a family of eight.

:func:`train` draws the initial weights, the batch order and the augmentation from one seeded
``torch.Generator``; :func:`evaluate` returns test accuracy and mean cross-entropy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from constructions.augment import augment, validate_augmentations
from constructions.networks import ARCHITECTURES, build_network, seeded_generator

OPTIMISERS: dict[str, Callable[..., torch.optim.Optimizer]] = {
    "sgd": lambda params, lr, wd: torch.optim.SGD(params, lr=lr, momentum=0.9, weight_decay=wd),
    "adam": lambda params, lr, wd: torch.optim.Adam(params, lr=lr, weight_decay=wd),
}

# learning-rate multiplier as a function of progress t = step / total steps ∈ [0, 1)
SCHEDULES: dict[str, Callable[[float], float]] = {
    "step-half": lambda t: 1.0 if t < 0.5 else 0.1,
    "cosine": lambda t: 0.5 * (1 + math.cos(math.pi * t)),
    "constant": lambda t: 1.0,
}


@dataclass(frozen=True)
class Configuration:
    """One way to train a network; ``name`` identifies it in specs and tables."""

    name: str
    architecture: str = "convnet"
    optimiser: str = "sgd"
    lr: float = 0.01
    schedule: str = "step-half"
    epochs: int = 300
    batch_size: int = 256
    augmentation: tuple[str, ...] = ()
    weight_decay: float = 5e-4

    def __post_init__(self) -> None:
        object.__setattr__(self, "augmentation", validate_augmentations(tuple(self.augmentation)))
        for field_name, table in (("architecture", ARCHITECTURES), ("optimiser", OPTIMISERS), ("schedule", SCHEDULES)):
            value = getattr(self, field_name)
            if value not in table:
                raise ValueError(f"unknown {field_name} {value!r}; valid: {', '.join(table)}")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise ValueError(f"learning rate must be positive and finite, got {self.lr}")
        if self.epochs < 1 or self.batch_size < 1:
            raise ValueError(f"epochs and batch size must be >= 1, got {self.epochs}, {self.batch_size}")
        if not (self.weight_decay >= 0 and math.isfinite(self.weight_decay)):
            raise ValueError(f"weight decay must be >= 0 and finite, got {self.weight_decay}")


def configuration_family(architecture: str, alternates: tuple[str, str], epochs: int) -> tuple[Configuration, ...]:
    """Eight configurations: the protocol on ``architecture`` and one change each (Adam at 10⁻³,
    cosine schedule, learning rate 0.03, no weight decay, flip/crop/scale/rotate augmentation,
    and the two ``alternates`` architectures)."""
    base = Configuration(f"{architecture}-sgd", architecture, epochs=epochs)
    return (
        base,
        replace(base, name=f"{architecture}-adam", optimiser="adam", lr=1e-3),
        replace(base, name=f"{architecture}-cosine", schedule="cosine"),
        replace(base, name=f"{architecture}-lr0.03", lr=0.03),
        replace(base, name=f"{architecture}-wd0", weight_decay=0.0),
        replace(base, name=f"{architecture}-augment", augmentation=("flip", "crop", "scale", "rotate")),
        replace(base, name=f"{alternates[0]}-sgd", architecture=alternates[0]),
        replace(base, name=f"{alternates[1]}-sgd", architecture=alternates[1]),
    )


def train(images: torch.Tensor, labels: torch.Tensor, config: Configuration, seed: int,
          num_classes: int = 10, epochs: int | None = None, steps: int | None = None) -> nn.Module:
    """A fresh network trained on (images, labels) under ``config``: ``epochs`` overrides its epoch
    count; ``steps`` instead fixes the number of SGD steps, whatever the set's size (the batch
    order is reshuffled at each pass; the schedule runs over the ``steps``)."""
    if images.shape[0] != labels.shape[0] or images.shape[0] == 0:
        raise ValueError(f"need matching non-empty images and labels, got {images.shape[0]} and {labels.shape[0]}")
    if steps is not None and (isinstance(steps, bool) or not isinstance(steps, int) or steps < 1):
        raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
    device = images.device
    generator = seeded_generator(seed)
    model = build_network(config.architecture, channels=images.shape[1], num_classes=num_classes,
                          image_size=images.shape[2], generator=generator).to(device)
    optimiser = OPTIMISERS[config.optimiser](model.parameters(), config.lr, config.weight_decay)
    n = images.shape[0]
    batch = min(config.batch_size, n)
    per_epoch = math.ceil(n / batch)
    total = steps if steps is not None else per_epoch * (epochs or config.epochs)
    schedule = SCHEDULES[config.schedule]
    model.train()
    step = 0
    while step < total:
        order = torch.randperm(n, generator=generator).to(device)
        for start in range(0, n, batch):
            if step == total:
                break
            index = order[start:start + batch]
            x = augment(images[index], config.augmentation, generator)
            for group in optimiser.param_groups:
                group["lr"] = config.lr * schedule(step / total)
            loss = F.cross_entropy(model(x), labels[index])
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            step += 1
    return model


@torch.no_grad()
def evaluate(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, batch: int = 2048) -> tuple[float, float]:
    """(accuracy, mean cross-entropy) of ``model`` on the test set."""
    model.eval()
    correct, loss = 0, 0.0
    for start in range(0, images.shape[0], batch):
        logits = model(images[start:start + batch])
        target = labels[start:start + batch]
        correct += int((logits.argmax(1) == target).sum())
        loss += float(F.cross_entropy(logits, target, reduction="sum"))
    return correct / images.shape[0], loss / images.shape[0]
