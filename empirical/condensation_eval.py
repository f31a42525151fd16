"""Scoring condensed sets: accuracy of models trained on them, their discrepancy to the data,
and the rank correlation between the two.

Models (all trained on the condensed set only, evaluated on held-out real images):

* KRR: ridge regression on features F (:func:`constructions.krr.fit_ridge_full_lambda`), one-hot targets
  (uncentred), row i scaled by √(m·wᵢ) so that a weighted set's loss is Σ m·wᵢ‖Fᵢ W − Yᵢ‖², and
  λ = ``relative_lambda`` · tr(FFᵀ)/m (relative to the mean squared feature norm). Feature maps:
  the identity (pixels) and random Fourier features of the Gaussian kernel
  (:func:`constructions.condensers.gaussian_random_features`, a
  :class:`constructions.feature_maps.RandomFourierFeatures` map).
* ConvNet: a small ConvNet-3 (width 16) on CPU, SGD with momentum 0.9, cross-entropy weighted by
  the set's weights, a fixed number of steps on seeded mini-batches; all randomness from explicit
  ``torch.Generator`` s.

Discrepancies are class-conditional: for every class c, between the data points of class c and
the condensed points of class c (with their weights), averaged over classes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata

from constructions.condensers import CondensedSet, gaussian_random_features
from constructions.discrepancy import MMDTarget, sliced_wasserstein, wasserstein
from constructions.krr import accuracy, fit_ridge_full_lambda
from constructions.validation import as_matrix, require_positive_int
from empirical.datasets import one_hot


def _check_set(points, labels, weights) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    points = as_matrix(points, "points")
    labels, weights = np.asarray(labels), np.asarray(weights, dtype=float)
    if labels.shape != (points.shape[0],) or weights.shape != (points.shape[0],):
        raise ValueError(f"labels and weights must have shape ({points.shape[0]},), got {labels.shape} and {weights.shape}")
    if not np.all(np.isfinite(weights)) or np.any(weights < 0) or weights.sum() <= 0:
        raise ValueError("weights must be finite, non-negative and not all zero")
    return points, labels, weights / weights.sum()


# --- KRR ------------------------------------------------------------------------------------------


def krr_accuracy(train_features, train_labels, weights, test_features, test_labels, *, classes: int = 10,
                 relative_lambda: float = 1e-3) -> float:
    """Test accuracy of weighted ridge regression on one-hot labels (see the module docstring)."""
    F, labels, w = _check_set(train_features, train_labels, weights)
    test_features = as_matrix(test_features, "test_features")
    if test_features.shape[1] != F.shape[1]:
        raise ValueError(f"test features have {test_features.shape[1]} columns but the training features {F.shape[1]}")
    if not np.isfinite(relative_lambda) or relative_lambda <= 0:
        raise ValueError(f"relative_lambda must be a finite number > 0, got {relative_lambda}")
    scale = np.sqrt(F.shape[0] * w)[:, None]
    F_weighted, Y = F * scale, one_hot(labels, classes) * scale
    lam = relative_lambda * float(np.sum(F_weighted**2)) / F.shape[0]
    return accuracy(test_features, test_labels, fit_ridge_full_lambda(F_weighted, Y, lam))


# --- ConvNet --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConvNetRecipe:
    """How the small evaluation ConvNet is built and trained."""

    width: int = 16
    depth: int = 3
    steps: int = 100
    batch: int = 50
    learning_rate: float = 0.01
    momentum: float = 0.9


def convnet_accuracy(points, labels, weights, test_images, test_labels, seed: int, *,
                     recipe: ConvNetRecipe = ConvNetRecipe(), device: str = "cpu") -> float:
    """Train a seeded ConvNet on the condensed images (rows of 784 pixels) and return its test
    accuracy (test images as rows of 784 pixels)."""
    import torch

    from constructions.networks import ConvNet, initialise, seeded_generator

    points, labels, w = _check_set(points, labels, weights)
    test_images = as_matrix(test_images, "test_images")
    if points.shape[1] != 784 or test_images.shape[1] != 784:
        raise ValueError(f"images must be rows of 28 × 28 = 784 pixels, got {points.shape[1]} and {test_images.shape[1]}")
    require_positive_int(recipe.steps, "steps")
    generator = seeded_generator(seed)
    network = initialise(ConvNet(width=recipe.width, depth=recipe.depth), generator).to(device)
    optimiser = torch.optim.SGD(network.parameters(), lr=recipe.learning_rate, momentum=recipe.momentum)
    images = torch.as_tensor(points.reshape(-1, 1, 28, 28), dtype=torch.float32, device=device)
    targets = torch.as_tensor(labels, dtype=torch.int64, device=device)
    sample_weights = torch.as_tensor(w, dtype=torch.float32, device=device)
    for _ in range(recipe.steps):
        rows = torch.randperm(images.shape[0], generator=generator)[:recipe.batch].to(device)
        losses = torch.nn.functional.cross_entropy(network(images[rows]), targets[rows], reduction="none")
        loss = (losses * sample_weights[rows]).sum() / sample_weights[rows].sum()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    network.eval()
    with torch.no_grad():
        test = torch.as_tensor(test_images.reshape(-1, 1, 28, 28), dtype=torch.float32, device=device)
        predicted = network(test).argmax(dim=1).cpu().numpy()
    return float(np.mean(predicted == np.asarray(test_labels)))


# --- discrepancies ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiscrepancyPanel:
    """Class-conditional discrepancies against fixed data: for every class, an
    :class:`~constructions.discrepancy.MMDTarget` per kernel (the data–data constants computed
    once), the class points for sliced W2 (``projections`` directions drawn from ``seed``, the
    same directions for every set) and exact W2. Calling the panel on a condensed set returns
    each discrepancy averaged over classes."""

    classes: dict
    kernels: tuple[str, ...]
    seed: int
    projections: int = 64

    @classmethod
    def prepare(cls, X, labels, kernels: dict, seed: int, projections: int = 64) -> "DiscrepancyPanel":
        X = as_matrix(X, "X")
        labels = np.asarray(labels)
        if labels.shape != (X.shape[0],):
            raise ValueError(f"labels must have shape ({X.shape[0]},), got {labels.shape}")
        classes = {label: (X[labels == label], {name: MMDTarget.prepare(X[labels == label], k)
                                                 for name, k in kernels.items()})
                   for label in np.unique(labels)}
        return cls(classes, tuple(kernels), int(seed), projections)

    def __call__(self, condensed: CondensedSet) -> dict[str, float]:
        totals: dict[str, list[float]] = {f"mmd_{name}": [] for name in self.kernels}
        totals.update(sliced_w2=[], w2=[])
        for label, (data, targets) in self.classes.items():
            mine = condensed.labels == label
            if not np.any(mine):
                raise ValueError(f"the condensed set has no point of class {label}")
            points, weights = condensed.points[mine], condensed.weights[mine]
            keep = weights > 0
            points, weights = points[keep], weights[keep] / weights[keep].sum()
            for name, target in targets.items():
                totals[f"mmd_{name}"].append(float(np.sqrt(max(target.mmd2(points, weights), 0.0))))
            totals["sliced_w2"].append(sliced_wasserstein(data, points, np.random.default_rng(self.seed),
                                                          projections=self.projections, weights_S=weights))
            totals["w2"].append(wasserstein(data, points, 2, weights_S=weights))
        return {name: float(np.mean(values)) for name, values in totals.items()}


# --- rank correlation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Correlation:
    """Spearman's ρ with a percentile bootstrap interval (resampling the condensed sets)."""

    rho: float
    low: float
    high: float
    resamples: int


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    rx, ry = rankdata(x), rankdata(y)
    rx, ry = rx - rx.mean(), ry - ry.mean()
    denominator = np.sqrt((rx @ rx) * (ry @ ry))
    return float(rx @ ry / denominator) if denominator > 0 else float("nan")


def spearman_with_ci(x, y, rng: np.random.Generator, *, resamples: int = 2000, level: float = 0.95) -> Correlation:
    """Spearman's ρ between x and y and a percentile bootstrap CI (resamples with a constant
    variable, where ρ is undefined, are dropped)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1 or x.size < 3:
        raise ValueError(f"x and y must be 1-D of the same length >= 3, got {x.shape} and {y.shape}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("x and y must be finite")
    require_positive_int(resamples, "resamples")
    draws = rng.integers(0, x.size, (resamples, x.size))
    values = np.array([_spearman(x[rows], y[rows]) for rows in draws])
    values = values[np.isfinite(values)]
    tail = (1 - level) / 2
    low, high = np.quantile(values, [tail, 1 - tail]) if values.size else (np.nan, np.nan)
    return Correlation(_spearman(x, y), float(low), float(high), int(values.size))


def _checked_strata(x, y, strata) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    x, y, strata = np.asarray(x, dtype=float), np.asarray(y, dtype=float), np.asarray(strata)
    if x.shape != y.shape or x.ndim != 1 or strata.shape != x.shape:
        raise ValueError(f"x, y and strata must be 1-D of one length, got {x.shape}, {y.shape} and {strata.shape}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("x and y must be finite")
    groups = [np.flatnonzero(strata == value) for value in np.unique(strata)]
    if min(group.size for group in groups) < 3:
        raise ValueError("every stratum needs at least 3 units for a rank correlation")
    return x, y, groups


def within_strata_spearman(x, y, strata) -> float:
    """The mean over strata of Spearman's ρ(x, y) within each stratum (strata of ≥ 3 units)."""
    x, y, groups = _checked_strata(x, y, strata)
    return float(np.mean([_spearman(x[g], y[g]) for g in groups]))


@dataclass(frozen=True)
class StratifiedTest:
    """The within-strata mean Spearman ρ, a two-sided stratified permutation p-value and a
    percentile bootstrap interval that resamples units within each stratum."""

    rho: float
    p_value: float
    low: float
    high: float
    resamples: int


def stratified_test(x, y, strata, rng: np.random.Generator, *, resamples: int = 2000,
                    level: float = 0.95) -> StratifiedTest:
    """Is x associated with y once the strata (here: IPC) are held fixed?

    Statistic T = mean over strata of Spearman's ρ within the stratum. Null: within every stratum
    y is exchangeable across units; the p-value permutes y within each stratum ``resamples`` times,
    p = (1 + the number of permuted T at least as far from 0 as the observed T) / (1 + resamples). Interval: the percentile bootstrap of T over units
    resampled with replacement within each stratum (resamples in which some stratum's ρ is
    undefined are dropped), so noise between replicate units (seeds) widens it."""
    x, y, groups = _checked_strata(x, y, strata)
    require_positive_int(resamples, "resamples")
    observed = float(np.mean([_spearman(x[g], y[g]) for g in groups]))
    permuted, boot = np.zeros(resamples), np.zeros(resamples)
    for g in groups:
        # permuting y permutes its (average) ranks, so every permuted ρ is one product with fixed ranks
        rx, ry = _centred_ranks(x[g][None, :]), _centred_ranks(y[g][None, :])
        shuffles = np.argsort(rng.random((resamples, g.size)), axis=1)
        permuted += _row_correlations(np.broadcast_to(rx, shuffles.shape), ry[0][shuffles])
        draws = rng.integers(0, g.size, (resamples, g.size))
        boot += _row_correlations(_centred_ranks(x[g][draws]), _centred_ranks(y[g][draws]))
    permuted /= len(groups)
    p_value = float((1 + np.sum(np.abs(permuted) >= abs(observed) - 1e-12)) / (1 + resamples))
    boot = boot[np.isfinite(boot)] / len(groups)
    tail = (1 - level) / 2
    low, high = np.quantile(boot, [tail, 1 - tail]) if boot.size else (np.nan, np.nan)
    return StratifiedTest(observed, p_value, float(low), float(high), int(boot.size))


def _centred_ranks(values: np.ndarray) -> np.ndarray:
    """Average ranks along each row, minus their row mean."""
    ranks = rankdata(values, axis=1)
    return ranks - ranks.mean(axis=1, keepdims=True)


def _row_correlations(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson correlation of every row pair of centred arrays (NaN where a row is constant)."""
    denominator = np.sqrt(np.sum(a * a, axis=1) * np.sum(b * b, axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, np.sum(a * b, axis=1) / denominator, np.nan)


def holm(p_values) -> np.ndarray:
    """Holm's step-down adjustment: the k-th smallest p becomes max over j ≤ k of (m − j + 1)·p_(j),
    capped at 1 (controls the family-wise error rate over the m tests)."""
    p = np.asarray(p_values, dtype=float)
    if p.ndim != 1 or p.size == 0 or not np.all((p >= 0) & (p <= 1)):
        raise ValueError("p_values must be a non-empty 1-D array of numbers in [0, 1]")
    order = np.argsort(p)
    scaled = np.maximum.accumulate((p.size - np.arange(p.size)) * p[order])
    adjusted = np.empty_like(p)
    adjusted[order] = np.minimum(scaled, 1.0)
    return adjusted


def feature_maps(pool: np.ndarray, rng: np.random.Generator, random_features: int = 2000):
    """The KRR feature maps: identity, and random Fourier features of the Gaussian kernel whose
    bandwidth is the median pairwise distance of the pool (seeded subsample)."""
    from constructions.discrepancy import median_bandwidth

    rff = gaussian_random_features(pool.shape[1], random_features, median_bandwidth(pool, rng), rng)
    return {"identity": lambda X: as_matrix(X, "X"), "rff": rff}
