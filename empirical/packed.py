"""Packed training: many small networks trained or sampled in one pass (torch.func ensembles).

P networks of one architecture are held as *stacked* parameters (each tensor gets a leading axis
of length P) and run through one ``vmap`` of ``functional_call`` over a parameter-free template,
so one kernel launch serves all P networks. Two engines use it:

* :class:`PackedTraining` trains P networks of one :class:`~constructions.configurations.Configuration`
  (model p on its own image set ``images[p]`` with its own seed: the evaluation seeds of one
  distilled set, or the distilled sets of several seeds) and :func:`evaluate_packed` tests them.
  Per model it draws, from its own generator and in the same order as
  :func:`constructions.configurations.train`: the initial weights, one permutation per epoch and
  one augmentation per step. SGD and Adam act elementwise, so ``torch.optim`` on the stacked
  tensors is P independent optimisers, and the summed loss Σ_p L_p has ∂/∂θ_p = ∂L_p/∂θ_p.
* :class:`PackedDM` runs P distribution-matching distillations (the distillation seeds of one k)
  in lock step, each with its own generator, images and per-iteration network, exactly as
  :func:`constructions.matching.distill_dm` draws them.

On CPU both give the one-model numbers up to float round-off (tests/test_packed.py). Generators
live on the data's device (``seeded_generator(seed, device)``), so on a GPU the initial weights
and batch orders are drawn there (a different stream than the CPU one-model path: the same law,
not the same numbers). Shapes are fixed per step position, so a loop could be captured as a CUDA
graph later. ``fast_math=True`` allows TF32 matmuls/convolutions on CUDA (a no-op on CPU).

Both engines are resumable: ``state_dict()`` holds parameters or images, optimiser state, the
step counter, the current epoch's orders and every generator's state; ``run(deadline)`` stops
between steps once ``deadline()`` is true and returns ``False`` (see :mod:`empirical.checkpoint`).
"""

from __future__ import annotations

import math
import time
from typing import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call, vmap

from constructions.augment import augment, augment_pair
from constructions.configurations import OPTIMISERS, SCHEDULES, Configuration
from constructions.matching import dm_loss, normalised_embeddings
from constructions.networks import ARCHITECTURES

Deadline = Callable[[], bool]
NEVER: Deadline = lambda: False  # noqa: E731 - a constant predicate


def template(architecture: str, channels: int, num_classes: int, image_size: int) -> nn.Module:
    """A parameter-free (meta-device) module of ``architecture``: the shapes and the forward code."""
    if architecture not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {architecture!r}; valid: {', '.join(ARCHITECTURES)}")
    with torch.device("meta"):
        return ARCHITECTURES[architecture].build(channels, num_classes, image_size)


def draw_parameters(module: nn.Module, generator: torch.Generator) -> dict[str, torch.Tensor]:
    """Fresh parameters for ``module`` drawn from ``generator`` on its device, in the order and law of
    :func:`constructions.networks.initialise`: weights of convolutions and linear layers uniform on
    ±√2·√(3/fan_in) (Kaiming, ReLU gain), biases 0, normalisation scales 1 and shifts 0."""
    device = generator.device
    params: dict[str, torch.Tensor] = {}
    for prefix, layer in module.named_modules():
        dot = f"{prefix}." if prefix else ""
        if isinstance(layer, (nn.Conv2d, nn.Linear)):
            fan_in = layer.weight[0].numel()
            bound = math.sqrt(2.0) * math.sqrt(3.0 / fan_in)
            params[dot + "weight"] = torch.empty(layer.weight.shape, device=device).uniform_(
                -bound, bound, generator=generator)
            if layer.bias is not None:
                params[dot + "bias"] = torch.zeros(layer.bias.shape, device=device)
        elif isinstance(layer, nn.GroupNorm):
            params[dot + "weight"] = torch.ones(layer.weight.shape, device=device)
            params[dot + "bias"] = torch.zeros(layer.bias.shape, device=device)
    missing = {name for name, _ in module.named_parameters()} - set(params)
    if missing:
        raise ValueError(f"packed initialisation does not cover parameters {sorted(missing)}")
    return params


def stack(dicts: Sequence[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    return {name: torch.stack([d[name] for d in dicts]) for name in dicts[0]}


def packed_logits(module: nn.Module, params: dict[str, torch.Tensor], x: torch.Tensor,
                  shared_input: bool = False) -> torch.Tensor:
    """Logits (P, B, classes) of the P stacked networks on x (P, B, ...) or, shared, x (B, ...)."""
    return vmap(lambda p, xb: functional_call(module, p, (xb,)), in_dims=(0, None if shared_input else 0))(params, x)


def packed_embeddings(module: nn.Module, params: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """Penultimate features (P, B, d): the ``features`` block of ConvNet / MLP, flattened (= ``embed``)."""
    features = {name[len("features."):]: value for name, value in params.items() if name.startswith("features.")}
    return vmap(lambda p, xb: functional_call(module.features, p, (xb,)).flatten(1))(features, x)


def set_fast_math(enabled: bool) -> None:
    """TF32 for CUDA matmuls and convolutions when ``enabled`` (float32 otherwise; no effect on CPU)."""
    torch.backends.cuda.matmul.allow_tf32 = enabled
    torch.backends.cudnn.allow_tf32 = enabled


def _permutation(n: int, generator: torch.Generator) -> torch.Tensor:
    return torch.randperm(n, generator=generator, device=generator.device)


class _TimedRun:
    """``run`` for a resumable pack: ``_run(deadline)`` works until done (``True``) or until
    ``deadline()`` holds between steps (``False``); its compute time accumulates in ``seconds``."""

    seconds: float

    def run(self, deadline: Deadline = NEVER) -> bool:
        clock = time.perf_counter()
        try:
            return self._run(deadline)
        finally:
            self.seconds += time.perf_counter() - clock


class PackedTraining(_TimedRun):
    """P networks of ``config.architecture`` trained under ``config``, model p on ``images[p]``.

    ``images`` is (P, n, c, h, w) with ``labels`` (P, n), or one set (n, c, h, w) / (n,) shared by
    all P. Model p draws everything from ``generators[p]`` (CPU generators reproduce ``train`` on a GPU). The run lasts ``steps`` optimiser steps
    (default: ``config.epochs`` epochs of ⌈n / batch⌉ steps, as the one-model ``train``); the
    learning-rate schedule is evaluated at step / steps."""

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, config: Configuration,
                 generators: Sequence[torch.Generator], num_classes: int = 10, steps: int | None = None,
                 epochs: int | None = None) -> None:
        count = len(generators)
        if count < 1:
            raise ValueError("packed training needs at least one generator (one per network)")
        if images.ndim == 4:
            images, labels = images.expand(count, *images.shape), labels.expand(count, *labels.shape)
        if images.ndim != 5 or images.shape[0] != count or labels.shape != images.shape[:2] or images.shape[1] == 0:
            raise ValueError(f"need images (P, n, c, h, w) and labels (P, n) for P={count} non-empty sets, "
                             f"got {tuple(images.shape)} and {tuple(labels.shape)}")
        self.images, self.labels, self.config, self.generators = images, labels, config, list(generators)
        self.module = template(config.architecture, images.shape[2], num_classes, images.shape[3])
        self.params = {k: v.to(images.device) for k, v in
                       stack([draw_parameters(self.module, g) for g in self.generators]).items()}
        tensors = [p.requires_grad_(True) for p in self.params.values()]
        self.optimiser = OPTIMISERS[config.optimiser](tensors, config.lr, config.weight_decay)
        n = images.shape[1]
        self.batch = min(config.batch_size, n)
        self.per_epoch = math.ceil(n / self.batch)
        if steps is not None and steps < 1:
            raise ValueError(f"steps must be >= 1, got {steps}")
        self.total = steps if steps is not None else self.per_epoch * (epochs or config.epochs)
        self.step = 0
        self.orders: torch.Tensor | None = None
        self.seconds = 0.0  # compute time over every segment of the run (restored from checkpoints)
        self.losses: list[list[float]] = []  # per step, per model (kept only with record_losses)
        self.record_losses = False

    @property
    def done(self) -> bool:
        return self.step >= self.total

    def _run(self, deadline: Deadline) -> bool:
        schedule = SCHEDULES[self.config.schedule]
        n = self.images.shape[1]
        rows = torch.arange(len(self.generators), device=self.images.device)[:, None]
        while not self.done:
            if deadline():
                return False
            position = self.step % self.per_epoch
            if position == 0:
                self.orders = torch.stack([_permutation(n, g).to(self.images.device) for g in self.generators])
            index = self.orders[:, position * self.batch:(position + 1) * self.batch]
            x = self.images[rows, index]
            if self.config.augmentation:
                x = torch.stack([augment(x[p], self.config.augmentation, g) for p, g in enumerate(self.generators)])
            for group in self.optimiser.param_groups:
                group["lr"] = self.config.lr * schedule(self.step / self.total)
            logits = packed_logits(self.module, self.params, x)
            per_model = F.cross_entropy(logits.flatten(0, 1), self.labels[rows, index].flatten(),
                                        reduction="none").view(logits.shape[:2]).mean(1)
            self.optimiser.zero_grad(set_to_none=True)
            per_model.sum().backward()
            self.optimiser.step()
            if self.record_losses:
                self.losses.append(per_model.detach().cpu().tolist())
            self.step += 1
        return True

    def state_dict(self) -> dict:
        return {"params": {k: v.detach().clone() for k, v in self.params.items()},
                "optimiser": self.optimiser.state_dict(), "step": self.step, "orders": self.orders,
                "generators": [g.get_state() for g in self.generators], "seconds": self.seconds}

    def load_state_dict(self, state: dict) -> None:
        with torch.no_grad():
            for name, value in state["params"].items():
                self.params[name].copy_(value)
        self.optimiser.load_state_dict(state["optimiser"])
        self.step, self.orders, self.seconds = state["step"], state["orders"], state["seconds"]
        for generator, saved in zip(self.generators, state["generators"]):
            generator.set_state(saved)


@torch.no_grad()
def evaluate_packed(training: PackedTraining, images: torch.Tensor, labels: torch.Tensor,
                    batch: int = 2048) -> list[tuple[float, float]]:
    """(accuracy, mean cross-entropy) on the test set for each of the P trained networks."""
    params = {k: v.detach() for k, v in training.params.items()}
    count = len(training.generators)
    correct = torch.zeros(count, device=images.device)
    loss = torch.zeros(count, device=images.device, dtype=torch.float64)
    for start in range(0, images.shape[0], batch):
        logits = packed_logits(training.module, params, images[start:start + batch], shared_input=True)
        target = labels[start:start + batch]
        correct += (logits.argmax(2) == target).sum(1)
        loss += F.cross_entropy(logits.flatten(0, 1), target.repeat(count), reduction="none").view(
            count, -1).sum(1).double()
    n = images.shape[0]
    return [(int(c) / n, float(s) / n) for c, s in zip(correct.tolist(), loss.tolist())]


class PackedDM(_TimedRun):
    """P distribution-matching runs in lock step: run p is ``distill_dm`` with ``settings[p]`` (same
    data, configuration family, IPC, image lr and augmentation; its own seed).

    Each iteration every run draws its configuration, a fresh network, a real batch per class and
    an augmentation from its own generator, in ``distill_dm``'s order; the P embeddings come from one
    vmapped pass when the runs drew the same architecture (always so for one configuration), the
    loss is Σ_p L_p and the stacked images take one SGD step (momentum 0.5). Generators live on
    ``generator_device`` (default: the data's device; ``"cpu"`` reproduces ``distill_dm`` on a GPU)."""

    def __init__(self, data, configurations: Sequence[Configuration], settings: Sequence,
                 generator_device: str | torch.device | None = None) -> None:
        from constructions.matching import INITIALISERS

        if settings[0].init not in INITIALISERS:
            raise ValueError(f"unknown init {settings[0].init!r}; valid: {', '.join(INITIALISERS)}")
        if not configurations:
            raise ValueError("the configuration family is empty; distillation needs at least one configuration")
        first = settings[0]
        for other in settings[1:]:
            if {**other.__dict__, "seed": 0} != {**first.__dict__, "seed": 0}:
                raise ValueError("packed DM runs must share every setting but the seed")
        device = data.images.device
        self.data, self.configurations, self.settings = data, list(configurations), first
        self.generators = [torch.Generator(device=generator_device or device).manual_seed(s.seed) for s in settings]
        self.pools = [data.class_indices(c) for c in range(data.num_classes)]
        self.images = torch.stack([self._initial_images(g) for g in self.generators])
        self.images.requires_grad_(True)
        self.labels = torch.arange(data.num_classes, device=device).repeat_interleave(first.ipc)
        self.optimiser = torch.optim.SGD([self.images], lr=first.lr_images, momentum=0.5)
        self.modules = {c.architecture: template(c.architecture, data.images.shape[1], data.num_classes,
                                                 data.images.shape[2]) for c in self.configurations}
        self.iteration = 0
        self.seconds = 0.0

    def _sample(self, c: int, count: int, generator: torch.Generator) -> torch.Tensor:
        pool = self.pools[c]
        return self.data.images[pool[_permutation(pool.numel(), generator)[:count].to(pool.device)]]

    def _initial_images(self, generator: torch.Generator) -> torch.Tensor:
        """``init="real"``: ipc random real images per class; ``"noise"``: N(0, 1) pixels (as ``distill_dm``)."""
        s, data = self.settings, self.data
        if s.init == "noise":
            shape = (data.num_classes * s.ipc, *data.images.shape[1:])
            return torch.randn(shape, generator=generator, device=generator.device).to(data.images.device)
        return torch.cat([self._sample(c, s.ipc, generator) for c in range(data.num_classes)]).clone()

    @property
    def done(self) -> bool:
        return self.iteration >= self.settings.iterations

    def _loss(self, architecture: str, params, real: torch.Tensor, synthetic: torch.Tensor) -> torch.Tensor:
        s, classes = self.settings, self.data.num_classes
        real_e, syn_e = (packed_embeddings(self.modules[architecture], params, x) for x in (real, synthetic))
        if s.dm_normalise:
            real_e, syn_e = vmap(normalised_embeddings)(real_e, syn_e)
        return sum(dm_loss(r.reshape(classes, s.real_batch, -1), y.reshape(classes, s.ipc, -1))
                   for r, y in zip(real_e, syn_e))

    def _run(self, deadline: Deadline) -> bool:
        s, classes, device = self.settings, self.data.num_classes, self.data.images.device
        while not self.done:
            if deadline():
                return False
            groups: dict[str, list] = {}
            for p, generator in enumerate(self.generators):
                config = self.configurations[int(torch.randint(len(self.configurations), (1,), generator=generator,
                                                               device=generator.device))]
                params = {k: v.to(device) for k, v in draw_parameters(self.modules[config.architecture],
                                                                      generator).items()}
                real = torch.cat([self._sample(c, s.real_batch, generator) for c in range(classes)])
                real, syn = augment_pair(real, self.images[p], s.augmentation, generator)
                groups.setdefault(config.architecture, []).append((params, real, syn))
            loss = sum(self._loss(arch, stack([m[0] for m in members]), torch.stack([m[1] for m in members]),
                                  torch.stack([m[2] for m in members])) for arch, members in groups.items())
            self.optimiser.zero_grad(set_to_none=True)
            loss.backward()
            self.optimiser.step()
            self.iteration += 1
        return True

    def state_dict(self) -> dict:
        return {"images": self.images.detach().clone(), "optimiser": self.optimiser.state_dict(),
                "iteration": self.iteration, "generators": [g.get_state() for g in self.generators],
                "seconds": self.seconds}

    def load_state_dict(self, state: dict) -> None:
        with torch.no_grad():
            self.images.copy_(state["images"])
        self.optimiser.load_state_dict(state["optimiser"])
        self.iteration, self.seconds = state["iteration"], state["seconds"]
        for generator, saved in zip(self.generators, state["generators"]):
            generator.set_state(saved)
