"""Discrepancy-minimising condensers: each builds ``ipc`` weighted points for one class.

Every condenser maps (X_class (n × d), ipc, rng) to a :class:`CondensedClass` (points, weights
summing to one) and is looked up by name in :data:`CONDENSERS`:

``random``              ipc distinct real points, uniform weights (the baseline);
``herding``             kernel herding (below) in the random-Fourier feature space of the
                        median-heuristic Gaussian kernel, distinct real points, uniform weights;
``mmd-descent``         synthetic points moved by Adam on MMD²_Gaussian (median-heuristic σ) to the
                        class, started from a random real subset (only the S-dependent terms are
                        differentiated: the data–data constant has no gradient);
``kmeans-w2``           the W2 quantiser: Lloyd's k-means from k-means++ seeds, centroids weighted by
                        cluster mass (W2(data, quantiser)² = inertia / n);
``sliced-wasserstein``  synthetic points moved towards the quantiles of the class on random
                        orthonormal frames of directions (a sliced-W2 flow).

Kernel herding with a feature map φ (finite dimension D) and target mean μ = Σ aᵢ φ(xᵢ):

    w₀ = μ,   x_t = argmax_x ⟨w_{t−1}, φ(x)⟩,   w_t = w_{t−1} + μ − φ(x_t),

so (1/t) Σ_{s≤t} φ(x_s) − μ = (w₀ − w_t)/t, and the MMD after t points is ‖w_t − w₀‖ / t. When μ
lies in the relative interior of the convex hull of the candidate features, ‖w_t‖ stays bounded
and the MMD decays as O(1/t) (Chen, Welling & Smola 2010; Bach, Lacoste-Julien & Obozinski 2012).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from constructions.discrepancy import (
    measure,
    median_bandwidth,
    squared_distances,
)
from constructions.feature_maps import RandomFourierFeatures
from constructions.validation import as_matrix, require_positive_int


@dataclass(frozen=True)
class CondensedClass:
    """``points`` (ipc × d) with ``weights`` (ipc,), non-negative, summing to one."""

    points: np.ndarray
    weights: np.ndarray


# --- feature map for herding -----------------------------------------------------------------


def gaussian_random_features(dimension: int, count: int, bandwidth: float,
                             rng: np.random.Generator) -> RandomFourierFeatures:
    """Random Fourier features of the Gaussian kernel: φ(x) = √(2/D)·cos(Ax + b) with
    A ~ N(0, σ⁻²I) (D×d) and b ~ U[0, 2π), so E φ(x)ᵀφ(y) = exp(−‖x−y‖²/(2σ²)); returned as the
    shared :class:`constructions.feature_maps.RandomFourierFeatures` map."""
    require_positive_int(count, "the number of random features")
    if not np.isfinite(bandwidth) or bandwidth <= 0:
        raise ValueError(f"bandwidth must be a finite number > 0, got {bandwidth}")
    frequencies = rng.standard_normal((dimension, count)) / bandwidth
    return RandomFourierFeatures(frequencies.T, rng.uniform(0.0, 2 * np.pi, count))


# --- kernel herding ------------------------------------------------------------------------------


@dataclass(frozen=True)
class HerdingPath:
    """Herding in feature space: chosen candidate ``indices`` in order, and ``mmd[t−1]`` = MMD
    between the target and the first t choices (uniformly weighted)."""

    indices: np.ndarray
    mmd: np.ndarray


def herd(features, steps: int, *, weights=None, candidates=None, distinct: bool = False) -> HerdingPath:
    """Kernel herding on a finite candidate set.

    ``features`` (n × D) are φ of the data (the target μ = Σ aᵢφ(xᵢ), ``weights`` a, uniform by
    default); ``candidates`` (N × D) are φ of the points herding may pick (the data when ``None``).
    ``distinct`` forbids picking a candidate twice (then ``steps`` ≤ N).
    """
    data = measure(features, weights, "features")
    pool = data.points if candidates is None else as_matrix(candidates, "candidates")
    if pool.shape[1] != data.dimension:
        raise ValueError(f"candidates have {pool.shape[1]} features but the data have {data.dimension}")
    steps = require_positive_int(steps, "steps")
    if distinct and steps > pool.shape[0]:
        raise ValueError(f"cannot pick {steps} distinct points from {pool.shape[0]} candidates")
    mean = data.weights @ data.points
    w = mean.copy()
    total = np.zeros_like(mean)
    available = np.ones(pool.shape[0], dtype=bool)
    indices, path = np.empty(steps, dtype=np.int64), np.empty(steps)
    for t in range(steps):
        scores = pool @ w
        if distinct:
            scores = np.where(available, scores, -np.inf)
        choice = int(np.argmax(scores))
        available[choice] = False
        indices[t] = choice
        w += mean - pool[choice]
        total += pool[choice]
        path[t] = np.linalg.norm(total / (t + 1) - mean)
    return HerdingPath(indices, path)


def herding(X, ipc: int, rng: np.random.Generator, *, features: int = 1024) -> CondensedClass:
    """``ipc`` distinct real points chosen by kernel herding in the random-Fourier feature space of
    the Gaussian kernel with the median-heuristic bandwidth."""
    X = as_matrix(X, "X")
    ipc = require_positive_int(ipc, "ipc")
    phi = gaussian_random_features(X.shape[1], features, median_bandwidth(X, rng), rng)(X)
    path = herd(phi, ipc, distinct=True)
    return CondensedClass(X[path.indices], np.full(ipc, 1.0 / ipc))


# --- W2 quantisation (weighted k-means) ----------------------------------------------------------


@dataclass(frozen=True)
class Quantiser:
    """Centroids with cluster-mass ``weights``, the nearest-centroid ``assignment`` of every data
    point and ``inertia`` = Σᵢ ‖xᵢ − c_{assignment(i)}‖² (a sum over points, as in scikit-learn)."""

    centroids: np.ndarray
    weights: np.ndarray
    assignment: np.ndarray
    inertia: float
    iterations: int


def nearest(X: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Index of the nearest centroid of every row (ties to the lowest index)."""
    return np.argmin(squared_distances(X, centroids), axis=1)


def quantiser_from(X, centroids, iterations: int = 0) -> Quantiser:
    """The quantiser of given centroids: nearest assignment, cluster masses, inertia (from the
    differences themselves, not the matrix-product form, so that it is accurate to n·u)."""
    X, centroids = as_matrix(X, "X"), as_matrix(centroids, "centroids")
    if X.shape[1] != centroids.shape[1]:
        raise ValueError(f"X has dimension {X.shape[1]} but the centroids have {centroids.shape[1]}")
    assignment = nearest(X, centroids)
    weights = np.bincount(assignment, minlength=centroids.shape[0]) / X.shape[0]
    inertia = float(np.sum((X - centroids[assignment]) ** 2))
    return Quantiser(centroids, weights, assignment, inertia, iterations)


def lloyd(X, initial, max_iterations: int = 300) -> Quantiser:
    """Lloyd's algorithm from ``initial`` centroids until the assignment stops changing (a fixed
    point: every centroid is the mean of its cluster); an empty cluster keeps its centroid."""
    X = as_matrix(X, "X")
    centroids = as_matrix(initial, "initial centroids").copy()
    if centroids.shape[1] != X.shape[1]:
        raise ValueError(f"X has dimension {X.shape[1]} but the initial centroids have {centroids.shape[1]}")
    assignment = nearest(X, centroids)
    for iteration in range(1, require_positive_int(max_iterations, "max_iterations") + 1):
        counts = np.bincount(assignment, minlength=centroids.shape[0])
        sums = np.zeros_like(centroids)
        np.add.at(sums, assignment, X)
        filled = counts > 0
        centroids[filled] = sums[filled] / counts[filled, None]
        updated = nearest(X, centroids)
        if np.array_equal(updated, assignment):
            return quantiser_from(X, centroids, iteration)
        assignment = updated
    return quantiser_from(X, centroids, max_iterations)


def kmeans_plus_plus(X, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ seeds: the first uniformly, each next with probability ∝ squared distance to the
    nearest seed so far."""
    X = as_matrix(X, "X")
    k = require_positive_int(k, "k")
    if k > X.shape[0]:
        raise ValueError(f"cannot seed {k} centroids from {X.shape[0]} points")
    chosen = [int(rng.integers(X.shape[0]))]
    closest = squared_distances(X, X[chosen])[:, 0]
    for _ in range(1, k):
        total = closest.sum()
        index = int(rng.choice(X.shape[0], p=closest / total)) if total > 0 else int(rng.integers(X.shape[0]))
        chosen.append(index)
        closest = np.minimum(closest, squared_distances(X, X[index:index + 1])[:, 0])
    return X[chosen].copy()


def kmeans_w2(X, ipc: int, rng: np.random.Generator) -> CondensedClass:
    """The W2 quantiser: Lloyd from k-means++ seeds, centroids weighted by cluster mass."""
    quantiser = lloyd(X, kmeans_plus_plus(X, ipc, rng))
    return CondensedClass(quantiser.centroids, quantiser.weights)


# --- random subsets -------------------------------------------------------------------------------


def random_subset(X, ipc: int, rng: np.random.Generator) -> CondensedClass:
    """``ipc`` distinct real points drawn uniformly, uniform weights."""
    X = as_matrix(X, "X")
    ipc = require_positive_int(ipc, "ipc")
    if ipc > X.shape[0]:
        raise ValueError(f"cannot draw {ipc} distinct points from {X.shape[0]}")
    return CondensedClass(X[rng.choice(X.shape[0], ipc, replace=False)].copy(), np.full(ipc, 1.0 / ipc))


# --- MMD gradient descent -------------------------------------------------------------------------


def mmd_descent(X, ipc: int, rng: np.random.Generator, *, steps: int = 150, learning_rate: float = 0.05,
                batch: int = 1000, device: str = "cpu") -> CondensedClass:
    """Adam on the S-dependent part of MMD²_Gaussian, −2 mean k(X_batch, S) + mean k(S, S), with σ
    from the median heuristic; ``learning_rate`` is in units of σ/√d (Adam moves every coordinate
    by about the learning rate, and σ/√d is the per-coordinate scale of a distance σ); each step
    uses a seeded batch of at most ``batch`` class points (the full class when it is smaller)."""
    import torch

    X = as_matrix(X, "X")
    start = random_subset(X, ipc, rng).points
    sigma = median_bandwidth(X, rng)
    steps = require_positive_int(steps, "steps")
    if not np.isfinite(learning_rate) or learning_rate <= 0:
        raise ValueError(f"learning_rate must be a finite number > 0, got {learning_rate}")
    data = torch.as_tensor(X, dtype=torch.float64, device=device)
    synthetic = torch.tensor(start, dtype=torch.float64, device=device, requires_grad=True)
    optimiser = torch.optim.Adam([synthetic], lr=learning_rate * sigma / np.sqrt(X.shape[1]))
    generator = torch.Generator(device="cpu").manual_seed(int(rng.integers(2**62)))
    scale = 1.0 / (2.0 * sigma**2)

    def kernel_mean(A, B):
        squared = (A * A).sum(1)[:, None] + (B * B).sum(1)[None, :] - 2.0 * A @ B.T
        return torch.exp(-squared.clamp_min(0.0) * scale).mean()

    for _ in range(steps):
        rows = torch.randperm(X.shape[0], generator=generator)[:batch].to(device)
        loss = kernel_mean(synthetic, synthetic) - 2.0 * kernel_mean(data[rows], synthetic)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    return CondensedClass(synthetic.detach().cpu().numpy(), np.full(ipc, 1.0 / ipc))


# --- sliced-Wasserstein matching ------------------------------------------------------------------


def orthonormal_frame(gaussian: np.ndarray) -> np.ndarray:
    """Orthonormal columns spanning those of a Gaussian d × L matrix G (L ≤ d) by Cholesky QR,
    Q = G R⁻¹ with RᵀR = GᵀG: a Gaussian matrix with L ≪ d is well conditioned (κ ≈ (√d + √L)/(√d − √L)),
    so the loss of orthogonality κ²·u is negligible, and it is much cheaper than Householder QR."""
    upper = np.linalg.cholesky(gaussian.T @ gaussian).T
    return np.linalg.solve(upper.T, gaussian.T).T


def sliced_wasserstein_match(X, ipc: int, rng: np.random.Generator, *, steps: int = 150,
                             directions: int = 64, step_size: float = 0.5) -> CondensedClass:
    """A sliced-W2 flow: at each step draw an orthonormal frame Θ (d × L, L ≤ d), and move every
    synthetic point by −η Σ_θ (θᵀy − q_θ(rank))θ, where q_θ(r) is the class's (r + ½)/m quantile
    along θ; with orthonormal θ this is η times the projection of the optimal 1-D displacements."""
    X = as_matrix(X, "X")
    synthetic = random_subset(X, ipc, rng).points
    steps = require_positive_int(steps, "steps")
    count = min(require_positive_int(directions, "directions"), X.shape[1])
    if not 0 < step_size <= 1:
        raise ValueError(f"step_size must lie in (0, 1], got {step_size}")
    m, n = synthetic.shape[0], X.shape[0]
    levels = np.minimum(((np.arange(m) + 0.5) / m * n).astype(int), n - 1)
    for _ in range(steps):
        frame = orthonormal_frame(rng.standard_normal((X.shape[1], count)))
        data_sorted = np.sort(X @ frame, axis=0)
        projected = synthetic @ frame
        ranks = np.argsort(np.argsort(projected, axis=0), axis=0)
        targets = np.take_along_axis(data_sorted, levels[ranks], axis=0)
        synthetic = synthetic - step_size * (projected - targets) @ frame.T
    return CondensedClass(synthetic, np.full(ipc, 1.0 / ipc))


CONDENSERS: dict[str, Callable[..., CondensedClass]] = {
    "random": random_subset,
    "herding": herding,
    "mmd-descent": mmd_descent,
    "kmeans-w2": kmeans_w2,
    "sliced-wasserstein": sliced_wasserstein_match,
}


@dataclass(frozen=True)
class CondensedSet:
    """A condensed dataset: ``points`` (m × d), integer ``labels``, per-point ``weights`` summing to
    one within each class (``class_weights`` are then the class masses of the data)."""

    method: str
    ipc: int
    points: np.ndarray
    labels: np.ndarray
    weights: np.ndarray


def condense(X, labels, ipc: int, method: str, rng: np.random.Generator, **options) -> CondensedSet:
    """Apply condenser ``method`` (see :data:`CONDENSERS`) to every class of (X, labels)."""
    if method not in CONDENSERS:
        raise ValueError(f"unknown condenser {method!r}; valid: {', '.join(CONDENSERS)}")
    X = as_matrix(X, "X")
    labels = np.asarray(labels)
    if labels.shape != (X.shape[0],):
        raise ValueError(f"labels must have shape ({X.shape[0]},), got {labels.shape}")
    points, out_labels, weights = [], [], []
    for label in np.unique(labels):
        part = CONDENSERS[method](X[labels == label], ipc, rng, **options)
        points.append(part.points)
        out_labels.append(np.full(part.points.shape[0], label))
        weights.append(part.weights)
    return CondensedSet(method, int(ipc), np.vstack(points), np.concatenate(out_labels), np.concatenate(weights))
