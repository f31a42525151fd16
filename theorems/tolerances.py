"""Tolerances derived from the problem, never tuned to make a run pass.

For a backward-stable solve of a system with 2-norm condition number κ in a floating type with
unit round-off u, the relative forward error is bounded by a modest multiple of κ·u (Higham,
*Accuracy and Stability of Numerical Algorithms*, ch. 7). We use

    tol = safety · κ · u,   safety = 10 · n

where n is the dimension of the system: the factor n covers the growth of rounding in the inner
products of an n-dimensional factorisation, and 10 the few extra operations (forming XᵀX, the
SVD, a second solve) between the data and the quantity compared.
"""

from __future__ import annotations

import numpy as np


def unit_roundoff(dtype=np.float64) -> float:
    return float(np.finfo(dtype).eps) / 2


def condition_number(matrix: np.ndarray) -> float:
    """2-norm condition number σ_max/σ_min (inf when singular)."""
    singular = np.linalg.svd(np.asarray(matrix, dtype=float), compute_uv=False)
    return float(singular[0] / singular[-1]) if singular[-1] > 0 else float("inf")


def solve_tolerance(condition: float, dimension: int, dtype=np.float64) -> float:
    """Relative tolerance ``10·n·κ·u`` for comparing two solutions of the same linear system."""
    return 10.0 * max(dimension, 1) * condition * unit_roundoff(dtype)


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """‖a − b‖ / max(‖b‖, tiny): the relative distance of a from the reference b."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = max(float(np.linalg.norm(b)), np.finfo(float).tiny)
    return float(np.linalg.norm(a - b)) / scale


def normal_equation_error_bound(X_norm: float, y_norm: float, theta_norm: float, smallest_eigenvalue: float,
                                size: int, dtype=np.float64) -> float:
    """Bound on ‖θ₁ − θ₂‖ for two float solutions of (XᵀX + λI)θ = Xᵀy built from data that agree
    in XᵀX and Xᵀy up to rounding.

    Forming XᵀX and Xᵀy perturbs them by at most γ·‖X‖² and γ·‖X‖‖y‖ with γ ≈ size·u (size the
    longest inner product); the perturbation bound for (G + λI)θ = c gives
    ‖δθ‖ ≤ (‖δG‖‖θ‖ + ‖δc‖)/λ_min(G + λI). We take γ = 10·size·u for the two computations compared.
    """
    if smallest_eigenvalue <= 0:
        return float("inf")
    gamma = 10.0 * max(size, 1) * unit_roundoff(dtype)
    return gamma * (X_norm**2 * theta_norm + X_norm * y_norm) / smallest_eigenvalue


def recovery_tolerance(condition: float, amplification: float, size: int, dtype=np.float64) -> float:
    """Relative tolerance for a model rebuilt from distilled features (Chen, Huang & Weng).

    The features F_S come from an SVD of the operator G (backward error ≈ size·u), and retraining
    G_λ(F_S) = F_S⁺ (or its ridge form) amplifies a relative perturbation of F_S by at most κ(F_S);
    multiplying by Y_S turns an operator error into a model error amplified by ‖G‖‖Y_S‖/‖W‖.
    Hence ``10·size·κ·u·amplification`` (the 10 covers the few operations in between).
    """
    return 10.0 * max(size, 1) * max(condition, 1.0) * unit_roundoff(dtype) * max(amplification, 1.0)
