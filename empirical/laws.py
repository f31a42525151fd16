"""Fitting the Luo & Xu laws to runs, with verdict criteria registered before any data is seen.

Unit of evidence. The evaluations of one distilled set (its evaluation seeds, and for a scaling
trial its one configuration) share that set's draw, so they are averaged first: every fit below is
a weighted least-squares fit to *distilled-set means* ȳ_i, with weight 1/(σ_b² + σ_e²/n_i)
(σ_e² the pooled within-set variance, σ_b² the between-set variance by the method of moments,
n_i the set's evaluations; equal n gives equal weights). AIC, R² and the α profile use those
means, never the raw evaluations.

Scaling law (one configuration): Δ(k) = ε_bound + a/√k for k below saturation; the slope a > 0
is tested one-sided by a wild cluster bootstrap-t (restricted to a = 0, Webb's six-point
weights, clusters = distillation seeds, which distilled sets at different k share; enumerated
exactly when 6^G ≤ :data:`BOOTSTRAP_DRAWS`). Alternatives Δ on 1/k and on log k are compared by
AIC; a pure-error lack-of-fit F test (replicate sets at each k) tests the form itself; the free
exponent Δ = a + b·k^(−α) is profiled over α; saturation is a hinge in 1/√k.

Coverage law (M configurations): the union bound over M configurations gives a single-configuration
term plus a √(log M / k) term,

    Δ(k, M) = ε + a/√k + c·√(log M / k),   claim c > 0,

fitted to the worst gap over the subset (after averaging evaluation seeds) and to the mean gap.
It is compared with Δ = ε + a/√k + c·√((M − 1)/k) (k* linear in M) and with the 1/k form
ε + a/k + c·√(log M)/k by leave-one-cluster-out prediction error (clusters = subset draws), and
its lack of fit is F-tested against the draws repeated at each (k, M). k*(ε, M) =
((a + c√(log M))/(ε − ε₀))² is non-decreasing in M whenever c ≥ 0.

Verdicts (``supported`` / ``not-supported`` / ``falsified``) are decided by the constants below,
recorded with their hash in ``empirical/registrations.json`` (see :mod:`empirical.registrations`).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Callable, Iterable

import numpy as np
from scipy import stats

# --- verdict criteria (registered before the data; do not tune to results) ---------------------
SLOPE_P_MAX = 0.01
R2_MIN = 0.8
AIC_DECISIVE = 10.0
LACK_OF_FIT_P_MIN = 0.001
CV_DECISIVE_RATIO = 0.75
BEATS_RANDOM_FAMILY_P = 0.05
BOOTSTRAP_DRAWS = 1999
BOOTSTRAP_SEED = 20261130
ALPHA_CLAIMED = 0.5
ALPHA_PINNED_HALF_WIDTH = 0.1
SATURATION_AIC_GAIN = 4.0
MIN_LEVELS = 3
CHI2_1_95 = 3.841458820694124
CHI2_1_999 = 10.827566170662733  # a pinned α contradicts the law only outside its 99.9% interval
ALPHA_GRID = np.round(np.linspace(0.02, 2.0, 199), 4)
TARGET_GAP_FRACTIONS = (0.25, 0.5, 0.75)
WEBB_WEIGHTS = np.array([-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0, math.sqrt(1.5)])


def criteria() -> dict:
    """Every constant a verdict depends on (what ``empirical/registrations.json`` hashes)."""
    return {"SLOPE_P_MAX": SLOPE_P_MAX, "R2_MIN": R2_MIN, "AIC_DECISIVE": AIC_DECISIVE,
            "LACK_OF_FIT_P_MIN": LACK_OF_FIT_P_MIN, "CV_DECISIVE_RATIO": CV_DECISIVE_RATIO,
            "BEATS_RANDOM_FAMILY_P": BEATS_RANDOM_FAMILY_P, "BOOTSTRAP_DRAWS": BOOTSTRAP_DRAWS,
            "BOOTSTRAP_SEED": BOOTSTRAP_SEED, "ALPHA_CLAIMED": ALPHA_CLAIMED,
            "ALPHA_PINNED_HALF_WIDTH": ALPHA_PINNED_HALF_WIDTH, "SATURATION_AIC_GAIN": SATURATION_AIC_GAIN,
            "MIN_LEVELS": MIN_LEVELS, "ALPHA_GRID": [float(ALPHA_GRID[0]), float(ALPHA_GRID[-1]), len(ALPHA_GRID)],
            "TARGET_GAP_FRACTIONS": list(TARGET_GAP_FRACTIONS), "scaling_regressors": sorted(REGRESSORS),
            "coverage_models": sorted(COVERAGE_MODELS)}


REGRESSORS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "1/sqrt(k)": lambda k: 1 / np.sqrt(k),
    "1/k": lambda k: 1 / k,
    "log k": np.log,
}
LAW_REGRESSOR = "1/sqrt(k)"


def _arrays(k, gap, groups=None):
    k, gap = np.asarray(k, dtype=float), np.asarray(gap, dtype=float)
    if k.ndim != 1 or k.shape != gap.shape or k.size == 0:
        raise ValueError(f"k and gap must be equal-length non-empty 1-D arrays, got {k.shape} and {gap.shape}")
    if not (np.all(np.isfinite(k)) and np.all(np.isfinite(gap))):
        raise ValueError("k and gap must be finite (no NaN or inf)")
    if np.any(k < 1):
        raise ValueError("k (images per class) must be >= 1")
    groups = np.zeros(k.size, dtype=int) if groups is None else np.asarray(groups)
    if groups.shape != k.shape:
        raise ValueError(f"groups must have one entry per point, got {groups.shape} for {k.shape}")
    return k, gap, groups


# --- distilled-set means and their weights -------------------------------------------------------
@dataclass(frozen=True)
class SetMeans:
    """One row per distilled set: its design point (``level``), cluster, mean gap, evaluations, weight."""

    columns: tuple[np.ndarray, ...]
    y: np.ndarray
    cluster: np.ndarray
    level: np.ndarray
    count: np.ndarray
    weight: np.ndarray


def set_means(design: tuple[np.ndarray, ...], y, groups) -> SetMeans:
    """Average the evaluations sharing a design point and a cluster (one distilled set) and weight
    each mean by 1/(σ_b² + σ_e²/n) (method of moments; normalised to mean 1)."""
    y, groups = np.asarray(y, float), np.asarray(groups)
    keys = [tuple(float(c[i]) for c in design) + (groups[i],) for i in range(y.size)]
    index: dict = {}
    codes = np.array([index.setdefault(key, len(index)) for key in keys])
    n = np.bincount(codes).astype(float)
    means = np.bincount(codes, weights=y) / n
    within = float(np.sum((y - means[codes]) ** 2))
    df_within = y.size - n.size
    sigma_e2 = within / df_within if df_within > 0 else 0.0
    first = np.array([np.flatnonzero(codes == c)[0] for c in range(n.size)])
    columns = tuple(np.asarray(c, float)[first] for c in design)
    level_keys = [tuple(float(c[i]) for c in columns) for i in range(n.size)]
    level_index: dict = {}
    level = np.array([level_index.setdefault(key, len(level_index)) for key in level_keys])
    level_means = np.bincount(level, weights=means) / np.bincount(level)
    df_between = n.size - len(level_index)
    between = float(np.sum((means - level_means[level]) ** 2)) / df_between if df_between > 0 else 0.0
    sigma_b2 = max(between - sigma_e2 * float(np.mean(1 / n)), 0.0)
    variance = sigma_b2 + sigma_e2 / n
    weight = 1 / variance if np.all(variance > 0) else np.ones(n.size)
    return SetMeans(columns, means, groups[first], level, n, weight / weight.mean())


# --- weighted least squares on set means ----------------------------------------------------------
@dataclass(frozen=True)
class ModelFit:
    """WLS of the set means on [1, columns...]: coefficients, classical and cluster-robust SEs,
    AIC, pure-error lack of fit, leave-one-cluster-out prediction error and the bootstrap p of the
    last coefficient."""

    coef: np.ndarray
    se: np.ndarray
    df: int
    aic: float
    lack_of_fit_p: float
    cv_mse: float
    last_p_positive: float
    last_p_negative: float
    n: int
    clusters: int
    levels: int
    cov: np.ndarray | None = None


def _solve(X, y, w):
    sw = np.sqrt(w)
    coef, *_ = np.linalg.lstsq(X * sw[:, None], y * sw, rcond=None)
    return coef


def _cluster_se(X, w, residuals, cluster_codes, clusters, column: int | None = None):
    """CR1 standard errors of every coefficient, or of one ``column`` (``residuals``: n × draws).
    Sums over clusters by ``np.add.reduceat`` and products by ``einsum``: no threaded BLAS call on
    the n × draws arrays (on a shared machine those were 100× slower)."""
    bread = np.linalg.pinv(X.T @ (X * w[:, None]))
    influence = bread @ (X * w[:, None]).T  # p × n: coefficient = influence @ y
    order = np.argsort(cluster_codes, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(cluster_codes[order]) != 0])
    scale = clusters / (clusters - 1) if clusters > 1 else 1.0
    rows = influence if column is None else influence[[column]]
    scores = np.stack([np.add.reduceat((row[:, None] * residuals)[order], starts, axis=0) for row in rows])
    return np.sqrt(scale * np.sum(scores**2, axis=1)), influence


def wild_cluster_p(X, y, w, cluster_codes) -> tuple[float, float]:
    """One-sided bootstrap-t p values (last coefficient > 0, < 0): wild cluster bootstrap with the
    null imposed (the last column dropped), Webb weights, exact enumeration when 6^G is small."""
    clusters = int(cluster_codes.max()) + 1
    restricted = _solve(X[:, :-1], y, w)
    fitted = X[:, :-1] @ restricted
    residual = y - fitted
    if len(WEBB_WEIGHTS) ** clusters <= BOOTSTRAP_DRAWS:
        signs = np.array(list(itertools.product(WEBB_WEIGHTS, repeat=clusters)))
    else:
        signs = np.random.default_rng(BOOTSTRAP_SEED).choice(WEBB_WEIGHTS, size=(BOOTSTRAP_DRAWS, clusters))
    draws = fitted[:, None] + residual[:, None] * signs.T[cluster_codes]
    coef = _solve(X, y, w)
    se_obs, influence = _cluster_se(X, w, (y - X @ coef)[:, None], cluster_codes, clusters, column=-1)
    coef_draws = np.einsum("pn,nb->pb", influence, draws)
    se_draws, _ = _cluster_se(X, w, draws - np.einsum("np,pb->nb", X, coef_draws), cluster_codes, clusters,
                              column=-1)
    se_obs, se_draws, coef_obs = float(se_obs[0, 0]), se_draws[0], float(coef[-1])
    if se_obs > 0:
        t_obs = coef_obs / se_obs
    else:
        t_obs = math.copysign(math.inf, coef_obs) if coef_obs else 0.0
    positive = se_draws > 0
    t_draws = np.where(positive, coef_draws[-1] / np.where(positive, se_draws, 1.0), 0.0)
    return float(np.mean(t_draws >= t_obs)), float(np.mean(t_draws <= t_obs))


def _lack_of_fit(residual, w, level, parameters) -> float:
    """Pure-error F test: between-level misfit against the spread of sets at the same level;
    NaN when there are no replicate sets or no spare levels."""
    levels = int(level.max()) + 1
    weight = np.bincount(level, weights=w, minlength=levels)
    level_mean = np.bincount(level, weights=w * residual, minlength=levels) / weight
    pure = float(np.sum(w * (residual - level_mean[level]) ** 2))
    total = float(np.sum(w * residual**2))
    df_pure, df_lof = residual.size - levels, levels - parameters
    if df_pure <= 0 or df_lof <= 0:
        return math.nan
    if pure <= 0:
        return 0.0 if total - pure > 1e-12 * max(total, 1e-300) else 1.0
    return float(stats.f.sf(((total - pure) / df_lof) / (pure / df_pure), df_lof, df_pure))


def _cv_mse(X, y, w, cluster_codes) -> float:
    """Leave-one-cluster-out weighted mean squared prediction error (NaN with one cluster)."""
    clusters = int(cluster_codes.max()) + 1
    if clusters < 2:
        return math.nan
    errors = np.empty(y.size)
    for g in range(clusters):
        out = cluster_codes == g
        errors[out] = y[out] - X[out] @ _solve(X[~out], y[~out], w[~out])
    return float(np.sum(w * errors**2) / np.sum(w))


def fit_model(data: SetMeans, columns: tuple[np.ndarray, ...] | None = None, test: bool = True) -> ModelFit:
    """WLS of the set means on an intercept and ``columns`` (default: the design columns); the
    bootstrap test of the last coefficient only when ``test`` (else its p values are NaN)."""
    columns = data.columns if columns is None else columns
    X = np.column_stack([np.ones(data.y.size), *columns])
    y, w = data.y, data.weight
    codes = np.unique(data.cluster, return_inverse=True)[1]
    clusters = int(codes.max()) + 1
    coef = _solve(X, y, w)
    residual = y - X @ coef
    n, p = y.size, X.shape[1]
    rss = float(np.sum(w * residual**2))
    df = max(n - p, 1)
    with np.errstate(divide="ignore"):
        aic = float(n * math.log(2 * math.pi * rss / n) + n + 2 * (p + 1)) if rss > 0 else -math.inf
    classical_cov = np.linalg.pinv(X.T @ (X * w[:, None])) * rss / df
    classical = np.sqrt(np.maximum(np.diag(classical_cov), 0.0))
    if clusters >= 2:
        robust = _cluster_se(X, w, residual[:, None], codes, clusters)[0][:, 0]
        se = np.maximum(classical, robust)  # the wider of the two: neither understates the other's source
        p_pos, p_neg = wild_cluster_p(X, y, w, codes) if test else (math.nan, math.nan)
        df = min(df, clusters - 1)
    else:
        se = classical
        t = coef[-1] / se[-1] if se[-1] > 0 else math.copysign(math.inf, coef[-1]) if coef[-1] else 0.0
        p_pos, p_neg = float(stats.t.sf(t, df)), float(stats.t.cdf(t, df))
    scale = np.divide(se, classical, out=np.ones_like(se), where=classical > 0)
    cov = classical_cov * np.outer(scale, scale)  # the classical correlation, scaled to the reported SEs
    return ModelFit(coef, se, int(df), aic, _lack_of_fit(residual, w, data.level, p), _cv_mse(X, y, w, codes),
                    p_pos, p_neg, int(n), clusters, int(data.level.max()) + 1, cov)


@dataclass(frozen=True)
class LinearFit:
    """Δ = intercept + slope·x fitted to distilled-set means (see :func:`fit_model`)."""

    regressor: str
    intercept: float
    slope: float
    intercept_ci: tuple[float, float]
    slope_ci: tuple[float, float]
    slope_p_positive: float
    slope_p_negative: float
    r2_means: float
    aic: float
    n: int
    clusters: int
    levels: int
    lack_of_fit_p: float = math.nan
    intercept_se: float = math.nan
    slope_se: float = math.nan
    covariance: tuple[tuple[float, float], tuple[float, float]] | None = None
    df: int = 1

    def band(self, x) -> tuple[np.ndarray, np.ndarray]:
        """Pointwise 95% confidence band of the fitted line at ``x``."""
        x = np.asarray(x, float)
        centre = self.intercept + self.slope * x
        if self.covariance is None:
            return centre, centre
        cov = np.asarray(self.covariance)
        sd = np.sqrt(np.maximum(cov[0, 0] + 2 * x * cov[0, 1] + x**2 * cov[1, 1], 0.0))
        half = float(stats.t.ppf(0.975, max(self.df, 1))) * sd
        return centre - half, centre + half

    def figures(self, prefix: str = "") -> dict[str, float]:
        return {f"{prefix}slope": self.slope, f"{prefix}slope_ci_low": self.slope_ci[0],
                f"{prefix}slope_ci_high": self.slope_ci[1], f"{prefix}intercept": self.intercept,
                f"{prefix}intercept_ci_low": self.intercept_ci[0], f"{prefix}intercept_ci_high": self.intercept_ci[1],
                f"{prefix}slope_p": self.slope_p_positive, f"{prefix}r2_means": self.r2_means,
                f"{prefix}lack_of_fit_p": _reported(self.lack_of_fit_p), f"{prefix}sets": self.n}


def _reported(value: float, missing: str = "n/a (no replicate sets)"):
    """A figure that may be undefined (no replicates, one cluster): the words, not a NaN."""
    return value if math.isfinite(value) else missing


def _ci(value: float, se: float, df: int) -> tuple[float, float]:
    half = float(stats.t.ppf(0.975, max(df, 1))) * se
    return value - half, value + half


def _r2_of_level_means(y, w, level, fitted) -> float:
    levels = int(level.max()) + 1
    weight = np.bincount(level, weights=w, minlength=levels)
    means = np.bincount(level, weights=w * y, minlength=levels) / weight
    curve = np.bincount(level, weights=w * fitted, minlength=levels) / weight
    total = float(np.sum((means - means.mean()) ** 2))
    return float(1 - np.sum((means - curve) ** 2) / total) if total > 0 else 0.0


def fit_line(x, y, groups, regressor: str = "x", test: bool = True) -> LinearFit:
    """Δ = intercept + slope·x on the set means (a set = one x and one group). R² is of the
    per-x mean of y (the curve the law describes)."""
    x, y, groups = np.asarray(x, float), np.asarray(y, float), np.asarray(groups)
    if np.unique(x).size < 2:
        raise ValueError(f"a line needs at least 2 distinct regressor values, got {np.unique(x).size}")
    data = set_means((x,), y, groups)
    fit = fit_model(data, test=test)
    fitted = fit.coef[0] + fit.coef[1] * data.columns[0]
    r2 = _r2_of_level_means(data.y, data.weight, data.level, fitted)
    return LinearFit(regressor, float(fit.coef[0]), float(fit.coef[1]), _ci(fit.coef[0], fit.se[0], fit.df),
                     _ci(fit.coef[1], fit.se[1], fit.df), fit.last_p_positive, fit.last_p_negative, r2, fit.aic,
                     fit.n, fit.clusters, fit.levels, fit.lack_of_fit_p, float(fit.se[0]), float(fit.se[1]),
                     tuple(map(tuple, fit.cov.tolist())), fit.df)


@dataclass(frozen=True)
class ExponentFit:
    """Δ = a + b·k^(−α), α profiled over :data:`ALPHA_GRID` on the set means."""

    alpha: float
    alpha_ci: tuple[float, float]
    a: float
    b: float
    alpha_wide: tuple[float, float] = (0.0, math.inf)

    @property
    def half_width(self) -> float:
        return (self.alpha_ci[1] - self.alpha_ci[0]) / 2

    @property
    def pinned(self) -> bool:
        at_edge = self.alpha_ci[0] <= ALPHA_GRID[0] or self.alpha_ci[1] >= ALPHA_GRID[-1]
        return not at_edge and self.half_width <= ALPHA_PINNED_HALF_WIDTH


def fit_exponent(k, gap, groups=None) -> ExponentFit:
    """Profile likelihood of α on the weighted set means: CI n·log(RSS(α)/RSS_min) ≤ χ²₁."""
    k, gap, groups = _arrays(k, gap, groups)
    data = set_means((k,), gap, groups)
    k, y, w = data.columns[0], data.y, data.weight
    z = k[:, None] ** -ALPHA_GRID[None, :]
    mean_z, mean_y = (w @ z) / w.sum(), (w @ y) / w.sum()
    zc, yc = z - mean_z, y - mean_y
    sxx = np.maximum(w @ zc**2, np.finfo(float).tiny)
    slopes = (w * yc) @ zc / sxx
    intercepts = mean_y - slopes * mean_z
    rss = np.maximum(w @ (yc[:, None] - zc * slopes) ** 2, np.finfo(float).tiny)
    best = int(np.argmin(rss))
    profile = y.size * np.log(rss / rss[best])
    inside, wide = ALPHA_GRID[profile <= CHI2_1_95], ALPHA_GRID[profile <= CHI2_1_999]
    step = ALPHA_GRID[1] - ALPHA_GRID[0]  # the grid's resolution widens the contradiction interval
    return ExponentFit(float(ALPHA_GRID[best]), (float(inside.min()), float(inside.max())),
                       float(intercepts[best]), float(slopes[best]),
                       (float(wide.min() - step), float(wide.max() + step)))


@dataclass(frozen=True)
class Saturation:
    detected: bool
    k_break: float | None
    aic_gain: float


def detect_saturation(k, gap, groups=None) -> Saturation:
    """Hinge in x = 1/√k at an observed k_j (≥ MIN_LEVELS levels below or at it, ≥ 1 above), kept
    when its AIC on the set means (+2 for the breakpoint) beats the straight line by
    SATURATION_AIC_GAIN."""
    k, gap, groups = _arrays(k, gap, groups)
    data = set_means((k,), gap, groups)
    x = 1 / np.sqrt(data.columns[0])
    levels = np.unique(data.columns[0])
    line_aic = fit_model(data, (x,), test=False).aic
    aics = {k_break: fit_model(data, (np.maximum(x - 1 / np.sqrt(k_break), 0),), test=False).aic + 2
            for k_break in levels[MIN_LEVELS - 1:-1]}
    best_gain, best_k = -np.inf, None
    for k_break, aic in aics.items():
        gain = line_aic - aic if math.isfinite(line_aic - aic) else (math.inf if aic == -math.inf else -math.inf)
        if gain > best_gain:
            best_gain, best_k = gain, float(k_break)
    detected = best_k is not None and best_gain >= SATURATION_AIC_GAIN
    return Saturation(bool(detected), best_k if detected else None, float(best_gain) if best_k else 0.0)


@dataclass(frozen=True)
class ScalingAssessment:
    """Everything the scaling-law verdict is decided from, for one (method, configuration)."""

    law: LinearFit
    alternatives: dict[str, LinearFit]
    exponent: ExponentFit
    saturation: Saturation
    verdict: str
    reasons: tuple[str, ...]

    def figures(self, prefix: str = "") -> dict[str, float]:
        out = self.law.figures(prefix)
        out.update({f"{prefix}aic_{name}": fit.aic for name, fit in self.alternatives.items()})
        out.update({f"{prefix}alpha": self.exponent.alpha, f"{prefix}alpha_ci_low": self.exponent.alpha_ci[0],
                    f"{prefix}alpha_ci_high": self.exponent.alpha_ci[1],
                    f"{prefix}k_break": self.saturation.k_break if self.saturation.detected else 0.0})
        return out


def judge(law: LinearFit, alternatives: dict[str, LinearFit], exponent: ExponentFit | None) -> tuple[str, tuple[str, ...]]:
    """Apply the registered criteria; return (verdict, the reasons that decided it)."""
    contradictions, shortfalls = [], []
    for name, fit in alternatives.items():
        if name != law.regressor and law.aic - fit.aic > AIC_DECISIVE:
            contradictions.append(f"Δ on {name} beats {law.regressor} by ΔAIC {law.aic - fit.aic:.1f} > {AIC_DECISIVE:g} "
                                  f"({law.n} set means)")
    if law.slope_p_negative < SLOPE_P_MAX:
        contradictions.append(f"slope {law.slope:.3g} < 0 (p = {law.slope_p_negative:.2g})")
    if law.lack_of_fit_p < LACK_OF_FIT_P_MIN:
        contradictions.append(f"pure-error lack-of-fit F test rejects the form (p = {law.lack_of_fit_p:.2g} "
                              f"< {LACK_OF_FIT_P_MIN:g})")
    if exponent is not None and exponent.pinned and not exponent.alpha_wide[0] <= ALPHA_CLAIMED <= exponent.alpha_wide[1]:
        contradictions.append(f"α 99.9% interval [{exponent.alpha_wide[0]:.2f}, {exponent.alpha_wide[1]:.2f}] "
                              f"excludes {ALPHA_CLAIMED}")
    if law.slope_p_positive >= SLOPE_P_MAX:
        shortfalls.append(f"slope {law.slope:.3g} not > 0 at p < {SLOPE_P_MAX} (wild cluster bootstrap p = "
                          f"{law.slope_p_positive:.2g}, {law.clusters} clusters)")
    if law.r2_means < R2_MIN:
        shortfalls.append(f"R² of the mean gaps {law.r2_means:.2f} < {R2_MIN}")
    if law.levels < MIN_LEVELS:
        shortfalls.append(f"only {law.levels} distinct k on the fitted segment (< {MIN_LEVELS})")
    if not math.isfinite(law.lack_of_fit_p):
        shortfalls.append("no replicate distilled sets at a k: the form's lack of fit is untestable")
    if contradictions:
        return "falsified", tuple(contradictions + shortfalls)
    if shortfalls:
        return "not-supported", tuple(shortfalls)
    return "supported", (f"slope {law.slope:.3g} > 0 (p = {law.slope_p_positive:.2g}), lack of fit p = "
                         f"{law.lack_of_fit_p:.2g}, R² {law.r2_means:.2f}",)


def assess_scaling(k, gap, groups) -> ScalingAssessment:
    """Saturation first; the law, its alternatives and α are fitted on the pre-saturation segment."""
    k, gap, groups = _arrays(k, gap, groups)
    saturation = (detect_saturation(k, gap, groups) if np.unique(k).size > MIN_LEVELS
                  else Saturation(False, None, 0.0))
    keep = k <= saturation.k_break if saturation.detected else np.ones(k.size, bool)
    ks, gs, cs = k[keep], gap[keep], groups[keep]
    fits = {name: fit_line(f(ks), gs, cs, name, test=name == LAW_REGRESSOR) for name, f in REGRESSORS.items()}
    exponent = fit_exponent(ks, gs, cs)
    verdict, reasons = judge(fits[LAW_REGRESSOR], fits, exponent)
    return ScalingAssessment(fits[LAW_REGRESSOR], fits, exponent, saturation, verdict, reasons)


# --- beating the random-real-subset baseline ----------------------------------------------------
@dataclass(frozen=True)
class BaselineComparison:
    """Per k: margin = baseline gap − method gap (set means), one-sided p that the margin is > 0
    (paired t over distillation seeds when they match, Welch otherwise), Holm-adjusted p."""

    k: tuple[float, ...]
    margin: tuple[float, ...]
    p: tuple[float, ...]
    holm_p: tuple[float, ...]
    paired: tuple[bool, ...]

    @property
    def beats_everywhere(self) -> bool:
        return bool(self.k) and all(p < BEATS_RANDOM_FAMILY_P for p in self.holm_p)


def _one_sided_p(a: np.ndarray, b: np.ndarray, paired: bool) -> float:
    """p of mean(a − b) > 0."""
    diff = a - b
    if paired:
        if diff.size < 2:
            return math.nan
        sd = float(np.std(diff, ddof=1))
        if sd == 0:
            return 0.0 if diff.mean() > 0 else 1.0
        return float(stats.t.sf(diff.mean() / (sd / math.sqrt(diff.size)), diff.size - 1))
    if a.size < 2 or b.size < 2:
        return math.nan
    return float(stats.ttest_ind(a, b, equal_var=False, alternative="greater").pvalue)


def beats_random(k, gap, seeds, base_k, base_gap, base_seeds) -> BaselineComparison:
    """The method's gap below the random subset's at every shared k, Holm over the k's."""
    method = {}
    for label, (kk, gg, ss) in {"method": (k, gap, seeds), "base": (base_k, base_gap, base_seeds)}.items():
        kk, gg, ss = _arrays(kk, gg, ss)
        data = set_means((kk,), gg, ss)
        method[label] = data
    ours, base = method["method"], method["base"]
    shared = sorted(set(ours.columns[0]) & set(base.columns[0]))
    ks, margins, ps, paired = [], [], [], []
    for size in shared:
        a_mask, b_mask = base.columns[0] == size, ours.columns[0] == size
        a_seeds, b_seeds = base.cluster[a_mask], ours.cluster[b_mask]
        match = sorted(set(a_seeds)) == sorted(set(b_seeds)) and len(set(a_seeds)) == a_seeds.size
        a, b = base.y[a_mask], ours.y[b_mask]
        if match:
            a, b = a[np.argsort(a_seeds)], b[np.argsort(b_seeds)]
        ks.append(float(size))
        margins.append(float(a.mean() - b.mean()))
        ps.append(_one_sided_p(a, b, match))
        paired.append(bool(match))
    order = np.argsort([p if math.isfinite(p) else 2.0 for p in ps])
    holm, running = [math.nan] * len(ps), 0.0
    for rank, i in enumerate(order):
        value = ps[i] * (len(ps) - rank) if math.isfinite(ps[i]) else 1.0
        running = max(running, min(value, 1.0))
        holm[i] = running
    return BaselineComparison(tuple(ks), tuple(margins), tuple(ps), tuple(holm), tuple(paired))


# --- coverage law: the union bound over M configurations ------------------------------------------
COVERAGE_MODELS: dict[str, Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, ...]]] = {
    "ε + a/√k + c·√(log M / k)": lambda k, m: (1 / np.sqrt(k), np.sqrt(np.log(m) / k)),
    "ε + a/√k + c·√((M − 1)/k)": lambda k, m: (1 / np.sqrt(k), np.sqrt((m - 1) / k)),
    "ε + a/k + c·√(log M)/k": lambda k, m: (1 / k, np.sqrt(np.log(m)) / k),
}
COVERAGE_LAW = "ε + a/√k + c·√(log M / k)"
COVERAGE_REGRESSOR = "sqrt(log M / k)"


def coverage_regressor(k, m):
    """X = √(log M)/√k, the coverage term of the union bound."""
    return np.sqrt(np.log(np.asarray(m, float)) / np.asarray(k, float))


@dataclass(frozen=True)
class CoverageFit:
    """Δ = ε + a·u(k) + c·v(k, M) on the set means, c tested one-sided by the wild cluster bootstrap."""

    model: str
    floor: float
    a: float
    c: float
    floor_ci: tuple[float, float]
    a_ci: tuple[float, float]
    c_ci: tuple[float, float]
    c_p_positive: float
    c_p_negative: float
    lack_of_fit_p: float
    cv_mse: float
    aic: float
    n: int
    clusters: int
    levels: int

    def predict(self, k, m) -> np.ndarray:
        u, v = COVERAGE_MODELS[self.model](np.asarray(k, float), np.asarray(m, float))
        return self.floor + self.a * u + self.c * v

    def figures(self, prefix: str = "") -> dict:
        return {f"{prefix}floor": self.floor, f"{prefix}a": self.a, f"{prefix}c": self.c,
                f"{prefix}c_ci_low": self.c_ci[0], f"{prefix}c_ci_high": self.c_ci[1],
                f"{prefix}c_p": self.c_p_positive,
                f"{prefix}lack_of_fit_p": _reported(self.lack_of_fit_p),
                f"{prefix}cv_mse": _reported(self.cv_mse, "n/a (one subset draw)"),
                f"{prefix}sets": self.n}


def fit_coverage(k, m, gap, groups, model: str = COVERAGE_LAW, test: bool = True) -> CoverageFit:
    """One coverage model fitted to the set means (a set = one k, one M and one subset draw)."""
    k, m, gap, groups = np.asarray(k, float), np.asarray(m, float), np.asarray(gap, float), np.asarray(groups)
    data = set_means((k, m), gap, groups)
    fit = fit_model(data, COVERAGE_MODELS[model](*data.columns), test=test)
    ci = [_ci(fit.coef[i], fit.se[i], fit.df) for i in range(3)]
    return CoverageFit(model, *(float(v) for v in fit.coef), *ci, fit.last_p_positive, fit.last_p_negative,
                       fit.lack_of_fit_p, fit.cv_mse, fit.aic, fit.n, fit.clusters, fit.levels)


@dataclass(frozen=True)
class CoverageAssessment:
    worst: CoverageFit
    mean: CoverageFit
    alternatives: dict[str, CoverageFit]
    k_star: dict[float, dict[int, float]] = field(default_factory=dict)
    verdict: str = ""
    reasons: tuple[str, ...] = ()


def judge_coverage(law: CoverageFit, alternatives: dict[str, CoverageFit], sizes: int,
                   ks: int) -> tuple[str, tuple[str, ...]]:
    """The registered coverage criteria: c > 0 (bootstrap p < SLOPE_P_MAX), no pure-error lack of
    fit, no alternative predicting held-out subset draws with mean squared error below
    CV_DECISIVE_RATIO × the law's."""
    contradictions, shortfalls = [], []
    for name, fit in alternatives.items():
        if name != law.model and fit.cv_mse < CV_DECISIVE_RATIO * law.cv_mse:
            contradictions.append(f"{name} predicts held-out subset draws better (cross-validated MSE "
                                  f"{fit.cv_mse:.3g} < {CV_DECISIVE_RATIO:g} × {law.cv_mse:.3g})")
    if law.c_p_negative < SLOPE_P_MAX:
        contradictions.append(f"c = {law.c:.3g} < 0 (p = {law.c_p_negative:.2g}): the gap shrinks with M")
    if law.lack_of_fit_p < LACK_OF_FIT_P_MIN:
        contradictions.append(f"pure-error lack-of-fit F test rejects the form (p = {law.lack_of_fit_p:.2g})")
    if law.c_p_positive >= SLOPE_P_MAX:
        shortfalls.append(f"c = {law.c:.3g} not > 0 at p < {SLOPE_P_MAX} (wild cluster bootstrap p = "
                          f"{law.c_p_positive:.2g}, {law.clusters} clusters)")
    if not math.isfinite(law.lack_of_fit_p):
        shortfalls.append("no repeated subset draws at a (k, M): the form's lack of fit is untestable")
    if not math.isfinite(law.cv_mse):
        shortfalls.append("one subset draw only: no cross-validated comparison with the alternatives")
    if sizes < 3 or ks < MIN_LEVELS:
        shortfalls.append(f"{sizes} values of M and {ks} of k (need ≥ 3 each)")
    if contradictions:
        return "falsified", tuple(contradictions + shortfalls)
    if shortfalls:
        return "not-supported", tuple(shortfalls)
    return "supported", (f"c = {law.c:.3g} > 0 (p = {law.c_p_positive:.2g}), lack of fit p = {law.lack_of_fit_p:.2g}, "
                         f"no alternative predicts held-out draws better by the registered margin",)


def coverage_targets(fit: CoverageFit, k, worst) -> tuple[float, ...]:
    """Target gaps between the fitted floor and the mean worst gap at the smallest k."""
    top = float(np.mean(np.asarray(worst)[np.asarray(k) == np.min(k)]))
    return tuple(round(fit.floor + f * (top - fit.floor), 6) for f in TARGET_GAP_FRACTIONS)


def assess_coverage(k, m, worst_gap, mean_gap, groups) -> CoverageAssessment:
    """The union bound fitted to the worst and the mean gap; alternatives on the worst gap; the
    verdict on the worst gap; k*(ε, M) for the registered target fractions."""
    k, worst_gap, groups = _arrays(k, worst_gap, groups)
    m, mean_gap = np.asarray(m, float), np.asarray(mean_gap, float)
    if m.shape != k.shape or not np.all(np.isfinite(m)) or np.any(m < 1):
        raise ValueError("M (configurations per subset) must be >= 1, one per point")
    if mean_gap.shape != k.shape or not np.all(np.isfinite(mean_gap)):
        raise ValueError("the mean gap must be finite, one per point")
    if np.unique(m).size < 2 or np.unique(k).size < 2:
        raise ValueError(f"the coverage law needs at least 2 values of M and of k, got {np.unique(m).size} and "
                         f"{np.unique(k).size}")
    fits = {name: fit_coverage(k, m, worst_gap, groups, name, test=name == COVERAGE_LAW) for name in COVERAGE_MODELS}
    law = fits[COVERAGE_LAW]
    mean = fit_coverage(k, m, mean_gap, groups)
    verdict, reasons = judge_coverage(law, fits, np.unique(m).size, np.unique(k).size)
    k_star = {target: {int(size): required_k_union(law, size, target) for size in np.unique(m)}
              for target in coverage_targets(law, k, worst_gap)}
    return CoverageAssessment(law, mean, fits, k_star, verdict, reasons)


def worst_of(verdicts: Iterable[str]) -> str:
    """The law's verdict over groups: any falsified → falsified, any not-supported → not-supported."""
    verdicts = list(verdicts)
    for candidate in ("falsified", "not-supported"):
        if candidate in verdicts:
            return candidate
    return "supported" if verdicts else "not-supported"


def required_k(slope: float, intercept: float, gap: float) -> float:
    """k* = (a/(ε − ε_bound))² from ε = ε_bound + a/√k; ``inf`` when ε ≤ ε_bound."""
    return math.inf if gap <= intercept or slope <= 0 else (slope / (gap - intercept)) ** 2


def required_k_union(fit: CoverageFit, m: float, gap: float) -> float:
    """k* = ((a + c√(log M))/(ε − ε₀))² from the union bound; ``inf`` when ε ≤ ε₀ (below the floor)
    or the combined slope is not positive."""
    return required_k(fit.a + fit.c * math.sqrt(math.log(m)), fit.floor, gap)
