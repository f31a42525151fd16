"""Selvan & Chen: kernel herding drives the MMD down as O(1/k), i.i.d. subsampling as O(1/√k).

Statement. Let φ be a feature map of finite dimension D, μ = Σ aᵢφ(xᵢ) the data's mean embedding,
and run herding on the data as candidates: w₀ = μ, x_t = argmax ⟨w_{t−1}, φ(x)⟩, w_t = w_{t−1} + μ −
φ(x_t). Then (1/k)Σ_{t≤k} φ(x_t) − μ = (w₀ − w_k)/k (telescoping), and when μ lies in the relative
interior of the convex hull of the candidate features the weights w_k stay bounded, so

    MMD(T, S_k) = ‖μ − (1/k)Σφ(x_t)‖ = O(1/k),

whereas k i.i.d. draws give E MMD² = (E‖φ(x)‖² − ‖μ‖²)/k, i.e. MMD ≍ 1/√k.

How it is checked. A theorem about a rate is checked through its log-log slope: log MMD_k is
regressed on log k (k on a geometric grid from 10 to K) by statsmodels OLS with HAC (Newey–West,
3 lags) standard errors, because consecutive MMD_k share all but one point. Criteria, fixed before
looking at data: the herding slope's 95% CI lies below −0.75 (clearly faster than −½), and the
i.i.d. slope's CI lies inside [−0.75, −0.25] (the RMS over 100 i.i.d. paths). The figures say
whether each CI contains −1 and −½.

The assumption that matters: μ inside the hull of the candidates. Herding from candidates on one
side of a hyperplane through μ (in feature space) stalls at a positive MMD: slope ≈ 0.

Conventions: features are random Fourier features √(2/D)cos(Wx + β) of the Gaussian kernel with the
median-heuristic bandwidth; herding may pick a candidate more than once (the analysed algorithm).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from constructions.condensers import HerdingPath, gaussian_random_features, herd
from constructions.discrepancy import median_bandwidth
from theorems import Assumption, Checks, Kind, Outcome, Theorem, register
from theorems.outcome import Verdict
from theorems.requirements import dataset

STEPS = 300
FIRST_STEP = 10
IID_PATHS = 100
HERDING_CEILING = -0.75
IID_WINDOW = (-0.75, -0.25)

# --- statement --------------------------------------------------------------------------------


def statement():
    k = sp.Symbol("k", positive=True, integer=True)
    return [sp.Eq(sp.Symbol("MMD(T, S_k^herding)"), sp.O(1 / k, (k, sp.oo))),
            sp.Eq(sp.Symbol("E MMD(T, S_k^iid)"), sp.O(1 / sp.sqrt(k), (k, sp.oo)))]


# --- slopes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slope:
    """A log-log slope with its 95% HAC confidence interval."""

    estimate: float
    low: float
    high: float

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high


def loglog_slope(mmd_path: np.ndarray, first: int = FIRST_STEP) -> Slope:
    """OLS of log MMD_k on log k over a geometric grid of k in [first, len(path)], HAC(3) errors."""
    grid = np.unique(np.geomspace(first, mmd_path.size, 40).astype(int))
    values = np.maximum(mmd_path[grid - 1], np.finfo(float).tiny)
    import statsmodels.api as sm  # here, not at module level: ~1.5 s that only this fit needs

    fit = sm.OLS(np.log(values), sm.add_constant(np.log(grid))).fit(cov_type="HAC", cov_kwds={"maxlags": 3})
    low, high = fit.conf_int(0.05)[1]
    return Slope(float(fit.params[1]), float(low), float(high))


def iid_rms_path(features: np.ndarray, steps: int, rng: np.random.Generator, paths: int = IID_PATHS) -> np.ndarray:
    """Root-mean-square over ``paths`` i.i.d. (with replacement) draws of MMD after k = 1..steps points."""
    mean = features.mean(axis=0)
    k = np.arange(1, steps + 1)[:, None]
    squares = np.zeros(steps)
    for _ in range(paths):
        drawn = features[rng.integers(0, features.shape[0], steps)]
        squares += np.sum((np.cumsum(drawn, axis=0) / k - mean) ** 2, axis=1)
    return np.sqrt(squares / paths)


def rate_outcome(features: np.ndarray, rng: np.random.Generator, herd_fn, label: str) -> Outcome:
    herding = loglog_slope(herd_fn(features, STEPS).mmd)
    iid = loglog_slope(iid_rms_path(features, STEPS, rng))
    holds = herding.high < HERDING_CEILING and IID_WINDOW[0] < iid.low and iid.high < IID_WINDOW[1]
    figures = dict(herding_slope=herding.estimate, herding_ci_low=herding.low, herding_ci_high=herding.high,
                   herding_ci_contains_minus_1=herding.contains(-1.0), herding_ci_contains_minus_half=herding.contains(-0.5),
                   iid_slope=iid.estimate, iid_ci_low=iid.low, iid_ci_high=iid.high,
                   iid_ci_contains_minus_1=iid.contains(-1.0), iid_ci_contains_minus_half=iid.contains(-0.5))
    note = (f"{label}: herding slope {herding.estimate:.3f} [{herding.low:.3f}, {herding.high:.3f}], "
            f"i.i.d. {iid.estimate:.3f} [{iid.low:.3f}, {iid.high:.3f}]")
    return Outcome.decide(holds, None if holds else figures, note, **figures)


def herding_with_repeats(features: np.ndarray, steps: int) -> HerdingPath:
    """Herding on the data as candidates, repeats allowed."""
    return herd(features, steps)


def gaussian_features(X: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    return gaussian_random_features(X.shape[1], count, median_bandwidth(X, rng), rng)(X)


# --- checks -----------------------------------------------------------------------------------
checks = Checks()


def herding_update(w: sp.Matrix, mean: sp.Matrix, chosen: sp.Matrix) -> sp.Matrix:
    return w + mean - chosen


@checks.add("telescoping", Kind.SYMBOLIC)
def telescoping(ctx, steps=4, dimension=2, update=herding_update) -> Outcome:
    """sympy: with symbolic μ and chosen features φ₁..φ_k, the recursion w_t = w_{t−1} + μ − φ_t from
    w₀ = μ gives (1/k)Σφ_t − μ = (w₀ − w_k)/k exactly for k = 1..``steps``: the MMD after k steps is
    ‖w_k − w₀‖/k, so bounded weights mean an O(1/k) rate."""
    mean = sp.Matrix(sp.symbols(f"mu0:{dimension}"))
    w, total = mean, sp.zeros(dimension, 1)
    for k in range(1, steps + 1):
        chosen = sp.Matrix(sp.symbols(f"phi{k}_0:{dimension}"))
        w, total = update(w, mean, chosen), total + chosen
        remainder = (total / k - mean - (mean - w) / k).applyfunc(sp.simplify)
        if remainder != sp.zeros(dimension, 1):
            return Outcome.falsified({"k": k, "remainder": str(remainder.T)}, "the herding weights do not telescope")
    return Outcome.verified(steps=steps)


@checks.add("synthetic-rates", Kind.CONSTRUCTION)
def synthetic_rates(ctx, herd_fn=herding_with_repeats) -> Outcome:
    """1000 seeded Gaussian points in ℝ⁵, 16 random Fourier features (median bandwidth), K = 300:
    the herding slope's CI lies below −0.75 and the i.i.d. slope's CI inside [−0.75, −0.25]."""
    rng = ctx.rng("data")
    features = gaussian_features(rng.standard_normal((1000, 5)), 16, rng)
    return rate_outcome(features, rng, herd_fn, "synthetic")


@checks.add("fashion-mnist-rates", Kind.REAL_DATA, needs=(dataset("fashion-mnist"),))
def fashion_mnist_rates(ctx, herd_fn=herding_with_repeats) -> Outcome:
    """A seeded subset of 1000 Fashion-MNIST test images (all classes, pixels in [0, 1]), 32
    random Fourier features of the median-bandwidth Gaussian kernel, K = 300: same criteria."""
    from empirical.datasets import load_fashion_mnist

    rng = ctx.rng("data")
    images, _ = load_fashion_mnist("test")
    subset = images[rng.choice(images.shape[0], 1000, replace=False)]
    return rate_outcome(gaussian_features(subset, 32, rng), rng, herd_fn, "fashion-mnist")


def one_side_of_the_mean(features: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Candidates on the positive side of a random hyperplane through μ in feature space: every
    average of them stays on that side, so μ is outside their hull."""
    direction = rng.standard_normal(features.shape[1])
    return features[(features - features.mean(axis=0)) @ direction > 0]


@checks.add("mean-outside-hull", Kind.COUNTEREXAMPLE)
def mean_outside_hull(ctx, restrict=one_side_of_the_mean) -> Outcome:
    """Drop 'μ in the hull of the candidates': herding towards the mean of 1000 synthetic points
    from candidates ``restrict`` keeps stalls, and its slope CI is not below −0.75 for at least one
    of 3 seeded hyperplanes (the rate fails)."""
    rng = ctx.rng("data")
    features = gaussian_features(rng.standard_normal((1000, 5)), 16, rng)
    slopes = []
    for _ in range(3):
        path = herd(features, STEPS, candidates=restrict(features, rng))
        slope = loglog_slope(path.mmd)
        slopes.append([slope.estimate, slope.low, slope.high])
        if slope.high >= HERDING_CEILING:
            note = (f"without 'μ in the hull of the candidates': slope {slope.estimate:.3f} "
                    f"[{slope.low:.3f}, {slope.high:.3f}], final MMD {path.mmd[-1]:.3g}")
            return Outcome(Verdict.VERIFIED, {"slope": slope.estimate, "final_mmd": path.mmd[-1]},
                           {"slopes": slopes}, note)
    return Outcome.falsified(note="herding kept an O(1/k) rate although μ was outside the candidates' hull",
                             slopes=slopes)


THEOREM = register(
    Theorem(
        id="selvan-chen/herding-rate",
        title="Kernel herding: MMD = O(1/k), against O(1/√k) for i.i.d. subsampling",
        source="Selvan & Chen (arXiv:2509.10367); Chen, Welling & Smola (2010), Super-samples from kernel herding",
        claim=("With a finite-dimensional feature map and the target mean in the relative interior of the "
               "candidates' hull, kernel herding's MMD decays as O(1/k) while i.i.d. subsampling's decays as "
               "O(1/√k); the log-log slopes are fitted with HAC confidence intervals."),
        statement=statement,
        assumptions=(
            Assumption("finite-dimensional feature map", "φ has finite dimension D (random Fourier features here)"),
            Assumption("μ in the hull of the candidates", "the target mean lies in the relative interior of the "
                                                          "convex hull of the candidate features"),
        ),
        checks=checks.freeze(),
        construction=herd,
        conventions="MMD in feature space ‖μ − mean φ(S_k)‖; slopes of log MMD on log k, k ∈ [10, 300] geometric grid",
        status="theorem",
    )
)
