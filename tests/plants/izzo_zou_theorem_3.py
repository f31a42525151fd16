"""Planted failures for izzo-zou/theorem-3."""

import numpy as np

from constructions.linear import LinearDistillation, RidgePath, distill_linear_regression, elastic_net, ridge_path
from theorems.izzo_zou.theorem_3 import active_set_reference, kkt_tolerance, squared_loss

from tests.plants import Plant


def scaled_labels(X, y, normalised=False):
    """Labels off by 0.1 %: X̃ᵀỹ ≠ Xᵀy."""
    good = distill_linear_regression(X, y, normalised=normalised)
    return LinearDistillation(good.X, good.y * 1.001 + 1e-3, good.rank, good.dimension, normalised, good.note)


def stretched_points(X, y, normalised=False):
    """Points stretched by 1 %: X̃ᵀX̃ ≠ XᵀX."""
    good = distill_linear_regression(X, y, normalised=normalised)
    return LinearDistillation(good.X * 1.01, good.y, good.rank, good.dimension, normalised, good.note)


def one_point_too_many(X, y, normalised=False):
    """A zero row appended: the point count no longer equals rank(X)."""
    good = distill_linear_regression(X, y, normalised=normalised)
    return LinearDistillation(np.vstack([good.X, np.zeros(good.X.shape[1])]), np.append(good.y, 0.0),
                              good.rank, good.dimension, normalised, good.note)


def ignores_normalisation(X, y, normalised=False):
    """Forgets the √(m/n) rescaling for the averaged loss."""
    return distill_linear_regression(X, y, normalised=False)


def paper_label_formula(X, y, normalised=False):
    """ỹᵢ = σᵢ⁻¹vᵢᵀXᵀy computed literally (forms Xᵀy): exact in exact arithmetic, κ(X)·u-accurate in floats."""
    good = distill_linear_regression(X, y, normalised=normalised)
    _, singular, vt = np.linalg.svd(X, full_matrices=False)
    labels = (vt[:good.rank] @ (X.T @ y)) / singular[:good.rank]
    return LinearDistillation(good.X, labels, good.rank, good.dimension, normalised, good.note)


def min_dimension_threshold(X, y, normalised=False):
    """The SVD construction with rank threshold min(n, d)·eps·σ₁ instead of numpy's max(n, d)·eps·σ₁."""
    u, singular, vt = np.linalg.svd(X, full_matrices=False)
    rank = int(np.sum(singular > min(X.shape) * np.finfo(float).eps * singular[0]))
    return LinearDistillation(singular[:rank, None] * vt[:rank], u[:, :rank].T @ y, rank, X.shape[1], normalised,
                              "planted")


def zero_path(X, y, lambdas, rcond=None):
    """A ridge solver that returns θ = 0 and reports full rank."""
    path = ridge_path(X, y, lambdas)
    return RidgePath(path.lambdas, np.zeros_like(path.coefficients), path.rank, path.dropped)


def doubled_penalty(X, y, lambdas, rcond=None):
    """A ridge solver that solves with 2λ."""
    return ridge_path(X, y, 2 * np.asarray(lambdas, dtype=float))


def untruncated_path(X, y, lambdas, rcond=None):
    """A ridge solver that keeps every nonzero singular value at λ = 0 (rcond = 0)."""
    return ridge_path(X, y, lambdas, rcond=0.0)


def min_dimension_path(X, y, lambdas, rcond=None):
    """A ridge solver whose rank threshold is min(n, d)·eps·σ₁."""
    return ridge_path(X, y, lambdas, rcond=min(np.shape(X)) * np.finfo(float).eps)


def normal_equation_path(X, y, lambdas, rcond=None):
    """The earlier solver: one eigendecomposition of XᵀX, eigenvalues below d·eps·λ_max dropped at λ = 0."""
    eigenvalues, eigenvectors = np.linalg.eigh(X.T @ X)
    projected = eigenvectors.T @ (X.T @ y)
    cutoff = X.shape[1] * np.finfo(float).eps * eigenvalues.max()
    rows = [eigenvectors @ np.where(eigenvalues + lam > cutoff, projected / np.maximum(eigenvalues + lam, cutoff), 0.0)
            for lam in lambdas]
    good = ridge_path(X, y, lambdas)
    return RidgePath(good.lambdas, np.array(rows), good.rank, good.dropped)


def zero_elastic_net(X, y, l1, l2, tol=1e-13, max_sweeps=20000):
    """An elastic-net solver that returns θ = 0."""
    return np.zeros(np.shape(X)[1])


def loose_elastic_net(X, y, l1, l2, tol=1e-13, max_sweeps=20000):
    """Coordinate descent stopped at a relative subgradient of 1 (about one sweep)."""
    return elastic_net(X, y, l1, l2, tol=1.0)


def elastic_net_off_by_ten_tolerances(X, y, l1, l2, tol=1e-13, max_sweeps=20000):
    """The exact minimiser moved by 10·τ/μ along every coordinate direction's sum (τ the check's tolerance)."""
    exact = active_set_reference(X, y, l1, l2)
    mu = 2 * (np.linalg.svd(X, compute_uv=False)[-1] ** 2 + l2)
    direction = np.ones_like(exact) / np.sqrt(exact.size)
    return exact + 10 * kkt_tolerance(X, y, exact, l2) / mu * direction


def data_dependent_loss(X, y, theta):
    """A loss with a θ-and-data cross term: not the squared loss the theorem is about."""
    return squared_loss(X, y, theta) + theta[0] * y[0]


def factor_without_pivots(gram):
    """Lᵀ without the D^{1/2} scaling: X̃ᵀX̃ = L Lᵀ ≠ G."""
    lower, _ = gram.LDLdecomposition(hermitian=False)
    return lower.T


PLANTS = {
    "izzo-zou/theorem-3::objective-identity": [Plant("data-dependent loss term", {"loss": data_dependent_loss})],
    "izzo-zou/theorem-3::exact-certificate": [Plant("LDLᵀ factor without D", {"factor": factor_without_pivots})],
    "izzo-zou/theorem-3::ridge-path": [Plant("labels off by 0.1%", {"distill": scaled_labels}),
                                       Plant("points stretched by 1%", {"distill": stretched_points}),
                                       Plant("solver returns zeros", {"solver": zero_path}),
                                       Plant("solver doubles λ", {"solver": doubled_penalty})],
    "izzo-zou/theorem-3::elastic-net": [Plant("labels off by 0.1%", {"distill": scaled_labels}),
                                        Plant("solver returns zeros", {"solver": zero_elastic_net}),
                                        Plant("solver stops after about one sweep", {"solver": loose_elastic_net}),
                                        Plant("solution off by 10× the tolerance",
                                              {"solver": elastic_net_off_by_ten_tolerances})],
    "izzo-zou/theorem-3::added-data": [Plant("points stretched by 1%", {"distill": stretched_points})],
    "izzo-zou/theorem-3::rank-deficient": [Plant("one point too many", {"distill": one_point_too_many}),
                                           Plant("labels off by 0.1%", {"distill": scaled_labels}),
                                           Plant("solver keeps every singular value", {"solver": untruncated_path})],
    "izzo-zou/theorem-3::rank-threshold": [Plant("threshold min(n, d)·eps·σ₁", {"distill": min_dimension_threshold}),
                                           Plant("solver threshold min(n, d)·eps·σ₁", {"solver": min_dimension_path})],
    "izzo-zou/theorem-3::normalised-loss": [Plant("no √(m/n) rescaling", {"distill": ignores_normalisation})],
    "izzo-zou/theorem-3::fewer-points": [Plant("claim that d points cannot work either", {"points_short": 0})],
    "izzo-zou/theorem-3::longley": [Plant("labels off by 0.1%", {"distill": scaled_labels}),
                                    Plant("the paper's label formula σ⁻¹vᵀXᵀy", {"distill": paper_label_formula}),
                                    Plant("OLS from the eigendecomposition of XᵀX", {"solver": normal_equation_path})],
}


def misreports_normalisation(X, y, normalised=False):
    """The right points for the averaged loss, reported with normalised=False."""
    good = distill_linear_regression(X, y, normalised=normalised)
    return LinearDistillation(good.X, good.y, good.rank, good.dimension, False, good.note)


PLANTS["izzo-zou/theorem-3::normalised-loss"].append(Plant("normalised flag misreported", {"distill": misreports_normalisation}))
