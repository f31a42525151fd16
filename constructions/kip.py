"""KIP (kernel inducing points) baseline in PyTorch, with the same explicit feature maps.

Conventions (rows are examples): support set X_S ∈ ℝ^{m×d} initialised with ``ipc`` real images per
class (seeded), features F = φ(X); per step a batch B of ``config.batch`` training rows (seeded torch
generator) and the loss

    L = ‖K_BS (K_SS + λ_S I)⁻¹ Y_S − Y_B‖²_F,   K_BS = F_B F_Sᵀ, K_SS = F_S F_Sᵀ, λ_S = ρ·tr(K_SS)/m,

minimised by Adam over X_S (and Y_S when ``config.learn_labels``). Without learned labels, Y_S is the
closed-form label solve Y_S = (K_SS + λ_S I) K_AS⁺ Y_A, the Y_S whose model fits the rows A best:
``config.label_solve = "full"`` takes A = the whole training set and keeps it differentiable (so the
gradient sees how Y_S moves with X_S), ``"batch"`` takes A = B and detaches it. The model evaluated is
W_S = F_Sᵀ(K_SS + λ_S I)⁻¹Y_S, with Y_S the learned labels or the full-data label solve.

:class:`KIPConfig` names the published configurations: :meth:`KIPConfig.authors` is the KIP that Chen,
Huang & Weng compare with (explicit features, full differentiable label solve, ρ = 10⁻⁶, Adam lr 0.01,
batch 5000, float32, standardised inputs); :meth:`KIPConfig.original` is Nguyen et al.'s setting with the
explicit features in place of their NTK (learned centred labels, lr 0.04, float64, standardised
inputs); :meth:`KIPConfig.legacy` is this project's earlier baseline (batch label solve, detached,
unstandardised [0, 1] inputs), kept to show what the handicap cost.
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


LABEL_SOLVES = ("full", "batch")
DTYPES = ("float32", "float64")


@dataclass(frozen=True)
class KIPConfig:
    """One KIP configuration (see the module docstring); the classmethods are the published ones."""

    lr: float = 0.01
    batch: int = 5000
    label_solve: str = "full"
    learn_labels: bool = False
    centre_labels: bool = False
    standardise: bool = True
    regulariser: float = 1e-6
    dtype: str = "float32"

    def __post_init__(self) -> None:
        if not (np.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"lr must be a finite number > 0, got {self.lr}")
        require_positive_int(self.batch, "batch")
        if self.label_solve not in LABEL_SOLVES:
            raise ValueError(f"label_solve must be one of {LABEL_SOLVES}, got {self.label_solve!r}")
        if not (np.isfinite(self.regulariser) and self.regulariser > 0):
            raise ValueError(f"regulariser must be a finite number > 0, got {self.regulariser}")
        if self.dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {DTYPES}, got {self.dtype!r}")

    @classmethod
    def authors(cls) -> "KIPConfig":
        """Chen, Huang & Weng's KIP comparison: explicit features, label solve over the whole training
        set (differentiable), λ_S = 10⁻⁶·tr(K_SS)/m, Adam lr 0.01, batch 5000, float32, standardised."""
        return cls()

    @classmethod
    def original(cls) -> "KIPConfig":
        """Nguyen, Chen & Lee's KIP setting with our explicit features instead of their NTK: learned
        centred one-hot labels, Adam lr 0.04, float64, standardised inputs (they run ≥ 1000 steps)."""
        return cls(lr=0.04, learn_labels=True, centre_labels=True, dtype="float64")

    @classmethod
    def legacy(cls) -> "KIPConfig":
        """This project's earlier baseline: label solve on the batch, detached, unstandardised inputs."""
        return cls(label_solve="batch", standardise=False)


@dataclass
class KIPResult:
    """The support set in the caller's input coordinates, its labels and ridge, the standardisation
    (the model is W_S trained on φ((X − mean)/scale)), and (step, seconds, test accuracy) after each
    evaluation."""

    X: np.ndarray
    Y: np.ndarray
    lam_s: float
    mean: np.ndarray
    scale: np.ndarray
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


def standardisation(X) -> tuple[np.ndarray, np.ndarray]:
    """(mean, scale) per input coordinate over the rows of X; a constant coordinate gets scale 1."""
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    return mean, np.where(scale > 0, scale, 1.0)


def _label_solve(K_as, K_ss_reg, Y_a, torch):
    """Y_S = (K_SS + λ_S I) K_AS⁺ Y_A, K_AS⁺Y_A by the reduced QR K_AS = QR (K_AS has full column rank m
    when the m support features are independent); differentiable and deterministic."""
    Q, R = torch.linalg.qr(K_as)
    return K_ss_reg @ torch.linalg.solve_triangular(R, Q.T @ Y_a, upper=True)


def kip_distill(X, labels, feature_map, ipc: int, *, steps: int, config: KIPConfig | None = None, X_test=None,
                y_test=None, seed: int = 0, eval_every: int = 10, target: float | None = None,
                max_seconds: float | None = None, device: str = "cpu") -> KIPResult:
    """Run KIP (``config``, default :meth:`KIPConfig.authors`) for at most ``steps`` Adam steps; evaluate
    test accuracy every ``eval_every`` steps (and at the start); stop once it reaches ``target`` or the
    optimisation time exceeds ``max_seconds``. Timing excludes evaluation."""
    import torch

    config = KIPConfig.authors() if config is None else config
    X = as_matrix(X, "X")
    labels = np.asarray(labels)
    if labels.shape != (X.shape[0],):
        raise ValueError(f"labels must have shape ({X.shape[0]},), got {labels.shape}")
    ipc = require_positive_int(ipc, "ipc")
    steps = require_positive_int(steps, "steps")
    eval_every = require_positive_int(eval_every, "eval_every")
    if max_seconds is not None and not max_seconds > 0:
        raise ValueError(f"max_seconds must be > 0, got {max_seconds}")
    dtype = getattr(torch, config.dtype)
    classes = int(labels.max()) + 1
    rng = np.random.default_rng(seed)
    generator = torch.Generator().manual_seed(int(rng.integers(2**62)))
    picked = sample_per_class(labels, classes, ipc, rng)
    mean, scale = standardisation(X) if config.standardise else (np.zeros(X.shape[1]), np.ones(X.shape[1]))
    X_all = torch.as_tensor((X - mean) / scale, dtype=dtype, device=device)
    targets = np.eye(classes)[labels] - (1.0 / classes if config.centre_labels else 0.0)
    Y_all = torch.as_tensor(targets, dtype=dtype, device=device)
    support = X_all[picked].clone().requires_grad_(True)
    learned = Y_all[picked].clone().requires_grad_(True) if config.learn_labels else None
    optimiser = torch.optim.Adam([support] + ([learned] if learned is not None else []), lr=config.lr)
    with torch.no_grad():
        F_all = torch_features(feature_map, X_all)
        F_test = (torch_features(feature_map, torch.as_tensor((as_matrix(X_test, "X_test") - mean) / scale,
                                                              dtype=dtype, device=device))
                  if X_test is not None else None)
    y_test_t = torch.as_tensor(y_test, device=device) if y_test is not None else None

    def regularised(F_S):
        K_ss = F_S @ F_S.T
        lam_s = config.regulariser * torch.trace(K_ss) / K_ss.shape[0]
        return K_ss + lam_s * torch.eye(K_ss.shape[0], dtype=dtype, device=device), lam_s

    def support_labels(F_S, K_ss_reg):
        return learned if learned is not None else _label_solve(F_all @ F_S.T, K_ss_reg, Y_all, torch)

    def evaluate():
        with torch.no_grad():
            F_S = torch_features(feature_map, support)
            K_ss_reg, lam_s = regularised(F_S)
            Y_S = support_labels(F_S, K_ss_reg)
            if F_test is None:
                return None, Y_S, float(lam_s)
            scores = (F_test @ F_S.T) @ torch.linalg.solve(K_ss_reg, Y_S)
            return float((scores.argmax(1) == y_test_t).double().mean()), Y_S, float(lam_s)

    result = KIPResult(X[picked], targets[picked], 0.0, mean, scale)
    elapsed = 0.0
    accuracy, _, _ = evaluate()
    result.history.append((0, 0.0, accuracy if accuracy is not None else float("nan")))
    for step in range(1, steps + 1):
        start = time.perf_counter()
        index = torch.randint(0, X_all.shape[0], (min(config.batch, X_all.shape[0]),), generator=generator).to(device)
        F_b, Y_b = F_all[index], Y_all[index]
        F_S = torch_features(feature_map, support)
        K_ss_reg, _ = regularised(F_S)
        K_bs = F_b @ F_S.T
        if learned is not None:
            Y_S = learned
        elif config.label_solve == "full":
            Y_S = _label_solve(F_all @ F_S.T, K_ss_reg, Y_all, torch)
        else:
            Y_S = _label_solve(K_bs.detach(), K_ss_reg.detach(), Y_b, torch)
        loss = ((K_bs @ torch.linalg.solve(K_ss_reg, Y_S) - Y_b) ** 2).sum()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        elapsed += time.perf_counter() - start
        out_of_time = max_seconds is not None and elapsed >= max_seconds
        if step % eval_every == 0 or step == steps or out_of_time:
            accuracy, _, _ = evaluate()
            result.history.append((step, elapsed, accuracy if accuracy is not None else float("nan")))
            if (target is not None and accuracy is not None and accuracy >= target) or out_of_time:
                break
    _, Y_S, lam_s = evaluate()
    X_S = support.detach().cpu().numpy().astype(float) * scale + mean
    result.X, result.Y, result.lam_s = X_S, Y_S.detach().cpu().numpy().astype(float), lam_s
    return result
