"""Strategies and error measures shared by the Chen, Huang & Weng theorem modules (rows are examples;
see :mod:`constructions.krr_distill` for the mapping to the paper's column convention)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from theorems.domains import Domain, integers, interval, parametric, sampled, tuples
from theorems.strategies import BOUNDED, conditioned_matrix, with_condition
from theorems.tolerances import recovery_tolerance

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


#: The scales ``conditioned_matrix`` draws, the two ends first (a grid's corners take the first two).
SCALES = [1e-2, 1e2, 1.0]


def operator_parameters(extra=(0, 3), max_k: int = 4) -> list[Domain]:
    """The parameter axes of :func:`operator_problem`: k, m − k, where p lies in [m, max_p] (a fraction),
    κ(W) and its scale, κ(Y_S) and its scale — each at its ends (κ = 100 included) and one interior value."""
    kappa = interval(1.0, 1e2, points=3, log=True)
    return [integers(2, max_k), integers(*extra), interval(0.0, 1.0, points=3), kappa, sampled(SCALES),
            kappa, sampled(SCALES)]


def build_operator(params, rng: np.random.Generator, max_p: int = 9):
    """(W, Y_S, Z) of :func:`operator_problem` from its parameters (the first seven entries of ``params``,
    see :func:`operator_parameters`) with the free entries drawn from ``rng`` as the strategy draws them."""
    k, extra, p_fraction, kappa_w, scale_w, kappa_y, scale_y = params[:7]
    m = k + extra
    p = m + int(round(p_fraction * (max(max_p, m) - m)))

    def conditioned(rows, cols, kappa, scale):  # conditioned_matrix's construction, entries from rng
        return with_condition(rng.uniform(-1.0, 1.0, (rows, cols)) + 1e-3 * np.eye(rows, cols), kappa, None, scale)

    return conditioned(p, k, kappa_w, scale_w), conditioned(m, k, kappa_y, scale_y), rng.uniform(-1.0, 1.0, (p, m))


def operator_domain(extra=(0, 3), max_p: int = 9, max_k: int = 4) -> Domain:
    """The domain of :func:`operator_problem`: its grid spans k, m − k, p, κ(W), κ(Y_S) and their scales."""
    return parametric(operator_problem(extra, max_p, max_k), tuples(*operator_parameters(extra, max_k)),
                      lambda params, rng: build_operator(params, rng, max_p),
                      description=f"(W, Y_S, Z): 2 ≤ k ≤ {max_k}, m − k ∈ {list(extra)}, m ≤ p ≤ {max_p}, κ ≤ 100")


def classes_and_width_domain(example, max_d: int, description: str) -> Domain:
    """Examples ``example(k, d, seed)`` for k ∈ {2, 3} classes and input width k ≤ d ≤ ``max_d``: the
    grid takes both k, d at its ends and middle (as a fraction of [k, max_d]); the seed is drawn."""

    @st.composite
    def problem(draw):
        k = draw(st.integers(2, 3))
        return example(k, draw(st.integers(k, max_d)), draw(st.integers(0, 2**32 - 1)))

    def build(params, rng):
        k, d_fraction = params
        return example(k, k + int(round(d_fraction * (max_d - k))), int(rng.integers(0, 2**32 - 1)))

    return parametric(problem(), tuples(integers(2, 3), interval(0.0, 1.0, points=3)), build, description=description)


def condition(matrix: np.ndarray) -> float:
    """σ_max/σ_min over the numerically nonzero singular values."""
    singular = np.linalg.svd(matrix, compute_uv=False)
    singular = singular[singular > singular[0] * max(matrix.shape) * np.finfo(float).eps] if singular[0] > 0 else singular
    return float(singular[0] / singular[-1]) if singular.size else 1.0


def retrain(F_S, Y_S, lam_s: float) -> tuple[np.ndarray, np.ndarray]:
    """(W_S, G_{λS}(F_S)) from the SVD F_S = U diag(s) Vᵀ: G = V diag(s/(s² + λ_S)) Uᵀ (1/s for λ_S = 0,
    numerically zero s dropped) — a second method, independent of the normal equations ``fit_ridge_full_lambda`` uses."""
    U, s, Vt = np.linalg.svd(F_S, full_matrices=False)
    keep = s > s[0] * max(F_S.shape) * np.finfo(float).eps if s.size and s[0] > 0 else s > 0
    G = (Vt[keep].T * (s[keep] / (s[keep] ** 2 + lam_s))) @ U[:, keep].T
    return G @ Y_S, G


def recovery_ratio(W, W_s, F_S, G, Y_S) -> float:
    """‖W_S − W‖ divided by its rounding bound (≤ 1: equal), for W_S retrained by ``retrain`` (the SVD).

    Two sources: forming G = W·Y_S⁺ (the pseudo-inverse is perturbed by about κ(Y_S)·u relative), and
    building F_S from G and retraining on it through the SVD (singular values perturbed by size·u·‖F_S‖,
    i.e. κ(F_S)·u relative; s ↦ s/(s² + λ_S) has relative sensitivity at most 1, so λ_S adds nothing).
    Together ``recovery_tolerance`` with condition κ(F_S) + κ(Y_S): 10·size·(κ(F_S) + κ(Y_S))·u·‖G‖‖Y_S‖/‖W‖,
    relative.
    """
    amplification = np.linalg.norm(G, 2) * np.linalg.norm(Y_S, 2) / max(np.linalg.norm(W, 2), np.finfo(float).tiny)
    tol = recovery_tolerance(condition(F_S) + condition(Y_S), amplification, max(F_S.shape)) * np.linalg.norm(W)
    return float(np.linalg.norm(np.asarray(W_s) - W)) / tol
