"""Ridge regression in a feature space (linear ridge and kernel ridge regression with explicit
features), the model that KRR dataset distillation targets and that condensed sets are scored with.

Conventions
-----------
* Rows are examples: features F = φ(X) ∈ ℝ^{n×p}, targets Y ∈ ℝ^{n×k} (one-hot, *uncentred*, unless
  the caller centres them). The papers' column convention (X ∈ ℝ^{d×n}, W ∈ ℝ^{k×p}) is the transpose.
* The model is W = argmin ‖F W − Y‖²_F + λ‖W‖²_F, λ absolute (not scaled by n or tr K):
  W = (FᵀF + λI)⁻¹FᵀY = Fᵀ(FFᵀ + λI)⁻¹Y. For λ = 0, W = F⁺Y (minimum norm).
* Predictions are F W; the predicted class is the arg-max column.

Cost: the primal form solves a p×p system and the dual an n×n one; :func:`fit_ridge_full_lambda` picks the
smaller, so no n×n kernel is formed when p < n. A λ sweep uses one eigendecomposition, and
:func:`feature_moments` accumulates FᵀF and FᵀY over row blocks, so F = φ(X) is never held whole.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from constructions.blocks import map_blocks, row_blocks
from constructions.validation import as_matrix, require_nonnegative


def _targets(Y, n: int) -> np.ndarray:
    Y = np.asarray(Y, dtype=float)
    if Y.ndim == 1:
        Y = Y[:, None]
    Y = as_matrix(Y, "Y")
    if Y.shape[0] != n:
        raise ValueError(f"Y has {Y.shape[0]} rows but the features have {n}; they must match")
    return Y


def fit_ridge_full_lambda(F, Y, lam: float) -> np.ndarray:
    """W ∈ ℝ^{p×k} minimising ‖FW − Y‖²_F + λ‖W‖²_F (primal when p ≤ n, dual otherwise): the squared
    error *summed* and the penalty *λ*, not halved (:func:`constructions.glm.fit_ridge_half_lambda`
    averages the loss and halves λ: its λ is this one divided by n)."""
    F = as_matrix(F, "features")
    Y = _targets(Y, F.shape[0])
    lam = require_nonnegative(lam, "λ")
    if lam == 0:
        return np.linalg.lstsq(F, Y, rcond=None)[0]
    n, p = F.shape
    if p <= n:
        return np.linalg.solve(F.T @ F + lam * np.eye(p), F.T @ Y)
    return F.T @ np.linalg.solve(F @ F.T + lam * np.eye(n), Y)


def feature_moments(feature_map, X, Y, rows=None, rows_per_block: int = 2048,
                    workers: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(FᵀF, FᵀY) for F = φ(X[rows]) (all rows when ``rows`` is None), summed over blocks of rows.

    FᵀF = Σ_b F_bᵀF_b: each block's features are made, used while they are in cache and dropped, so the
    memory is p² + rows_per_block·p per worker instead of n·p, and a subset (a training split) is
    gathered block by block instead of copied whole. Blocks run in ``workers`` threads
    (:mod:`constructions.blocks`; the sum does not depend on thread timing). A non-finite feature makes
    a diagonal entry of FᵀF non-finite, which :meth:`RidgeSweep.from_gram` refuses, so no n·p
    finiteness scan is needed.
    """
    X = as_matrix(X, "X")
    Y = _targets(Y, X.shape[0])
    rows = np.arange(X.shape[0]) if rows is None else np.asarray(rows)
    if rows.size == 0:
        raise ValueError("feature_moments needs at least one row")

    def share(blocks):
        gram = moment = 0.0
        for block in blocks:
            chosen = rows[block]
            F = feature_map(X[chosen])
            gram, moment = gram + F.T @ F, moment + F.T @ Y[chosen]
        return gram, moment

    parts = map_blocks(share, row_blocks(rows.size, rows_per_block), workers)
    return sum(part[0] for part in parts), sum(part[1] for part in parts)


def features(feature_map, X, rows_per_block: int = 2048, workers: int | None = None) -> np.ndarray:
    """φ(X) computed in row blocks by ``workers`` threads into one array (same values as φ(X))."""
    X = as_matrix(X, "X")
    blocks = row_blocks(X.shape[0], rows_per_block)
    first = feature_map(X[blocks[0]])
    out = np.empty((X.shape[0], first.shape[1]))
    out[blocks[0]] = first

    def share(chosen):
        for block in chosen:
            out[block] = feature_map(X[block])

    map_blocks(share, blocks[1:], workers)
    return out


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

    def _inverse(self, lam: float) -> np.ndarray:
        """1/(eᵢ + λ), with 0 where eᵢ + λ is below size·eps·max e (a pseudo-inverse for λ = 0)."""
        denominator = self.eigenvalues + require_nonnegative(lam, "λ")
        cutoff = self.eigenvalues.size * np.finfo(float).eps * max(self.eigenvalues.max(), 0.0)
        return np.where(denominator > cutoff, 1.0 / np.where(denominator > cutoff, denominator, 1.0), 0.0)

    def weights(self, lam: float) -> np.ndarray:
        solved = self.eigenvectors @ (self._inverse(lam)[:, None] * self.projected)
        return solved if self.primal else self.F.T @ solved

    def accuracies(self, F, labels, lambdas) -> np.ndarray:
        """Accuracy of W(λ) on (F, labels) for every λ (primal sweeps): F is projected on the
        eigenvectors once and multiplied by the k columns of every λ in one product."""
        if not self.primal:
            raise ValueError("accuracies needs a primal sweep (FᵀF); this one was prepared in the dual form")
        F = as_matrix(F, "features")
        labels = np.asarray(labels)
        if labels.shape != (F.shape[0],):
            raise ValueError(f"labels must have shape ({F.shape[0]},), got {labels.shape}")
        # all λ in one product: (n×p)·(p×(k·|λ|)), then the arg-max within each λ's k columns
        stacked = np.hstack([self._inverse(lam)[:, None] * self.projected for lam in lambdas])
        scores = (F @ self.eigenvectors @ stacked).reshape(F.shape[0], len(lambdas), self.projected.shape[1])
        return np.mean(np.argmax(scores, axis=2) == labels[:, None], axis=0)


def predict(F, W) -> np.ndarray:
    return as_matrix(F, "features") @ np.asarray(W, dtype=float)


def accuracy(F, labels, W) -> float:
    """Fraction of rows whose arg-max prediction equals the integer label."""
    labels = np.asarray(labels)
    scores = predict(F, W)
    if labels.shape != (scores.shape[0],):
        raise ValueError(f"labels must have shape ({scores.shape[0]},), got {labels.shape}")
    return float(np.mean(np.argmax(scores, axis=1) == labels))
