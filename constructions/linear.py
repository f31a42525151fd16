"""Linear regression: distillation to rank(X) ≤ d points (Izzo & Zou, Theorem 3), and the solvers
the checks compare with.

Conventions
-----------
* Rows of ``X`` (n × d) are examples; ``y`` has n entries.
* Loss is the *unnormalised* squared loss  L(θ) = Σᵢ (θᵀxᵢ − yᵢ)² + R(θ)  with a data-independent
  regulariser R. Ridge is R(θ) = λ‖θ‖² with λ absolute (not scaled by n or by tr XᵀX).
* For the *normalised* loss (1/n)Σᵢ(θᵀxᵢ − yᵢ)² + R(θ) on the data and (1/m)Σⱼ on the m distilled
  points, the distilled set must be multiplied by √(m/n): then (1/m)X̃ᵀX̃ = (1/n)XᵀX and
  (1/m)X̃ᵀỹ = (1/n)Xᵀy. ``distill_linear_regression(..., normalised=True)`` does this.

The construction: with the thin SVD X = U Σ Vᵀ truncated to its numerical rank r,
x̃ᵢ = σᵢ vᵢ and ỹᵢ = σᵢ⁻¹ vᵢᵀXᵀy = x̃ᵢᵀθ₀ (θ₀ the minimum-norm least-squares fit), so that

    X̃ᵀX̃ = V_r Σ_r² V_rᵀ = XᵀX   and   X̃ᵀỹ = V_r V_rᵀ Xᵀy = Xᵀy.

Any pair (X̃, ỹ) with these two identities has the same loss as (X, y) up to the constant
yᵀy − ỹᵀỹ, hence the same minimiser for every R and after appending any extra data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from constructions.validation import as_matrix, as_vector, require_nonnegative


@dataclass(frozen=True)
class LinearDistillation:
    """A distilled regression set of ``rank`` points and what it preserves."""

    X: np.ndarray
    y: np.ndarray
    rank: int
    dimension: int
    normalised: bool
    note: str


def numerical_rank(singular_values: np.ndarray, shape: tuple[int, int]) -> int:
    """Rank with numpy's default threshold σ₁·max(n, d)·eps (singular values sorted descending)."""
    if singular_values.size == 0 or singular_values[0] == 0:
        return 0
    threshold = singular_values[0] * max(shape) * np.finfo(float).eps
    return int(np.sum(singular_values > threshold))


def distill_linear_regression(X, y, *, normalised: bool = False) -> LinearDistillation:
    """Distil (X, y) to rank(X) points with X̃ᵀX̃ = XᵀX and X̃ᵀỹ = Xᵀy (see the module docstring).

    With ``normalised=True`` both sides are scaled by √(r/n) for the loss averaged over points.
    When X is rank-deficient (r < d) only r points are returned and the note says so.
    """
    X = as_matrix(X, "X")
    y = as_vector(y, "y", length=X.shape[0])
    with np.errstate(over="ignore"):  # trace(XᵀX) bounds every entry of XᵀX and σ_max²
        if not (np.isfinite(np.einsum("ij,ij->", X, X)) and np.isfinite(X.T @ y).all()):
            raise ValueError("XᵀX or Xᵀy overflows float64 (the distilled points must reproduce both); rescale X and y")
    _, singular, vt = np.linalg.svd(X, full_matrices=False)
    rank = numerical_rank(singular, X.shape)
    if rank == 0:
        raise ValueError("X is zero (rank 0): there is nothing to distil")
    sigma, v = singular[:rank], vt[:rank]
    X_tilde = sigma[:, None] * v
    y_tilde = (v @ (X.T @ y)) / sigma
    note = f"full rank: {rank} points" if rank == X.shape[1] else (
        f"X has rank {rank} < d = {X.shape[1]}: returned {rank} points with the same XᵀX and Xᵀy")
    if normalised:
        scale = np.sqrt(rank / X.shape[0])
        X_tilde, y_tilde = scale * X_tilde, scale * y_tilde
    return LinearDistillation(X_tilde, y_tilde, rank, X.shape[1], normalised, note)


def ridge_path(X, y, lambdas) -> np.ndarray:
    """Ridge solutions argmin ‖Xθ − y‖² + λ‖θ‖² for every λ (rows), from one eigendecomposition of XᵀX.

    For λ = 0 the minimum-norm least-squares solution is returned (eigenvalues below
    d·eps·λ_max are treated as zero).
    """
    X = as_matrix(X, "X")
    y = as_vector(y, "y", length=X.shape[0])
    lambdas = np.atleast_1d(np.asarray(lambdas, dtype=float))
    if lambdas.ndim != 1:
        raise ValueError(f"lambdas must be a number or a flat sequence of numbers, got shape {lambdas.shape}")
    for lam in lambdas:
        require_nonnegative(lam, "λ")
    eigenvalues, eigenvectors = np.linalg.eigh(X.T @ X)
    projected = eigenvectors.T @ (X.T @ y)
    cutoff = X.shape[1] * np.finfo(float).eps * max(eigenvalues.max(), 0.0)
    path = []
    for lam in lambdas:
        denominator = eigenvalues + lam
        safe = denominator > cutoff
        coefficients = np.where(safe, projected / np.where(safe, denominator, 1.0), 0.0)
        path.append(eigenvectors @ coefficients)
    return np.array(path)


def elastic_net(X, y, l1: float, l2: float, *, tol: float = 1e-13, max_sweeps: int = 20000) -> np.ndarray:
    """argmin ‖Xθ − y‖² + l1·‖θ‖₁ + l2·‖θ‖² by cyclic coordinate descent (l2 = 0: the lasso).

    Stops when the minimum-norm subgradient (:func:`elastic_net_subgradient`) is below
    ``tol·(‖Xᵀy‖ + 1)``. The solver sees only the data it is given.
    """
    X = as_matrix(X, "X")
    y = as_vector(y, "y", length=X.shape[0])
    l1, l2 = require_nonnegative(l1, "l1"), require_nonnegative(l2, "l2")
    gram, moment = X.T @ X, X.T @ y
    theta = np.zeros(X.shape[1])
    target = tol * (np.linalg.norm(moment) + 1.0)
    for _ in range(max_sweeps):
        for j in range(theta.size):
            curvature = gram[j, j] + l2
            if curvature <= 0:
                theta[j] = 0.0
                continue
            partial = moment[j] - gram[j] @ theta + gram[j, j] * theta[j]
            theta[j] = np.sign(partial) * max(abs(partial) - l1 / 2, 0.0) / curvature
        if np.linalg.norm(elastic_net_subgradient(gram, moment, theta, l1, l2)) <= target:
            break
    return theta


def elastic_net_subgradient(gram, moment, theta, l1: float, l2: float) -> np.ndarray:
    """The minimum-norm element of ∂F(θ) for F(θ) = θᵀGθ − 2cᵀθ + l1‖θ‖₁ + l2‖θ‖².

    For a μ-strongly convex F (μ = 2(λ_min(G) + l2)) every θ satisfies ‖θ − θ*‖ ≤ ‖s‖/μ with s
    this subgradient: it certifies how far a numerical solution is from the exact minimiser.
    """
    smooth = 2 * (gram @ theta - moment) + 2 * l2 * theta
    at_zero = theta == 0
    on = smooth + l1 * np.sign(theta)
    off = np.sign(smooth) * np.maximum(np.abs(smooth) - l1, 0.0)
    return np.where(at_zero, off, on)
