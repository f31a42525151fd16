"""Discrepancies between weighted empirical measures: MMD, energy distance, Wasserstein.

A condensed set S = {(x̃ⱼ, bⱼ)} and the data T = {(xᵢ, aᵢ)} are both *weighted empirical measures*
Σ aᵢ δ_{xᵢ}: rows of a float64 matrix are points, weights are non-negative and sum to one
(uniform when omitted). Every function here accepts arrays (plus optional weights) or a
:class:`WeightedMeasure`.

Maximum mean discrepancy, kernel k with RKHS H (biased = V-statistic, the MMD between the two
empirical measures themselves):

    MMD²_b(T, S) = aᵀK_TT a − 2 aᵀK_TS b + bᵀK_SS b = ‖μ_T − μ_S‖²_H,   μ_P = Σ pᵢ k(xᵢ, ·).

The unbiased estimator drops the diagonals and renormalises: the T–T term becomes
Σ_{i≠j} aᵢaⱼkᵢⱼ / (1 − Σ aᵢ²) (with uniform weights, the usual 1/(n(n−1)) Σ_{i≠j}); likewise for S.

Kernels (:data:`KERNELS`): linear xᵀy; Gaussian exp(−‖x−y‖²/(2σ²)); Laplacian exp(−‖x−y‖₂/σ)
(Euclidean norm, the Matérn-½ kernel); polynomial (γ xᵀy + c)^p. The Gaussian bandwidth from
:func:`median_bandwidth` is the median pairwise Euclidean distance (the median heuristic).

The witness function f* = μ_T − μ_S satisfies ‖f*‖_H = MMD_b and E_T f* − E_S f* = MMD_b².

Energy distance: 2E‖X−Y‖ − E‖X−X'‖ − E‖Y−Y'‖ (V-statistic with the weights).

Wasserstein W_p (Euclidean ground distance ‖x−y‖₂, cost ‖x−y‖^p): exact by POT's network
simplex (:func:`ot.emd`); :func:`wasserstein_1d` is the closed form ∫₀¹ |F⁻¹_T(t) − F⁻¹_S(t)|^p dt;
the sliced distance averages W_p^p of one-dimensional projections on seeded random directions.

Cost: kernel sums are accumulated in row blocks, so memory is O(block · m) and no n×n matrix is
held; :class:`MMDTarget` computes the data–data term once (in O(n·d) for the linear kernel, from
the mean embedding; in blocked O(n²·d) time otherwise) so that later MMDs against the same data
cost O(n·m·d).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.spatial.distance import cdist

from constructions.validation import as_matrix

DEFAULT_BLOCK = 4096


# --- weighted measures --------------------------------------------------------------------------


@dataclass(frozen=True)
class WeightedMeasure:
    """Σ wᵢ δ_{xᵢ}: ``points`` (n × d, float64, finite) and ``weights`` (n,), wᵢ ≥ 0, Σ wᵢ = 1."""

    points: np.ndarray
    weights: np.ndarray

    @property
    def size(self) -> int:
        return self.points.shape[0]

    @property
    def dimension(self) -> int:
        return self.points.shape[1]

    def expectation(self, values: np.ndarray) -> float:
        """Σ wᵢ values[i] for a function evaluated at the points."""
        return float(self.weights @ np.asarray(values, dtype=float))


def weight_tolerance(n: int) -> float:
    """|Σ w − 1| allowed: summing n float64 weights rounds by at most (n−1)·u; 10·n·u leaves room
    for weights the caller normalised as w / w.sum()."""
    return 10.0 * max(n, 1) * np.finfo(float).eps / 2


def measure(points, weights=None, name: str = "points") -> WeightedMeasure:
    """Validate ``points`` (rows are points) and ``weights`` (uniform when ``None``) into a measure."""
    if isinstance(points, WeightedMeasure):
        if weights is not None:
            raise ValueError(f"{name} is already a WeightedMeasure; do not pass separate weights")
        return points
    array = np.asarray(points, dtype=float)
    if array.size == 0:
        raise ValueError(f"{name} is empty; a discrepancy needs at least one point on each side")
    if array.ndim == 1:
        raise ValueError(f"{name} must be a 2-D array (rows are points), got a 1-D array of shape {array.shape}")
    array = as_matrix(array, name)
    n = array.shape[0]
    if weights is None:
        return WeightedMeasure(array, np.full(n, 1.0 / n))
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1 or w.shape[0] != n:
        raise ValueError(f"weights of {name} must have shape ({n},), got {w.shape}")
    if not np.all(np.isfinite(w)):
        raise ValueError(f"weights of {name} contain non-finite values")
    if np.any(w < 0):
        raise ValueError(f"weights of {name} must be non-negative, found {float(w.min()):.3g}")
    total = float(w.sum())
    if abs(total - 1.0) > weight_tolerance(n):
        raise ValueError(f"weights of {name} sum to {total:.12g}, not 1; normalise them (w / w.sum())")
    return WeightedMeasure(array, w)


def pair(T, S, weights_T=None, weights_S=None) -> tuple[WeightedMeasure, WeightedMeasure]:
    """Two measures in the same dimension, or a ValueError naming both shapes."""
    first, second = measure(T, weights_T, "T"), measure(S, weights_S, "S")
    if first.dimension != second.dimension:
        raise ValueError(f"T has dimension {first.dimension} but S has dimension {second.dimension}; they must match")
    return first, second


# --- kernels --------------------------------------------------------------------------------------


def squared_distances(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """‖xᵢ − yⱼ‖² = ‖xᵢ‖² + ‖yⱼ‖² − 2xᵢᵀyⱼ (one matrix product), clipped at 0 against rounding."""
    sq = X @ Y.T  # in place from here on: one block-sized array instead of four temporaries
    sq *= -2.0
    sq += np.einsum("ij,ij->i", X, X)[:, None]
    sq += np.einsum("ij,ij->i", Y, Y)[None, :]
    return np.maximum(sq, 0.0, out=sq)


def distances(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """‖xᵢ − yⱼ‖₂ from the differences themselves (scipy's cdist): the matrix-product form loses
    half the digits of a small distance under the square root (√(u‖x‖²) instead of u‖x‖)."""
    return cdist(X, Y, metric="euclidean")


def _require_positive(value: float, name: str) -> float:
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value}")
    return value


@dataclass(frozen=True)
class LinearKernel:
    """k(x, y) = xᵀy; finite features φ(x) = x."""

    name = "linear"

    def matrix(self, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
        return X @ Y.T

    def diagonal(self, X: np.ndarray) -> np.ndarray:
        return np.einsum("ij,ij->i", X, X)

    def features(self, X: np.ndarray) -> np.ndarray:
        return X


@dataclass(frozen=True)
class GaussianKernel:
    """k(x, y) = exp(−‖x − y‖² / (2σ²)), σ = ``bandwidth`` > 0."""

    bandwidth: float
    name = "gaussian"

    def __post_init__(self) -> None:
        _require_positive(self.bandwidth, "Gaussian bandwidth")

    def matrix(self, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
        scaled = squared_distances(X, Y)
        scaled *= -1.0 / (2.0 * self.bandwidth**2)
        return np.exp(scaled, out=scaled)

    def diagonal(self, X: np.ndarray) -> np.ndarray:
        return np.ones(X.shape[0])


@dataclass(frozen=True)
class LaplacianKernel:
    """k(x, y) = exp(−‖x − y‖₂ / σ), σ = ``bandwidth`` > 0 (Euclidean norm: the Matérn-½ kernel)."""

    bandwidth: float
    name = "laplacian"

    def __post_init__(self) -> None:
        _require_positive(self.bandwidth, "Laplacian bandwidth")

    def matrix(self, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
        return np.exp(-distances(X, Y) / self.bandwidth)

    def diagonal(self, X: np.ndarray) -> np.ndarray:
        return np.ones(X.shape[0])


@dataclass(frozen=True)
class PolynomialKernel:
    """k(x, y) = (γ xᵀy + c)^p with integer degree p ≥ 1, scale γ > 0, offset c ≥ 0."""

    degree: int = 2
    scale: float = 1.0
    offset: float = 1.0
    name = "polynomial"

    def __post_init__(self) -> None:
        if isinstance(self.degree, bool) or int(self.degree) != self.degree or self.degree < 1:
            raise ValueError(f"polynomial degree must be an integer >= 1, got {self.degree!r}")
        _require_positive(self.scale, "polynomial scale")
        if not np.isfinite(self.offset) or self.offset < 0:
            raise ValueError(f"polynomial offset must be a finite number >= 0, got {self.offset}")

    def matrix(self, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
        return (self.scale * (X @ Y.T) + self.offset) ** int(self.degree)

    def diagonal(self, X: np.ndarray) -> np.ndarray:
        return (self.scale * np.einsum("ij,ij->i", X, X) + self.offset) ** int(self.degree)


@dataclass(frozen=True)
class EuclideanDistance:
    """‖x − y‖₂ (not a kernel; the pairwise term of the energy distance)."""

    name = "distance"

    def matrix(self, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
        return distances(X, Y)

    def diagonal(self, X: np.ndarray) -> np.ndarray:
        return np.zeros(X.shape[0])


KERNELS: dict[str, Callable[..., object]] = {
    "linear": LinearKernel,
    "gaussian": GaussianKernel,
    "laplacian": LaplacianKernel,
    "polynomial": PolynomialKernel,
}


def kernel(name: str, **parameters):
    """The kernel called ``name`` (see :data:`KERNELS`) with its parameters."""
    if name not in KERNELS:
        raise ValueError(f"unknown kernel {name!r}; valid: {', '.join(KERNELS)}")
    return KERNELS[name](**parameters)


def median_bandwidth(points, rng: np.random.Generator | None = None, max_points: int = 1000) -> float:
    """The median heuristic: median Euclidean distance between distinct points (of a seeded
    subsample of at most ``max_points`` when there are more; ``rng`` is then required)."""
    X = measure(points, name="points").points
    if X.shape[0] < 2:
        raise ValueError("the median heuristic needs at least 2 points")
    if X.shape[0] > max_points:
        if rng is None:
            raise ValueError(f"{X.shape[0]} points exceed max_points={max_points}; pass an rng to subsample")
        X = X[rng.choice(X.shape[0], max_points, replace=False)]
    # the matrix-product form (BLAS) is accurate to √(u)·‖x‖ on a distance: ample for a median
    median = float(np.sqrt(np.median(squared_distances(X, X)[np.triu_indices(X.shape[0], 1)])))
    if median <= 0:
        raise ValueError("all points coincide; the median heuristic gives bandwidth 0")
    return median


# --- MMD ------------------------------------------------------------------------------------------


def weighted_kernel_sum(k, X: np.ndarray, a: np.ndarray, Y: np.ndarray, b: np.ndarray,
                        block: int = DEFAULT_BLOCK) -> float:
    """aᵀ K(X, Y) b accumulated over row blocks of X (memory O(block · |Y|))."""
    total = 0.0
    for start in range(0, X.shape[0], block):
        stop = start + block
        total += float(a[start:stop] @ (k.matrix(X[start:stop], Y) @ b))
    return total


def self_term(k, P: WeightedMeasure, block: int = DEFAULT_BLOCK) -> float:
    """pᵀ K_PP p: from the mean feature ‖Σ pᵢφ(xᵢ)‖² when the kernel has finite features, else blocked."""
    if hasattr(k, "features"):
        mean = P.weights @ k.features(P.points)
        return float(mean @ mean)
    return weighted_kernel_sum(k, P.points, P.weights, P.points, P.weights, block)


def _cross_term(k, P: WeightedMeasure, Q: WeightedMeasure, block: int) -> float:
    if hasattr(k, "features"):
        return float((P.weights @ k.features(P.points)) @ (Q.weights @ k.features(Q.points)))
    return weighted_kernel_sum(k, P.points, P.weights, Q.points, Q.weights, block)


def mmd2_biased(T, S, k, *, weights_T=None, weights_S=None, block: int = DEFAULT_BLOCK) -> float:
    """‖μ_T − μ_S‖²_H = aᵀK_TT a − 2aᵀK_TS b + bᵀK_SS b (the V-statistic; ≥ 0 up to rounding)."""
    P, Q = pair(T, S, weights_T, weights_S)
    return self_term(k, P, block) - 2.0 * _cross_term(k, P, Q, block) + self_term(k, Q, block)


def _off_diagonal_term(k, P: WeightedMeasure, block: int, name: str) -> float:
    w = P.weights
    normaliser = 1.0 - float(w @ w)
    if normaliser <= weight_tolerance(P.size):
        raise ValueError(f"the unbiased MMD needs at least two points with positive weight in {name}")
    full = weighted_kernel_sum(k, P.points, w, P.points, w, block)
    return (full - float((w * w) @ k.diagonal(P.points))) / normaliser


def mmd2_unbiased(T, S, k, *, weights_T=None, weights_S=None, block: int = DEFAULT_BLOCK) -> float:
    """The U-statistic: diagonals removed and renormalised by 1 − Σwᵢ² (may be negative)."""
    P, Q = pair(T, S, weights_T, weights_S)
    return (_off_diagonal_term(k, P, block, "T") - 2.0 * _cross_term(k, P, Q, block)
            + _off_diagonal_term(k, Q, block, "S"))


def mmd(T, S, k, *, weights_T=None, weights_S=None, block: int = DEFAULT_BLOCK) -> float:
    """MMD_b = √max(MMD²_b, 0) (rounding can make a tiny MMD² negative)."""
    return float(np.sqrt(max(mmd2_biased(T, S, k, weights_T=weights_T, weights_S=weights_S, block=block), 0.0)))


@dataclass(frozen=True)
class MMDTarget:
    """The data side of MMD² fixed once: the measure, the kernel and the constant aᵀK_TT a.

    ``mmd2(S)`` then costs O(n·m·d) (the cross term) + O(m²·d): the n×n data–data term is never
    recomputed (for finite-feature kernels it was never formed: ‖mean feature‖²).
    """

    data: WeightedMeasure
    kernel: object
    constant: float
    block: int = DEFAULT_BLOCK

    @classmethod
    def prepare(cls, points, k, weights=None, block: int = DEFAULT_BLOCK) -> "MMDTarget":
        data = measure(points, weights, "T")
        return cls(data, k, self_term(k, data, block), block)

    def mmd2(self, synthetic, weights=None) -> float:
        S = measure(synthetic, weights, "S")
        if S.dimension != self.data.dimension:
            raise ValueError(f"T has dimension {self.data.dimension} but S has dimension {S.dimension}; they must match")
        return self.constant - 2.0 * _cross_term(self.kernel, self.data, S, self.block) + self_term(self.kernel, S, self.block)


@dataclass(frozen=True)
class Witness:
    """f*(z) = Σ aᵢ k(xᵢ, z) − Σ bⱼ k(yⱼ, z), with ‖f*‖_H = MMD_b(T, S)."""

    T: WeightedMeasure
    S: WeightedMeasure
    kernel: object
    rkhs_norm: float

    def __call__(self, Z) -> np.ndarray:
        Z = as_matrix(Z, "Z")
        if Z.shape[1] != self.T.dimension:
            raise ValueError(f"Z has dimension {Z.shape[1]} but the witness lives in dimension {self.T.dimension}")
        return self.kernel.matrix(Z, self.T.points) @ self.T.weights - self.kernel.matrix(Z, self.S.points) @ self.S.weights


def witness(T, S, k, *, weights_T=None, weights_S=None) -> Witness:
    """The (unnormalised) MMD witness function of T against S."""
    P, Q = pair(T, S, weights_T, weights_S)
    return Witness(P, Q, k, mmd(P, Q, k))


def energy_distance(T, S, *, weights_T=None, weights_S=None, block: int = DEFAULT_BLOCK) -> float:
    """2E‖X − Y‖ − E‖X − X'‖ − E‖Y − Y'‖ for X, X' ~ T and Y, Y' ~ S independent (V-statistic)."""
    P, Q = pair(T, S, weights_T, weights_S)
    d = EuclideanDistance()
    return (2.0 * weighted_kernel_sum(d, P.points, P.weights, Q.points, Q.weights, block)
            - weighted_kernel_sum(d, P.points, P.weights, P.points, P.weights, block)
            - weighted_kernel_sum(d, Q.points, Q.weights, Q.points, Q.weights, block))


def distribution_matching_loss(real_embeddings, synthetic_embeddings) -> float:
    """The distribution-matching (DM) loss of one class: ‖mean of real − mean of synthetic‖²."""
    R, S = pair(real_embeddings, synthetic_embeddings)
    difference = R.points.mean(axis=0) - S.points.mean(axis=0)
    return float(difference @ difference)


# --- Wasserstein ----------------------------------------------------------------------------------


def _require_order(p: float) -> float:
    p = float(p)
    if not np.isfinite(p) or p < 1:
        raise ValueError(f"the Wasserstein order p must be a finite number >= 1, got {p}")
    return p


@dataclass(frozen=True)
class Transport:
    """An optimal coupling: W_p, the plan, and Kantorovich potentials u, v (uᵢ + vⱼ ≤ costᵢⱼ,
    Σaᵢuᵢ + Σbⱼvⱼ = W_p^p)."""

    distance: float
    plan: np.ndarray
    u: np.ndarray
    v: np.ndarray
    cost: np.ndarray


def optimal_transport(T, S, p: float = 1.0, *, weights_T=None, weights_S=None, max_iterations: int = 10**7) -> Transport:
    """Exact W_p by POT's network simplex with cost ‖x − y‖₂^p."""
    p = _require_order(p)
    P, Q = pair(T, S, weights_T, weights_S)
    cost = distances(P.points, Q.points) ** p
    # POT checks Σa = Σb to 1e-7 on its own; our tolerance already held, so renormalise exactly
    a, b = P.weights / P.weights.sum(), Q.weights / Q.weights.sum()
    import ot  # here, not at module level: POT imports torch (~2.5 s), which only this solver needs

    plan, log = ot.emd(a, b, cost, numItermax=max_iterations, log=True)
    if log["result_code"] != 1:
        raise ValueError(f"POT's network simplex did not converge ({log['warning']}); raise max_iterations")
    return Transport(float(max(log["cost"], 0.0)) ** (1.0 / p), plan, log["u"], log["v"], cost)


def wasserstein(T, S, p: float = 1.0, *, weights_T=None, weights_S=None) -> float:
    """Exact W_p(T, S) = (min_π Σ πᵢⱼ ‖xᵢ − yⱼ‖^p)^{1/p} between weighted empirical measures."""
    return optimal_transport(T, S, p, weights_T=weights_T, weights_S=weights_S).distance


def _one_dimensional(values, weights, name: str) -> tuple[np.ndarray, np.ndarray]:
    values = np.asarray(values, dtype=float)
    if values.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of values, got shape {values.shape}")
    P = measure(values[:, None], weights, name)
    return P.points[:, 0], P.weights


def wasserstein_1d(u_values, v_values, u_weights=None, v_weights=None, p: float = 1.0) -> float:
    """W_p on the line by the quantile formula (∫₀¹ abs(F⁻¹_u(t) − F⁻¹_v(t))^p dt)^{1/p}: the levels
    t are the union of both cumulative weights, and both quantile functions are constant between."""
    p = _require_order(p)
    x, a = _one_dimensional(u_values, u_weights, "u_values")
    y, b = _one_dimensional(v_values, v_weights, "v_values")
    x_order, y_order = np.argsort(x, kind="stable"), np.argsort(y, kind="stable")
    x, a, y, b = x[x_order], a[x_order], y[y_order], b[y_order]
    cum_a, cum_b = np.cumsum(a), np.cumsum(b)
    cum_a[-1] = cum_b[-1] = 1.0
    levels = np.union1d(cum_a, cum_b)
    widths = np.diff(np.concatenate([[0.0], levels]))
    mid = levels - widths / 2
    qx = x[np.minimum(np.searchsorted(cum_a, mid), x.size - 1)]
    qy = y[np.minimum(np.searchsorted(cum_b, mid), y.size - 1)]
    return float(widths @ np.abs(qx - qy) ** p) ** (1.0 / p)


def random_directions(count: int, dimension: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` directions uniform on the unit sphere in ℝ^dimension (rows)."""
    if isinstance(count, bool) or int(count) != count or count < 1:
        raise ValueError(f"the number of projections must be an integer >= 1, got {count!r}")
    directions = rng.standard_normal((int(count), dimension))
    return directions / np.linalg.norm(directions, axis=1, keepdims=True)


def sliced_wasserstein(T, S, rng: np.random.Generator, *, projections: int = 64, p: float = 2.0,
                       weights_T=None, weights_S=None) -> float:
    """(mean over random unit θ of W_p^p(θᵀT, θᵀS))^{1/p}, directions drawn from ``rng``."""
    p = _require_order(p)
    P, Q = pair(T, S, weights_T, weights_S)
    directions = random_directions(projections, P.dimension, rng)
    powers = _projected_wasserstein_powers(P.points @ directions.T, P.weights, Q.points @ directions.T, Q.weights, p)
    return float(np.mean(powers)) ** (1.0 / p)


def _projected_wasserstein_powers(x: np.ndarray, a: np.ndarray, y: np.ndarray, b: np.ndarray, p: float) -> np.ndarray:
    """W_p^p of every column pair (x[:, j], y[:, j]) at once, by the quantile formula of
    :func:`wasserstein_1d`: per column, the cumulative weights of both sides are merged in one
    sort; on the interval ending at the k-th merged level the quantile of each side is its
    (number of own levels among the first k − 1)-th sorted value (zero-width intervals from ties
    contribute nothing)."""
    n, m = x.shape[0], y.shape[0]
    x_order, y_order = np.argsort(x, axis=0, kind="stable"), np.argsort(y, axis=0, kind="stable")
    x_sorted, y_sorted = np.take_along_axis(x, x_order, 0), np.take_along_axis(y, y_order, 0)
    cum_a, cum_b = np.cumsum(a[x_order], axis=0), np.cumsum(b[y_order], axis=0)
    cum_a[-1], cum_b[-1] = 1.0, 1.0
    levels = np.vstack([cum_a, cum_b])
    order = np.argsort(levels, axis=0, kind="stable")
    merged = np.take_along_axis(levels, order, 0)
    from_x = (order < n).astype(np.int64)
    before_x = np.vstack([np.zeros((1, x.shape[1]), dtype=np.int64), np.cumsum(from_x, axis=0)[:-1]])
    before_y = np.arange(n + m)[:, None] - before_x
    widths = np.diff(np.vstack([np.zeros((1, x.shape[1])), merged]), axis=0)
    qx = np.take_along_axis(x_sorted, np.minimum(before_x, n - 1), 0)
    qy = np.take_along_axis(y_sorted, np.minimum(before_y, m - 1), 0)
    return np.sum(widths * np.abs(qx - qy) ** p, axis=0)
