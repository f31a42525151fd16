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
* Numerical rank: singular values σᵢ ≤ rcond·σ₁ count as zero, with numpy's default
  rcond = max(n, d)·eps (``ridge_path`` takes another as an argument).

The construction: with the thin SVD X = U Σ Vᵀ truncated to its numerical rank r,
x̃ᵢ = σᵢ vᵢ and ỹᵢ = uᵢᵀy, so that

    X̃ᵀX̃ = V_r Σ_r² V_rᵀ = XᵀX   and   X̃ᵀỹ = V_r Σ_r U_rᵀ y = Xᵀy.

In exact arithmetic uᵢᵀy = σᵢ⁻¹vᵢᵀXᵀy = x̃ᵢᵀθ₀ (θ₀ the minimum-norm least-squares fit), the form the
paper writes. Computing it as uᵢᵀy never forms Xᵀy, whose rounding error u‖X‖‖y‖ the division
by σᵢ would amplify by up to κ(X): on Longley (κ ≈ 5·10⁹) the paper's form is 3·10⁻⁷ off in
the distilled OLS fit, uᵢᵀy 1.2·10⁻¹¹ (as good as OLS on the data).

Any pair (X̃, ỹ) with the two identities has the same loss as (X, y) up to the constant
yᵀy − ỹᵀỹ, hence the same minimiser for every R and after appending any extra data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from constructions.validation import as_matrix, as_vector, require_nonnegative, require_positive_int


@dataclass(frozen=True)
class LinearDistillation:
    """A distilled regression set of ``rank`` points in ``dimension`` = d features and what it preserves."""

    X: np.ndarray
    y: np.ndarray
    rank: int
    dimension: int
    normalised: bool
    note: str


@dataclass(frozen=True)
class RidgePath:
    """Ridge solutions θ(λ), one row of ``coefficients`` per λ.

    ``rank`` is the numerical rank of X at ``rcond``; at λ = 0 the ``dropped`` = min(n, d) − rank
    smallest singular values were treated as zero (the minimum-norm least-squares solution of
    the truncated X). ``dropped > 0`` means the truncation changed the λ = 0 answer.
    """

    lambdas: np.ndarray
    coefficients: np.ndarray
    rank: int
    dropped: int


def default_rcond(shape: tuple[int, int]) -> float:
    """numpy's default relative rank threshold max(n, d)·eps."""
    return max(shape) * float(np.finfo(float).eps)


def require_rcond(rcond: float | None, shape: tuple[int, int]) -> float:
    """``rcond``, or the default for ``shape`` when None; a ValueError unless 0 ≤ rcond < 1."""
    if rcond is None:
        return default_rcond(shape)
    rcond = float(rcond)
    if not (0.0 <= rcond < 1.0):
        raise ValueError(f"rcond must be a number in [0, 1), got {rcond}")
    return rcond


def numerical_rank(singular_values: np.ndarray, rcond: float) -> int:
    """Number of singular values (sorted descending) above rcond·σ₁; 0 for a zero matrix."""
    if singular_values.size == 0 or singular_values[0] == 0:
        return 0
    return int(np.sum(singular_values > rcond * singular_values[0]))


def distill_linear_regression(X, y, *, normalised: bool = False) -> LinearDistillation:
    """Distil (X, y) to rank(X) points with X̃ᵀX̃ = XᵀX and X̃ᵀỹ = Xᵀy (see the module docstring).

    With ``normalised=True`` both sides are scaled by √(r/n) for the loss averaged over points.
    When X is rank-deficient (r < d) only r points are returned and the note says so; the
    rank threshold is numpy's max(n, d)·eps·σ₁.
    """
    X = as_matrix(X, "X")
    y = as_vector(y, "y", length=X.shape[0])
    with np.errstate(over="ignore"):  # trace(XᵀX) bounds every entry of XᵀX and σ_max²
        if not (np.isfinite(np.einsum("ij,ij->", X, X)) and np.isfinite(X.T @ y).all()):
            raise ValueError("XᵀX or Xᵀy overflows float64 (the distilled points must reproduce both); rescale X and y")
    u, singular, vt = np.linalg.svd(X, full_matrices=False)
    rank = numerical_rank(singular, default_rcond(X.shape))
    if rank == 0:
        raise ValueError("X is zero (rank 0): there is nothing to distil")
    sigma = singular[:rank]
    X_tilde = sigma[:, None] * vt[:rank]
    y_tilde = u[:, :rank].T @ y
    note = f"full rank: {rank} points" if rank == X.shape[1] else (
        f"X has rank {rank} < d = {X.shape[1]}: returned {rank} points with the same XᵀX and Xᵀy")
    if normalised:
        scale = np.sqrt(rank / X.shape[0])
        X_tilde, y_tilde = scale * X_tilde, scale * y_tilde
    return LinearDistillation(X_tilde, y_tilde, rank, X.shape[1], normalised, note)


def ridge_path(X, y, lambdas, *, rcond: float | None = None) -> RidgePath:
    """Ridge solutions argmin ‖Xθ − y‖² + λ‖θ‖² for every λ, from one thin SVD X = U Σ Vᵀ:

        θ(λ) = Σᵢ σᵢ/(σᵢ² + λ) · (uᵢᵀy) vᵢ            (λ > 0: every singular value, no truncation),
        θ(0) = Σ_{σᵢ > rcond·σ₁} σᵢ⁻¹ · (uᵢᵀy) vᵢ     (the minimum-norm least-squares solution).

    Working on X rather than XᵀX keeps λ = 0 at κ(X)·u where the normal equations give κ(X)²·u;
    ``rank`` and ``dropped`` of the result report the truncation at λ = 0.
    """
    X = as_matrix(X, "X")
    y = as_vector(y, "y", length=X.shape[0])
    lambdas = np.atleast_1d(np.asarray(lambdas, dtype=float))
    if lambdas.ndim != 1:
        raise ValueError(f"lambdas must be a number or a flat sequence of numbers, got shape {lambdas.shape}")
    for lam in lambdas:
        require_nonnegative(lam, "λ")
    rcond = require_rcond(rcond, X.shape)
    u, singular, vt = np.linalg.svd(X, full_matrices=False)
    rank = numerical_rank(singular, rcond)
    projected = u.T @ y
    inverse = np.zeros_like(singular)
    inverse[:rank] = 1.0 / singular[:rank]
    path = [vt.T @ ((singular / (singular**2 + lam) if lam > 0 else inverse) * projected) for lam in lambdas]
    return RidgePath(lambdas, np.array(path), rank, singular.size - rank)


class ConvergenceError(RuntimeError):
    """An iterative solver stopped at its iteration limit before meeting its tolerance."""


def elastic_net(X, y, l1: float, l2: float, *, tol: float = 1e-13, max_sweeps: int = 20000) -> np.ndarray:
    """argmin ‖Xθ − y‖² + l1·‖θ‖₁ + l2·‖θ‖² by cyclic coordinate descent (l2 = 0: the lasso).

    With G = XᵀX and c = Xᵀy, coordinate j is set to soft(c_j − Σ_{k≠j} G_jk θ_k, l1/2)/(G_jj + l2).
    Stops when the minimum-norm subgradient s (:func:`elastic_net_subgradient`) has
    ‖s‖ ≤ tol·2(‖G‖₂‖θ‖ + ‖c‖), the scale of the gradient's terms; raises
    :class:`ConvergenceError` when ``max_sweeps`` sweeps do not get there.
    """
    X = as_matrix(X, "X")
    y = as_vector(y, "y", length=X.shape[0])
    l1, l2 = require_nonnegative(l1, "l1"), require_nonnegative(l2, "l2")
    if not (np.isfinite(tol) and tol > 0):
        raise ValueError(f"tol must be a finite number > 0, got {tol}")
    max_sweeps = require_positive_int(max_sweeps, "max_sweeps")
    gram, moment = X.T @ X, X.T @ y
    gram_norm, moment_norm = np.linalg.norm(gram, 2), np.linalg.norm(moment)
    theta = np.zeros(X.shape[1])
    for _ in range(max_sweeps):
        for j in range(theta.size):
            curvature = gram[j, j] + l2
            if curvature <= 0:  # a zero column without ridge: θⱼ does not enter the loss
                theta[j] = 0.0
                continue
            partial = moment[j] - gram[j] @ theta + gram[j, j] * theta[j]
            theta[j] = np.sign(partial) * max(abs(partial) - l1 / 2, 0.0) / curvature
        residual = np.linalg.norm(elastic_net_subgradient(gram, moment, theta, l1, l2))
        if residual <= tol * 2 * (gram_norm * np.linalg.norm(theta) + moment_norm):
            return theta
    raise ConvergenceError(f"elastic_net: subgradient {residual:.3g} after {max_sweeps} sweeps exceeds tol = {tol:g} "
                           "relative to 2(‖XᵀX‖‖θ‖ + ‖Xᵀy‖)")


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
