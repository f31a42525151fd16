"""Strategies and error measures shared by the Chen, Huang & Weng theorem modules (rows are examples;
see :mod:`constructions.krr_distill` for the mapping to the paper's column convention)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from theorems.strategies import BOUNDED, conditioned_matrix
from theorems.tolerances import normal_equation_error_bound, recovery_tolerance

SOURCE = "Chen, Huang & Weng, Provable and Efficient Dataset Distillation for Kernel Ridge Regression (NeurIPS 2024)"
CONVENTIONS = ("rows are examples (the paper's X, Y, φ(X), W, D are our Xᵀ, Yᵀ, Fᵀ, Wᵀ, Gᵀ); ridge λ absolute; "
               "labels one-hot and uncentred unless stated; W ∈ ℝ^{p×k}")


@st.composite
def operator_problem(draw, extra=(0, 3), max_p: int = 9, max_k: int = 4):
    """(W p×k, Y_S m×k of rank k, Z p×m) with m = k + extra, p ≥ m, κ(W), κ(Y_S) ≤ 100."""
    k = draw(st.integers(min_value=2, max_value=max_k))
    m = k + draw(st.integers(min_value=extra[0], max_value=extra[1]))
    p = draw(st.integers(min_value=m, max_value=max(max_p, m)))
    W = draw(conditioned_matrix(p, k, 1e2))
    Y_S = draw(conditioned_matrix(m, k, 1e2))
    Z = draw(arrays(np.float64, (p, m), elements=BOUNDED))
    return W, Y_S, Z


def condition(matrix: np.ndarray) -> float:
    """σ_max/σ_min over the numerically nonzero singular values."""
    singular = np.linalg.svd(matrix, compute_uv=False)
    singular = singular[singular > singular[0] * max(matrix.shape) * np.finfo(float).eps] if singular[0] > 0 else singular
    return float(singular[0] / singular[-1]) if singular.size else 1.0


def recovery_ratio(W, W_s, F_S, G, Y_S, lam_s: float = 0.0) -> float:
    """‖W_S − W‖ divided by its rounding bound (≤ 1: equal).

    Three sources: forming G = W·Y_S⁺ (the pseudo-inverse is perturbed by about κ(Y_S)·u relative),
    building F_S from G and retraining on it (κ(F_S)·u) — together ``recovery_tolerance`` with
    condition κ(F_S) + κ(Y_S): 10·size·(κ(F_S) + κ(Y_S))·u·‖G‖‖Y_S‖/‖W‖, relative — and retraining with ridge λ_S, whose normal equations are perturbed by rounding of
    FᵀF and FᵀY (``normal_equation_error_bound`` with λ_min(F_SᵀF_S + λ_S I), which is λ_S when F_S
    is rank-deficient). For λ_S = 0 the retraining is a pseudo-inverse and only the first applies.
    """
    amplification = np.linalg.norm(G, 2) * np.linalg.norm(Y_S, 2) / max(np.linalg.norm(W, 2), np.finfo(float).tiny)
    tol = recovery_tolerance(condition(F_S) + condition(Y_S), amplification, max(F_S.shape)) * np.linalg.norm(W)
    if lam_s > 0:
        gram = F_S.T @ F_S if F_S.shape[1] <= F_S.shape[0] else F_S @ F_S.T
        smallest = np.linalg.eigvalsh(gram)[0] + lam_s
        tol += normal_equation_error_bound(np.linalg.norm(F_S, 2), np.linalg.norm(Y_S), np.linalg.norm(W), smallest,
                                           max(F_S.shape))
    return float(np.linalg.norm(np.asarray(W_s) - W)) / tol
