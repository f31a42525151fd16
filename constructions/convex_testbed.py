"""A convex testbed for the scaling laws: L2-regularised multinomial logistic regression on fixed
features, and three ways to condense the features to k points per class (torch, CPU).

The model on features x ∈ ℝ^d is softmax(W x + b) with W ∈ ℝ^{C×d}, b ∈ ℝ^C, trained by
minimising the strongly convex objective

    F(W, b) = (1/n) Σ_i CE(W x_i + b, y_i) + (λ/2)(‖W‖_F² + ‖b‖²),

whose minimiser is unique: :func:`fit_logistic` runs full-batch L-BFGS (float64, strong-Wolfe
line search) from a seeded random start until ‖∇F‖ ≤ ``tolerance`` and returns the gradient norm
it reached as a certificate (a fit that does not reach it is a ValueError, never a silent result).
So a distilled set is always evaluated at the exact optimum of its own empirical risk: no number
of SGD steps, schedule or batch size can make one set look better than another.

Condensers of the training features (each keeps k points per class, labelled by class):

* ``random``: k real points per class drawn without replacement.
* ``dm`` (mean matching in the feature space): minimises Σ_c ‖μ_c − mean(S_c)‖² where μ_c is the
  class mean; gradient descent from k random real points moves every point of S_c by the same
  vector and converges to S_c + (μ_c − mean S_c), which :func:`condense_dm` returns in closed form.
* ``gm`` (gradient matching of the convex model): minimises, over parameters θ drawn afresh at
  every iteration, Σ_c ‖g_c(real) − g_c(S)‖² / ‖g_c(real)‖², where g_c(X) = ∇_W of the mean
  cross-entropy of the class-c points X at θ, = (1/|X|) Σ_x (softmax(θ x) − e_c) xᵀ; the real
  batch holds ``real_batch`` points of class c; Adam on S, started from k random real points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

CONDENSERS = ("dm", "gm", "random")
LBFGS_ROUNDS = 10


@dataclass(frozen=True)
class LogisticFit:
    """A fitted model and its certificate: the gradient norm of F at (weight, bias)."""

    weight: torch.Tensor
    bias: torch.Tensor
    gradient_norm: float
    iterations: int


def _check_features(features: torch.Tensor, labels: torch.Tensor, num_classes: int) -> None:
    if features.ndim != 2 or labels.ndim != 1 or features.shape[0] != labels.shape[0] or features.shape[0] == 0:
        raise ValueError(f"need features (n, d) and n labels, got {tuple(features.shape)} and {tuple(labels.shape)}")
    if not torch.isfinite(features).all():
        raise ValueError("features contain NaN or inf")
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(f"labels must lie in 0..{num_classes - 1}")


def objective(weight, bias, features, labels, regularisation: float) -> torch.Tensor:
    """F(W, b): mean cross-entropy plus (λ/2)(‖W‖² + ‖b‖²)."""
    logits = features @ weight.T + bias
    return F.cross_entropy(logits, labels) + 0.5 * regularisation * (weight.square().sum() + bias.square().sum())


def fit_logistic(features: torch.Tensor, labels: torch.Tensor, num_classes: int, regularisation: float, seed: int,
                 *, tolerance: float = 1e-6, max_iterations: int = 2000) -> LogisticFit:
    """The minimiser of F (see the module docstring), certified by ‖∇F‖ ≤ ``tolerance``."""
    _check_features(features, labels, num_classes)
    if not (regularisation > 0 and math.isfinite(regularisation)):
        raise ValueError(f"regularisation must be positive and finite (F strongly convex), got {regularisation}")
    x, y = features.double(), labels.long()
    generator = torch.Generator().manual_seed(seed)
    weight = (0.01 * torch.randn(num_classes, x.shape[1], generator=generator, dtype=torch.float64)).requires_grad_()
    bias = torch.zeros(num_classes, dtype=torch.float64, requires_grad=True)
    iterations = 0
    # L-BFGS stops on the largest gradient entry; entries ≤ tolerance/√p imply ‖∇F‖ ≤ tolerance.
    # A fresh history when the line search stalls before that.
    for _ in range(LBFGS_ROUNDS):
        optimiser = torch.optim.LBFGS([weight, bias], lr=1.0, max_iter=max_iterations, history_size=20,
                                      tolerance_grad=tolerance / math.sqrt(weight.numel() + bias.numel()),
                                      tolerance_change=0.0,
                                      line_search_fn="strong_wolfe")

        def closure():
            optimiser.zero_grad()
            value = objective(weight, bias, x, y, regularisation)
            value.backward()
            return value

        optimiser.step(closure)
        iterations += int(optimiser.state[weight]["n_iter"])
        value = objective(weight, bias, x, y, regularisation)
        norm = float(torch.sqrt(sum(g.square().sum() for g in torch.autograd.grad(value, [weight, bias]))))
        if norm <= tolerance:
            break
    else:
        raise ValueError(f"L-BFGS stopped at gradient norm {norm:.3g} > tolerance {tolerance:.3g} "
                         f"after {iterations} iterations")
    return LogisticFit(weight.detach(), bias.detach(), norm, iterations)


@torch.no_grad()
def evaluate_logistic(fit: LogisticFit, features: torch.Tensor, labels: torch.Tensor) -> tuple[float, float]:
    """(accuracy, mean cross-entropy) of the fitted model on held-out features."""
    logits = features.double() @ fit.weight.T + fit.bias
    return float((logits.argmax(1) == labels).double().mean()), float(F.cross_entropy(logits, labels.long()))


def _random_subset(features, labels, k: int, num_classes: int, generator) -> tuple[torch.Tensor, torch.Tensor]:
    chosen = []
    for c in range(num_classes):
        pool = torch.nonzero(labels == c).flatten()
        if pool.numel() < k:
            raise ValueError(f"class {c} has {pool.numel()} points, fewer than k = {k}")
        chosen.append(pool[torch.randperm(pool.numel(), generator=generator)[:k]])
    index = torch.cat(chosen)
    return features[index].clone(), labels[index].clone()


def condense_dm(subset: torch.Tensor, subset_labels: torch.Tensor, features, labels, num_classes: int) -> torch.Tensor:
    """Each class's points shifted by one vector so their mean is the class mean (DM's optimum
    nearest its real-point start)."""
    out = subset.clone()
    for c in range(num_classes):
        rows = subset_labels == c
        out[rows] += features[labels == c].mean(0) - subset[rows].mean(0)
    return out


def class_gradients(weight, bias, features, labels, num_classes: int) -> torch.Tensor:
    """(C, C, d): for each class c, ∇_W of the mean cross-entropy of the class-c points."""
    probs = torch.softmax(features @ weight.T + bias, dim=1) - F.one_hot(labels, num_classes).to(features.dtype)
    return torch.stack([probs[labels == c].T @ features[labels == c] / int((labels == c).sum())
                        for c in range(num_classes)])


def condense_gm(subset, subset_labels, features, labels, num_classes: int, generator, *, iterations: int,
                real_batch: int, lr: float, parameter_scale: float) -> torch.Tensor:
    """Gradient matching of the convex model (see the module docstring); θ ~ N(0, scale²/d)."""
    synthetic = subset.clone().requires_grad_()
    optimiser = torch.optim.Adam([synthetic], lr=lr)
    d = features.shape[1]
    for _ in range(iterations):
        weight = parameter_scale / math.sqrt(d) * torch.randn(num_classes, d, generator=generator)
        bias = torch.zeros(num_classes)
        batch, batch_labels = _random_subset(features, labels, min(real_batch, int(torch.bincount(labels).min())),
                                             num_classes, generator)
        real = class_gradients(weight, bias, batch, batch_labels, num_classes)
        fake = class_gradients(weight, bias, synthetic, subset_labels, num_classes)
        loss = ((real - fake).square().sum((1, 2)) / real.square().sum((1, 2))).sum()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    return synthetic.detach()


def condense(method: str, features: torch.Tensor, labels: torch.Tensor, k: int, num_classes: int, seed: int, *,
             gm_iterations: int = 200, gm_real_batch: int = 256, gm_lr: float = 0.05,
             gm_parameter_scale: float = 1.0) -> tuple[torch.Tensor, torch.Tensor]:
    """k condensed points per class by ``method`` (one of :data:`CONDENSERS`), drawn from ``seed``."""
    if method not in CONDENSERS:
        raise ValueError(f"unknown condenser {method!r}; valid: {', '.join(CONDENSERS)}")
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k (points per class) must be an integer >= 1, got {k!r}")
    _check_features(features, labels, num_classes)
    generator = torch.Generator().manual_seed(seed)
    subset, subset_labels = _random_subset(features, labels, k, num_classes, generator)
    if method == "dm":
        subset = condense_dm(subset, subset_labels, features, labels, num_classes)
    elif method == "gm":
        subset = condense_gm(subset, subset_labels, features, labels, num_classes, generator,
                             iterations=gm_iterations, real_batch=gm_real_batch, lr=gm_lr,
                             parameter_scale=gm_parameter_scale)
    return subset, subset_labels
