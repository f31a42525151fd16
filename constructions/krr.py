"""Ridge regression in a feature space (linear ridge and kernel ridge regression with explicit
features), the model that KRR dataset distillation targets and that condensed sets are scored with.

Conventions
-----------
* Rows are examples: features F = φ(X) ∈ ℝ^{n×p}, targets Y ∈ ℝ^{n×k} (one-hot, *uncentred*, unless
  the caller centres them). The papers' column convention (X ∈ ℝ^{d×n}, W ∈ ℝ^{k×p}) is the transpose.
* The model is W = argmin ‖F W − Y‖²_F + λ‖W‖²_F, λ absolute (not scaled by n or tr K):
  W = (FᵀF + λI)⁻¹FᵀY = Fᵀ(FFᵀ + λI)⁻¹Y. For λ = 0, W = F⁺Y (minimum norm).
* Predictions are F W; the predicted class is the arg-max column.

Cost: the primal form solves a p×p system and the dual an n×n one; :func:`fit_ridge` picks the
smaller, so no n×n kernel is formed when p < n. A λ sweep uses one eigendecomposition.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from constructions.validation import as_matrix, require_nonnegative


def _targets(Y, n: int) -> np.ndarray:
    Y = np.asarray(Y, dtype=float)
    if Y.ndim == 1:
        Y = Y[:, None]
    Y = as_matrix(Y, "Y")
    if Y.shape[0] != n:
        raise ValueError(f"Y has {Y.shape[0]} rows but the features have {n}; they must match")
    return Y


def fit_ridge(F, Y, lam: float) -> np.ndarray:
    """W ∈ ℝ^{p×k} minimising ‖FW − Y‖²_F + λ‖W‖²_F (primal when p ≤ n, dual otherwise)."""
    F = as_matrix(F, "features")
    Y = _targets(Y, F.shape[0])
    lam = require_nonnegative(lam, "λ")
    if lam == 0:
        return np.linalg.lstsq(F, Y, rcond=None)[0]
    n, p = F.shape
    if p <= n:
        return np.linalg.solve(F.T @ F + lam * np.eye(p), F.T @ Y)
    return F.T @ np.linalg.solve(F @ F.T + lam * np.eye(n), Y)


@dataclass(frozen=True)
class RidgeSweep:
    """One eigendecomposition of FᵀF (or FFᵀ), reused for every λ."""

    eigenvalues: np.ndarray
    eigenvectors: np.ndarray
    projected: np.ndarray
    F: np.ndarray
    primal: bool

    @classmethod
    def prepare(cls, F, Y) -> "RidgeSweep":
        F = as_matrix(F, "features")
        Y = _targets(Y, F.shape[0])
        primal = F.shape[1] <= F.shape[0]
        gram = F.T @ F if primal else F @ F.T
        eigenvalues, eigenvectors = np.linalg.eigh(gram)
        right = F.T @ Y if primal else Y
        return cls(np.clip(eigenvalues, 0.0, None), eigenvectors, eigenvectors.T @ right, F, primal)

    @classmethod
    def from_gram(cls, gram, moment) -> "RidgeSweep":
        """The primal sweep from FᵀF (p×p) and FᵀY (p×k) alone, e.g. when they were accumulated in
        blocks or a validation block was subtracted; no n-sized array is kept."""
        gram = as_matrix(gram, "FᵀF")
        moment = as_matrix(np.asarray(moment, dtype=float).reshape(gram.shape[0], -1), "FᵀY")
        if gram.shape[0] != gram.shape[1]:
            raise ValueError(f"FᵀF must be square, got shape {gram.shape}")
        eigenvalues, eigenvectors = np.linalg.eigh(gram)
        return cls(np.clip(eigenvalues, 0.0, None), eigenvectors, eigenvectors.T @ moment, None, True)

    def weights(self, lam: float) -> np.ndarray:
        lam = require_nonnegative(lam, "λ")
        denominator = self.eigenvalues + lam
        cutoff = self.eigenvalues.size * np.finfo(float).eps * max(self.eigenvalues.max(), 0.0)
        inverse = np.where(denominator > cutoff, 1.0 / np.where(denominator > cutoff, denominator, 1.0), 0.0)
        solved = self.eigenvectors @ (inverse[:, None] * self.projected)
        return solved if self.primal else self.F.T @ solved


def predict(F, W) -> np.ndarray:
    return as_matrix(F, "features") @ np.asarray(W, dtype=float)


def accuracy(F, labels, W) -> float:
    """Fraction of rows whose arg-max prediction equals the integer label."""
    labels = np.asarray(labels)
    scores = predict(F, W)
    if labels.shape != (scores.shape[0],):
        raise ValueError(f"labels must have shape ({scores.shape[0]},), got {labels.shape}")
    return float(np.mean(np.argmax(scores, axis=1) == labels))
