"""Dataset distillers: gradient matching (GM), distribution matching (DM), trajectory matching
(MTT), and the random-real-subset baseline (torch, CPU or CUDA, explicit generators).

All distillers learn ``ipc`` images per class, initialised from random real images of that class
(``init="real"``) or from N(0, 1) noise in normalised pixel space (``init="noise"``), and they
draw a training configuration (hence network architecture and optimiser) uniformly from the
``configurations`` they are given at every outer iteration: with one configuration this is
single-configuration distillation, with M it distils against a family of M (the coverage law).

* **DM**: a freshly initialised network ψ per iteration; loss Σ_c ‖mean ψ(real_c) − mean ψ(syn_c)‖²
  on the penultimate embeddings, real and synthetic batches augmented with the same draw.
* **GM**: per iteration a fresh network; ``outer`` times, the class-wise gradient of the
  cross-entropy on a real batch and on the synthetic images are compared layer by layer,
  D = Σ_layers Σ_rows (1 − cos(g_real, g_syn)) (bias vectors skipped), the images take one step,
  and the network trains ``inner`` steps on the synthetic set. The rule :func:`gm_loops` derives
  (outer, inner) from the IPC.
* **MTT**: expert trajectories (parameters after every epoch of plain SGD on the real data) come
  from ``experts(architecture)``; the student starts at a random expert epoch t, takes ``N``
  SGD steps on the synthetic images with a learnable step size η = exp(log η), and the loss is
  ‖θ_{t,N} − θ*_{t+M}‖² / ‖θ*_t − θ*_{t+M}‖², normalised by the expert's own displacement.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import torch
import torch.nn.functional as F
from torch.func import functional_call

from constructions.augment import augment, augment_pair
from constructions.configurations import OPTIMISERS, Configuration
from constructions.networks import build_network, seeded_generator

Trajectory = list[torch.Tensor]  # flattened parameters after epoch 0, 1, ..., E


@dataclass(frozen=True)
class RealData:
    """Normalised real images (n, c, h, w), integer labels, and the normalisation used."""

    images: torch.Tensor
    labels: torch.Tensor
    num_classes: int
    mean: float
    std: float

    def __post_init__(self) -> None:
        if self.images.ndim != 4 or self.images.shape[0] != self.labels.shape[0]:
            raise ValueError(f"images must be (n, c, h, w) with one label each, got {tuple(self.images.shape)} "
                             f"and {tuple(self.labels.shape)}")
        if not torch.isfinite(self.images).all():
            raise ValueError("images contain NaN or inf")
        present = set(self.labels.unique().tolist())
        if present != set(range(self.num_classes)):
            raise ValueError(f"every class 0..{self.num_classes - 1} needs real images; present: {sorted(present)}")

    def class_indices(self, c: int) -> torch.Tensor:
        return torch.nonzero(self.labels == c).flatten()

    def sample_class(self, c: int, count: int, generator: torch.Generator) -> torch.Tensor:
        pool = self.class_indices(c)
        chosen = pool[torch.randperm(pool.numel(), generator=generator)[:count].to(pool.device)]
        return self.images[chosen]


@dataclass(frozen=True)
class DistillSettings:
    """Hyper-parameters of one distillation run (every one explicit; no hidden table)."""

    ipc: int
    iterations: int
    seed: int
    real_batch: int = 64
    lr_images: float = 1.0
    init: str = "real"
    augmentation: tuple[str, ...] = ()
    gm_outer_cap: int = 10
    gm_inner_cap: int = 50
    mtt_steps: int = 10
    mtt_expert_epochs_ahead: int = 2
    mtt_max_start_epoch: int = 2
    mtt_initial_lr: float = 0.01
    dm_normalise: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.ipc, int) or self.ipc < 1:
            raise ValueError(f"ipc (images per class) must be an integer >= 1, got {self.ipc!r}")
        if self.iterations < 0 or self.real_batch < 1:
            raise ValueError(f"iterations must be >= 0 and real_batch >= 1, got {self.iterations}, {self.real_batch}")
        if self.init not in INITIALISERS:
            raise ValueError(f"unknown init {self.init!r}; valid: {', '.join(INITIALISERS)}")
        if not (self.lr_images > 0 and math.isfinite(self.lr_images)):
            raise ValueError(f"lr_images must be positive and finite, got {self.lr_images}")


@dataclass
class SyntheticSet:
    """Distilled images (normalised), labels, the normalisation, and the spec that made them."""

    images: torch.Tensor
    labels: torch.Tensor
    mean: float
    std: float
    spec: dict[str, Any] = field(default_factory=dict)
    learned_lr: float | None = None

    def save(self, path: str | Path) -> None:
        torch.save({"images": self.images.detach().cpu(), "labels": self.labels.cpu(), "mean": self.mean,
                    "std": self.std, "spec": self.spec, "learned_lr": self.learned_lr}, path)

    @classmethod
    def load(cls, path: str | Path) -> "SyntheticSet":
        data = torch.load(path, weights_only=False)
        return cls(data["images"], data["labels"], data["mean"], data["std"], data["spec"], data["learned_lr"])


def _real_init(data: RealData, ipc: int, generator: torch.Generator) -> torch.Tensor:
    return torch.cat([data.sample_class(c, ipc, generator) for c in range(data.num_classes)]).clone()


def _noise_init(data: RealData, ipc: int, generator: torch.Generator) -> torch.Tensor:
    shape = (data.num_classes * ipc, *data.images.shape[1:])
    return torch.randn(shape, generator=generator).to(data.images.device)


INITIALISERS: dict[str, Callable[[RealData, int, torch.Generator], torch.Tensor]] = {
    "real": _real_init, "noise": _noise_init,
}


def _start(data: RealData, settings: DistillSettings, configurations: Sequence[Configuration]):
    if not configurations:
        raise ValueError("the configuration family is empty; distillation needs at least one configuration")
    generator = seeded_generator(settings.seed)
    images = INITIALISERS[settings.init](data, settings.ipc, generator).detach().requires_grad_(True)
    labels = torch.arange(data.num_classes, device=data.images.device).repeat_interleave(settings.ipc)
    return generator, images, labels


def _draw(configurations: Sequence[Configuration], generator: torch.Generator) -> Configuration:
    return configurations[int(torch.randint(len(configurations), (1,), generator=generator))]


def _network(config: Configuration, data: RealData, generator: torch.Generator) -> torch.nn.Module:
    return build_network(config.architecture, channels=data.images.shape[1], num_classes=data.num_classes,
                         image_size=data.images.shape[2], generator=generator).to(data.images.device)


def _finish(images, labels, data, settings, method, learned_lr=None) -> SyntheticSet:
    return SyntheticSet(images.detach(), labels, data.mean, data.std,
                        {"method": method, **{k: v for k, v in settings.__dict__.items()}}, learned_lr)


def dm_loss(real_embeddings: torch.Tensor, synthetic_embeddings: torch.Tensor) -> torch.Tensor:
    """The distribution-matching loss Σ_c ‖mean_i e(x_{c,i}) − mean_j e(s_{c,j})‖² for embeddings shaped
    (classes, examples per class, features): the squared linear-kernel MMD per class, summed
    (``selvan-chen/dm-is-linear-mmd``)."""
    return ((real_embeddings.mean(1) - synthetic_embeddings.mean(1)) ** 2).sum()


def normalised_embeddings(real: torch.Tensor, synthetic: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Both embeddings divided by the real batch's RMS embedding norm √(mean_i ‖e(x_i)‖²), held constant.

    The DM loss is then the linear-kernel MMD² for the kernel k(x, y) = e(x)ᵀe(y)/s² with s fixed per
    network, so one image step size suits networks whose embeddings differ in scale (the MLP's image
    gradient is about 45× the ConvNet's at the same images); it is unchanged by scaling e."""
    scale = real.detach().pow(2).sum(1).mean().sqrt().clamp_min(torch.finfo(real.dtype).tiny)
    return real / scale, synthetic / scale


def distill_dm(data: RealData, configurations: Sequence[Configuration], settings: DistillSettings,
               experts=None) -> SyntheticSet:
    """Distribution matching: match class-mean embeddings under freshly drawn networks (optionally
    normalised by the real batch's embedding scale, ``settings.dm_normalise``)."""
    generator, images, labels = _start(data, settings, configurations)
    optimiser = torch.optim.SGD([images], lr=settings.lr_images, momentum=0.5)
    for _ in range(settings.iterations):
        net = _network(_draw(configurations, generator), data, generator)
        net.requires_grad_(False)
        real = torch.cat([data.sample_class(c, settings.real_batch, generator) for c in range(data.num_classes)])
        real_aug, syn_aug = augment_pair(real, images, settings.augmentation, generator)
        real_embedded, synthetic_embedded = net.embed(real_aug), net.embed(syn_aug)
        if settings.dm_normalise:
            real_embedded, synthetic_embedded = normalised_embeddings(real_embedded, synthetic_embedded)
        loss = dm_loss(real_embedded.reshape(data.num_classes, settings.real_batch, -1),
                       synthetic_embedded.reshape(data.num_classes, settings.ipc, -1))
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
    return _finish(images, labels, data, settings, "dm")


def gm_loops(ipc: int, outer_cap: int, inner_cap: int) -> tuple[int, int]:
    """(outer, inner) for gradient matching: outer = min(ipc, outer_cap) image updates per network,
    inner = clamp(round(5·outer_cap / ipc), 1, inner_cap) network steps between them (more network
    steps when there are few images, as in the original schedule 1/10/50 → 50/10 inner)."""
    outer = max(1, min(ipc, outer_cap))
    inner = max(1, min(inner_cap, round(5 * outer_cap / ipc)))
    return outer, inner


def gradient_distance(real: Sequence[torch.Tensor], synthetic: Sequence[torch.Tensor]) -> torch.Tensor:
    """Σ over weight tensors of Σ over output rows of (1 − cos) between the two gradients."""
    total = synthetic[0].new_zeros(())
    for g_real, g_syn in zip(real, synthetic):
        if g_syn.ndim == 1:
            continue
        a, b = g_real.reshape(g_real.shape[0], -1), g_syn.reshape(g_syn.shape[0], -1)
        total = total + (1 - F.cosine_similarity(a, b, dim=1, eps=1e-6)).sum()
    return total


def distill_gm(data: RealData, configurations: Sequence[Configuration], settings: DistillSettings,
               experts=None) -> SyntheticSet:
    """Gradient matching with class-wise layer distances (see the module docstring)."""
    generator, images, labels = _start(data, settings, configurations)
    optimiser = torch.optim.SGD([images], lr=settings.lr_images, momentum=0.5)
    outer, inner = gm_loops(settings.ipc, settings.gm_outer_cap, settings.gm_inner_cap)
    for _ in range(settings.iterations):
        config = _draw(configurations, generator)
        net = _network(config, data, generator)
        params = [p for p in net.parameters()]
        net_optimiser = OPTIMISERS[config.optimiser](params, config.lr, config.weight_decay)
        for step in range(outer):
            loss = images.new_zeros(())
            for c in range(data.num_classes):
                real = data.sample_class(c, settings.real_batch, generator)
                syn = images[c * settings.ipc:(c + 1) * settings.ipc]
                real, syn = augment_pair(real, syn, settings.augmentation, generator)
                target_real = torch.full((real.shape[0],), c, device=real.device)
                target_syn = torch.full((syn.shape[0],), c, device=syn.device)
                g_real = torch.autograd.grad(F.cross_entropy(net(real), target_real), params)
                g_real = [g.detach() for g in g_real]
                g_syn = torch.autograd.grad(F.cross_entropy(net(syn), target_syn), params, create_graph=True)
                loss = loss + gradient_distance(g_real, g_syn)
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            if step == outer - 1:
                break
            fixed = images.detach()
            for _ in range(inner):
                net_optimiser.zero_grad(set_to_none=True)
                F.cross_entropy(net(augment(fixed, settings.augmentation, generator)), labels).backward()
                net_optimiser.step()
    return _finish(images, labels, data, settings, "gm")


def flatten_parameters(net: torch.nn.Module) -> torch.Tensor:
    return torch.cat([p.detach().reshape(-1) for p in net.parameters()])


def _unflatten(net: torch.nn.Module, flat: torch.Tensor) -> dict[str, torch.Tensor]:
    params, offset = {}, 0
    for name, p in net.named_parameters():
        params[name] = flat[offset:offset + p.numel()].view_as(p)
        offset += p.numel()
    return params


def train_expert(data: RealData, architecture: str, seed: int, epochs: int, lr: float = 0.01,
                 batch_size: int = 256) -> Trajectory:
    """Plain SGD (no momentum, no weight decay) on the real data; parameters after every epoch."""
    generator = seeded_generator(seed)
    config = Configuration("expert", architecture)
    net = _network(config, data, generator)
    optimiser = torch.optim.SGD(net.parameters(), lr=lr)
    trajectory = [flatten_parameters(net).cpu()]
    n = data.images.shape[0]
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator).to(data.images.device)
        for start in range(0, n, batch_size):
            index = order[start:start + batch_size]
            optimiser.zero_grad(set_to_none=True)
            F.cross_entropy(net(data.images[index]), data.labels[index]).backward()
            optimiser.step()
        trajectory.append(flatten_parameters(net).cpu())
    return trajectory


def distill_mtt(data: RealData, configurations: Sequence[Configuration], settings: DistillSettings,
                experts: Callable[[str], list[Trajectory]] | None = None) -> SyntheticSet:
    """Trajectory matching against the expert trajectories ``experts(architecture)``."""
    if experts is None:
        raise ValueError("MTT needs expert trajectories: pass experts=callable(architecture) -> trajectories")
    generator, images, labels = _start(data, settings, configurations)
    log_lr = torch.tensor(math.log(settings.mtt_initial_lr), device=images.device, requires_grad=True)
    optimiser = torch.optim.SGD([images], lr=settings.lr_images, momentum=0.5)
    lr_optimiser = torch.optim.SGD([log_lr], lr=0.01, momentum=0.5)
    ahead = settings.mtt_expert_epochs_ahead
    for _ in range(settings.iterations):
        config = _draw(configurations, generator)
        trajectories = experts(config.architecture)
        trajectory = trajectories[int(torch.randint(len(trajectories), (1,), generator=generator))]
        latest_start = min(settings.mtt_max_start_epoch, len(trajectory) - 1 - ahead)
        if latest_start < 0:
            raise ValueError(f"expert trajectories have {len(trajectory) - 1} epochs, fewer than the {ahead} to match")
        t = int(torch.randint(latest_start + 1, (1,), generator=generator))
        net = _network(config, data, generator)
        start, target = trajectory[t].to(images.device), trajectory[t + ahead].to(images.device)
        theta = start.clone().requires_grad_(True)
        for _ in range(settings.mtt_steps):
            x = augment(images, settings.augmentation, generator)
            loss = F.cross_entropy(functional_call(net, _unflatten(net, theta), (x,)), labels)
            (grad,) = torch.autograd.grad(loss, theta, create_graph=True)
            theta = theta - log_lr.exp() * grad
        matching = ((theta - target) ** 2).sum() / ((start - target) ** 2).sum().clamp_min(1e-12)
        optimiser.zero_grad(set_to_none=True)
        lr_optimiser.zero_grad(set_to_none=True)
        matching.backward()
        optimiser.step()
        lr_optimiser.step()
    return _finish(images, labels, data, settings, "mtt", learned_lr=float(log_lr.detach().exp()))


def random_subset(data: RealData, configurations: Sequence[Configuration], settings: DistillSettings,
                  experts=None) -> SyntheticSet:
    """The baseline: ``ipc`` real images per class drawn at random (no optimisation)."""
    generator = seeded_generator(settings.seed)
    images = _real_init(data, settings.ipc, generator)
    labels = torch.arange(data.num_classes, device=images.device).repeat_interleave(settings.ipc)
    return _finish(images, labels, data, settings, "random")


DISTILLERS: dict[str, Callable[..., SyntheticSet]] = {
    "dm": distill_dm, "gm": distill_gm, "mtt": distill_mtt, "random": random_subset,
}


def distill(method: str, data: RealData, configurations: Sequence[Configuration], settings: DistillSettings,
            experts: Callable[[str], list[Trajectory]] | None = None) -> SyntheticSet:
    """Run the distiller ``method`` (one of :data:`DISTILLERS`)."""
    if method not in DISTILLERS:
        raise ValueError(f"unknown method {method!r}; valid: {', '.join(DISTILLERS)}")
    return DISTILLERS[method](data, configurations, settings, experts=experts)
