"""KIP (kernel inducing points) baseline in PyTorch, with the same explicit feature maps.

Conventions (rows are examples): support set X_S ∈ ℝ^{m×d} initialised with ``ipc`` real images per
class (seeded), features F = φ(X); per step a batch of ``batch`` training rows (seeded torch
generator) and the loss

    L = ‖K_BS (K_SS + λ_S I)⁻¹ Y_S − Y_B‖²_F,   K_BS = F_B F_Sᵀ, K_SS = F_S F_Sᵀ, λ_S = 10⁻⁶·tr(K_SS)/m,

with the support labels Y_S given by the closed-form label solve on the batch,
Y_S = (K_SS + λ_S I) K_BS⁺ Y_B (detached), and Adam on X_S. The model evaluated is
W_S = F_Sᵀ(K_SS + λ_S I)⁻¹Y_S with Y_S from the label solve over the whole training set. The
``dtype`` defaults to float32 (KIP is a gradient method; the analytic method runs in float64).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from constructions.feature_maps import DeepLinearNetwork, IdentityMap, LeakyReLUNetwork, RandomFourierFeatures
from constructions.krr_distill import sample_per_class
from constructions.validation import as_matrix, require_positive_int


def _identity(feature_map, X, torch):
    return X


def _leaky(feature_map, X, torch):
    H = X
    for weight in feature_map.weights:
        H = torch.nn.functional.leaky_relu(H @ torch.as_tensor(weight.T, dtype=X.dtype, device=X.device),
                                           negative_slope=feature_map.slope)
    return H


def _rff(feature_map, X, torch):
    A = torch.as_tensor(feature_map.A.T, dtype=X.dtype, device=X.device)
    b = torch.as_tensor(feature_map.b, dtype=X.dtype, device=X.device)
    return feature_map.bound * torch.cos(X @ A + b)


def _deep_linear(feature_map, X, torch):
    return X @ torch.as_tensor(feature_map.product.T, dtype=X.dtype, device=X.device)


TORCH_FEATURES: dict[type, Callable] = {
    IdentityMap: _identity,
    LeakyReLUNetwork: _leaky,
    RandomFourierFeatures: _rff,
    DeepLinearNetwork: _deep_linear,
}


def torch_features(feature_map, X):
    """φ(X) for a torch tensor X, differentiable in X."""
    import torch

    if type(feature_map) not in TORCH_FEATURES:
        raise ValueError(f"no torch version of {type(feature_map).__name__}; known: "
                         f"{', '.join(t.__name__ for t in TORCH_FEATURES)}")
    return TORCH_FEATURES[type(feature_map)](feature_map, X, torch)


@dataclass
class KIPResult:
    """The support set, its labels and ridge, and (step, seconds, test accuracy) after each evaluation."""

    X: np.ndarray
    Y: np.ndarray
    lam_s: float
    history: list[tuple[int, float, float]] = field(default_factory=list)

    def time_to(self, accuracy: float) -> float | None:
        """Seconds until the test accuracy first reached ``accuracy`` (None if never)."""
        for _, seconds, value in self.history:
            if value >= accuracy:
                return seconds
        return None

    @property
    def best(self) -> tuple[int, float, float]:
        return max(self.history, key=lambda entry: entry[2])


def _label_solve(K_bs, K_ss_reg, Y_b, torch):
    alpha = torch.linalg.lstsq(K_bs, Y_b, driver="gelsd" if K_bs.device.type == "cpu" else None).solution
    return K_ss_reg @ alpha


def kip_distill(X, labels, feature_map, ipc: int, *, steps: int, X_test=None, y_test=None, batch: int = 5000,
                lr: float = 0.01, seed: int = 0, eval_every: int = 10, target: float | None = None,
                device: str = "cpu", dtype=None) -> KIPResult:
    """Run KIP for at most ``steps`` Adam steps; evaluate test accuracy every ``eval_every`` steps (and at
    the start) and stop early once it reaches ``target``. Timing excludes evaluation."""
    import torch

    X = as_matrix(X, "X")
    labels = np.asarray(labels)
    if labels.shape != (X.shape[0],):
        raise ValueError(f"labels must have shape ({X.shape[0]},), got {labels.shape}")
    ipc = require_positive_int(ipc, "ipc")
    steps = require_positive_int(steps, "steps")
    batch = require_positive_int(batch, "batch")
    eval_every = require_positive_int(eval_every, "eval_every")
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a finite number > 0, got {lr}")
    dtype = dtype or torch.float32
    classes = int(labels.max()) + 1
    rng = np.random.default_rng(seed)
    generator = torch.Generator().manual_seed(int(rng.integers(2**62)))
    picked = sample_per_class(labels, classes, ipc, rng)
    X_all = torch.as_tensor(X, dtype=dtype, device=device)
    Y_all = torch.as_tensor(np.eye(classes)[labels], dtype=dtype, device=device)
    support = X_all[picked].clone().requires_grad_(True)
    optimiser = torch.optim.Adam([support], lr=lr)
    with torch.no_grad():
        F_all = torch_features(feature_map, X_all)
        F_test = torch_features(feature_map, torch.as_tensor(X_test, dtype=dtype, device=device)) if X_test is not None else None
    y_test_t = torch.as_tensor(y_test, device=device) if y_test is not None else None

    def regularised(F_S):
        K_ss = F_S @ F_S.T
        lam_s = 1e-6 * torch.trace(K_ss) / K_ss.shape[0]
        return K_ss + lam_s * torch.eye(K_ss.shape[0], dtype=dtype, device=device), lam_s

    def evaluate():
        with torch.no_grad():
            F_S = torch_features(feature_map, support)
            K_ss_reg, lam_s = regularised(F_S)
            Y_S = _label_solve(F_all @ F_S.T, K_ss_reg, Y_all, torch)
            if F_test is None:
                return None, Y_S, float(lam_s)
            scores = (F_test @ F_S.T) @ torch.linalg.solve(K_ss_reg, Y_S)
            return float((scores.argmax(1) == y_test_t).double().mean()), Y_S, float(lam_s)

    result = KIPResult(X[picked], np.eye(classes)[labels[picked]], 0.0)
    elapsed = 0.0
    accuracy, _, _ = evaluate()
    result.history.append((0, 0.0, accuracy if accuracy is not None else float("nan")))
    for step in range(1, steps + 1):
        start = time.perf_counter()
        index = torch.randint(0, X_all.shape[0], (min(batch, X_all.shape[0]),), generator=generator).to(device)
        F_b, Y_b = F_all[index], Y_all[index]
        F_S = torch_features(feature_map, support)
        K_ss_reg, _ = regularised(F_S)
        K_bs = F_b @ F_S.T
        Y_S = _label_solve(K_bs.detach(), K_ss_reg.detach(), Y_b, torch)
        loss = ((K_bs @ torch.linalg.solve(K_ss_reg, Y_S) - Y_b) ** 2).sum()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        elapsed += time.perf_counter() - start
        if step % eval_every == 0 or step == steps:
            accuracy, _, _ = evaluate()
            result.history.append((step, elapsed, accuracy if accuracy is not None else float("nan")))
            if target is not None and accuracy is not None and accuracy >= target:
                break
    _, Y_S, lam_s = evaluate()
    result.X, result.Y, result.lam_s = support.detach().cpu().numpy().astype(float), Y_S.cpu().numpy().astype(float), lam_s
    return result
