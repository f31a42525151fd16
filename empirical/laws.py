"""Fitting the Luo & Xu laws to runs, with verdict criteria fixed before any data is seen.

Scaling law (one configuration): Δ(k) = ε_bound + a/√k for k below saturation. We regress Δ on
x = 1/√k by OLS with standard errors clustered by distillation seed (the evaluations of one
distilled set share its draw), so the intercept estimates ε_bound and the slope a. Alternatives
Δ on 1/k and on log k are fitted to the same points and compared by AIC; a free exponent
Δ = a + b·k^(−α) is profiled over α (CI: n·log(RSS(α)/RSS_min) ≤ χ²₁,₀.₉₅); saturation is a
hinge Δ = a + b·max(x − x₀, 0) with x₀ on the observed grid, kept when it lowers AIC by at least
:data:`SATURATION_AIC_GAIN` (the breakpoint counted as a parameter).

Coverage law (M configurations): Δ(k, M) = ε + c·√(log M)/√k; regress the worst (and mean) gap
over the subset's configurations on X = √(log M / k), clustered by subset draw; then per M fit
Δ = a_M + b_M/√k, invert k*_M(ε) = (b_M/(ε − a_M))² and regress k* on log M.

Verdicts (``supported`` / ``not-supported`` / ``falsified``), decided by the constants below:
supported when the slope is positive at one-sided p < :data:`SLOPE_P_MAX`, the line explains
R² ≥ :data:`R2_MIN` of the variance of the per-k mean gaps on the fitted segment, no alternative
regressor beats it by more than :data:`AIC_DECISIVE`, and no contradiction below. The law is
*falsified* when the data contradict it decisively: an alternative wins by more than AIC_DECISIVE,
the slope is negative at p < SLOPE_P_MAX, or α is pinned (95% CI half-width ≤
:data:`ALPHA_PINNED_HALF_WIDTH`) and its 99.9% profile interval, widened by one grid step,
excludes 1/2. Anything else is ``not-supported``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Callable, Iterable

import numpy as np

# --- verdict criteria (fixed before the data; do not tune to results) --------------------------
SLOPE_P_MAX = 0.01
R2_MIN = 0.8
AIC_DECISIVE = 10.0
ALPHA_CLAIMED = 0.5
ALPHA_PINNED_HALF_WIDTH = 0.1
SATURATION_AIC_GAIN = 4.0
MIN_LEVELS = 3
CHI2_1_95 = 3.841458820694124
CHI2_1_999 = 10.827566170662733  # a pinned α contradicts the law only outside its 99.9% interval
ALPHA_GRID = np.round(np.linspace(0.02, 2.0, 199), 4)
TARGET_GAP_FRACTIONS = (0.25, 0.5, 0.75)

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


@dataclass(frozen=True)
class LinearFit:
    """OLS of y on [1, x] with cluster-robust (by group) standard errors, t with G − 1 df."""

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

    def figures(self, prefix: str = "") -> dict[str, float]:
        return {f"{prefix}slope": self.slope, f"{prefix}slope_ci_low": self.slope_ci[0],
                f"{prefix}slope_ci_high": self.slope_ci[1], f"{prefix}intercept": self.intercept,
                f"{prefix}intercept_ci_low": self.intercept_ci[0], f"{prefix}intercept_ci_high": self.intercept_ci[1],
                f"{prefix}slope_p": self.slope_p_positive, f"{prefix}r2_means": self.r2_means, f"{prefix}n": self.n}


def fit_line(x, y, groups, regressor: str = "x") -> LinearFit:
    """Δ = intercept + slope·x. R² is of the per-x mean of y (the curve the law describes)."""
    import statsmodels.api as sm

    x, y, groups = np.asarray(x, float), np.asarray(y, float), np.asarray(groups)
    levels = np.unique(x)
    if levels.size < 2:
        raise ValueError(f"a line needs at least 2 distinct regressor values, got {levels.size}")
    design = sm.add_constant(x, has_constant="add")
    clusters = np.unique(groups).size
    model = sm.OLS(y, design)
    with warnings.catch_warnings():  # a degenerate (zero-variance) cluster covariance gives NaN CIs, kept as such
        warnings.simplefilter("ignore", RuntimeWarning)
        if clusters >= 2:
            codes = np.unique(groups, return_inverse=True)[1]
            result = model.fit(cov_type="cluster", cov_kwds={"groups": codes}, use_t=True)
        else:
            result = model.fit()
        params, se = np.asarray(result.params), np.asarray(result.bse)
        ci = np.asarray(result.conf_int(0.05))
        aic = float(result.aic)
    df = max(clusters - 1, 1) if clusters >= 2 else max(y.size - 2, 1)
    from scipy import stats

    if se[1] > 0 and np.isfinite(se[1]):
        t = params[1] / se[1]
        p_pos, p_neg = float(stats.t.sf(t, df)), float(stats.t.cdf(t, df))
    else:
        p_pos = 0.0 if params[1] > 0 else 1.0
        p_neg = 0.0 if params[1] < 0 else 1.0
    means = np.array([y[x == level].mean() for level in levels])
    fitted = params[0] + params[1] * levels
    total = np.sum((means - means.mean()) ** 2)
    r2 = float(1 - np.sum((means - fitted) ** 2) / total) if total > 0 else 0.0
    return LinearFit(regressor, float(params[0]), float(params[1]), (float(ci[0, 0]), float(ci[0, 1])),
                     (float(ci[1, 0]), float(ci[1, 1])), p_pos, p_neg, r2, aic, int(y.size),
                     int(clusters), int(levels.size))


@dataclass(frozen=True)
class ExponentFit:
    """Δ = a + b·k^(−α), α profiled over :data:`ALPHA_GRID`."""

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


def fit_exponent(k, gap) -> ExponentFit:
    k, gap, _ = _arrays(k, gap)
    z = k[:, None] ** -ALPHA_GRID[None, :]  # one column per α: simple regression of Δ on k^(−α)
    zc, yc = z - z.mean(0), gap - gap.mean()
    sxx = np.maximum(np.sum(zc**2, 0), np.finfo(float).tiny)
    slopes = zc.T @ yc / sxx
    intercepts = gap.mean() - slopes * z.mean(0)
    rss = np.maximum(np.sum((yc[:, None] - zc * slopes) ** 2, 0), np.finfo(float).tiny)
    best = int(np.argmin(rss))
    coefficients = np.column_stack([intercepts, slopes])
    profile = k.size * np.log(rss / rss[best])
    inside, wide = ALPHA_GRID[profile <= CHI2_1_95], ALPHA_GRID[profile <= CHI2_1_999]
    step = ALPHA_GRID[1] - ALPHA_GRID[0]  # the grid's resolution widens the contradiction interval
    return ExponentFit(float(ALPHA_GRID[best]), (float(inside.min()), float(inside.max())),
                       float(coefficients[best][0]), float(coefficients[best][1]),
                       (float(wide.min() - step), float(wide.max() + step)))


@dataclass(frozen=True)
class Saturation:
    detected: bool
    k_break: float | None
    aic_gain: float


def detect_saturation(k, gap) -> Saturation:
    """Hinge in x = 1/√k at an observed k_j (≥ MIN_LEVELS levels below or at it, ≥ 1 above), kept
    when its AIC (+2 for the breakpoint) beats the straight line by SATURATION_AIC_GAIN."""
    import statsmodels.api as sm

    k, gap, _ = _arrays(k, gap)
    x = 1 / np.sqrt(k)
    levels = np.unique(k)
    with warnings.catch_warnings():  # an exact fit has log(0) likelihood; its AIC is -inf, which is fine
        warnings.simplefilter("ignore", RuntimeWarning)
        line_aic = sm.OLS(gap, sm.add_constant(x, has_constant="add")).fit().aic
        aics = {k_break: sm.OLS(gap, sm.add_constant(np.maximum(x - 1 / np.sqrt(k_break), 0),
                                                     has_constant="add")).fit().aic + 2
                for k_break in levels[MIN_LEVELS - 1:-1]}
    best_gain, best_k = -np.inf, None
    for k_break, aic in aics.items():
        if line_aic - aic > best_gain:
            best_gain, best_k = line_aic - aic, float(k_break)
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
    """Apply the pre-registered criteria; return (verdict, the reasons that decided it)."""
    contradictions, shortfalls = [], []
    for name, fit in alternatives.items():
        if name != law.regressor and law.aic - fit.aic > AIC_DECISIVE:
            contradictions.append(f"Δ on {name} beats {law.regressor} by ΔAIC {law.aic - fit.aic:.1f} > {AIC_DECISIVE:g}")
    if law.slope_p_negative < SLOPE_P_MAX:
        contradictions.append(f"slope {law.slope:.3g} < 0 (p = {law.slope_p_negative:.2g})")
    if exponent is not None and exponent.pinned and not exponent.alpha_wide[0] <= ALPHA_CLAIMED <= exponent.alpha_wide[1]:
        contradictions.append(f"α 99.9% interval [{exponent.alpha_wide[0]:.2f}, {exponent.alpha_wide[1]:.2f}] "
                              f"excludes {ALPHA_CLAIMED}")
    if law.slope_p_positive >= SLOPE_P_MAX:
        shortfalls.append(f"slope {law.slope:.3g} not > 0 at p < {SLOPE_P_MAX} (p = {law.slope_p_positive:.2g})")
    if law.r2_means < R2_MIN:
        shortfalls.append(f"R² of the mean gaps {law.r2_means:.2f} < {R2_MIN}")
    if law.levels < MIN_LEVELS:
        shortfalls.append(f"only {law.levels} distinct k on the fitted segment (< {MIN_LEVELS})")
    if contradictions:
        return "falsified", tuple(contradictions + shortfalls)
    if shortfalls:
        return "not-supported", tuple(shortfalls)
    return "supported", (f"slope {law.slope:.3g} > 0 (p = {law.slope_p_positive:.2g}), R² {law.r2_means:.2f}",)


def assess_scaling(k, gap, groups) -> ScalingAssessment:
    """Saturation first; the law, its alternatives and α are fitted on the pre-saturation segment."""
    k, gap, groups = _arrays(k, gap, groups)
    saturation = detect_saturation(k, gap) if np.unique(k).size > MIN_LEVELS else Saturation(False, None, 0.0)
    keep = k <= saturation.k_break if saturation.detected else np.ones(k.size, bool)
    ks, gs, cs = k[keep], gap[keep], groups[keep]
    fits = {name: fit_line(f(ks), gs, cs, name) for name, f in REGRESSORS.items()}
    exponent = fit_exponent(ks, gs)
    verdict, reasons = judge(fits[LAW_REGRESSOR], fits, exponent)
    return ScalingAssessment(fits[LAW_REGRESSOR], fits, exponent, saturation, verdict, reasons)


# --- coverage law ---------------------------------------------------------------------------
@dataclass(frozen=True)
class CoverageAssessment:
    worst: LinearFit
    mean: LinearFit
    k_star: dict[float, LinearFit | None] = field(default_factory=dict)
    k_star_points: dict[float, list[tuple[int, float]]] = field(default_factory=dict)
    verdict: str = ""
    reasons: tuple[str, ...] = ()
    alternatives: dict[str, LinearFit] = field(default_factory=dict)


COVERAGE_REGRESSORS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "sqrt(log M / k)": lambda k, m: np.sqrt(np.log(m) / k),
    "1/sqrt(k)": lambda k, m: 1 / np.sqrt(k),
    "sqrt(M / k)": lambda k, m: np.sqrt(m / k),
}
COVERAGE_REGRESSOR = "sqrt(log M / k)"


def coverage_regressor(k, m):
    """X = √(log M)/√k."""
    return COVERAGE_REGRESSORS[COVERAGE_REGRESSOR](np.asarray(k, float), np.asarray(m, float))


def assess_coverage(k, m, worst_gap, mean_gap, groups) -> CoverageAssessment:
    """Δ_max and Δ_mean on √(log M / k), the worst gap also on 1/√k (no M dependence) and on √(M/k)
    (polynomial coverage) for the AIC comparison; then k*(ε) per M and its regression on log M
    (needs at least 3 values of M with a usable per-M fit)."""
    k, worst_gap, groups = _arrays(k, worst_gap, groups)
    m, mean_gap = np.asarray(m, float), np.asarray(mean_gap, float)
    if m.shape != k.shape or np.any(m < 1):
        raise ValueError("M (configurations per subset) must be >= 1, one per point")
    fits = {name: fit_line(f(k, m), worst_gap, groups, name) for name, f in COVERAGE_REGRESSORS.items()}
    worst = fits[COVERAGE_REGRESSOR]
    mean = fit_line(coverage_regressor(k, m), mean_gap, groups, COVERAGE_REGRESSOR)
    per_m = {int(size): fit_line(1 / np.sqrt(k[m == size]), worst_gap[m == size], groups[m == size], "1/sqrt(k)")
             for size in np.unique(m) if np.unique(k[m == size]).size >= 2}
    k_star, points = {}, {}
    if per_m:
        floor = max(fit.intercept for fit in per_m.values())
        top = float(np.mean(worst_gap[k == k.min()]))
        for fraction in TARGET_GAP_FRACTIONS:
            target = round(floor + fraction * (top - floor), 6)
            pts = [(size, required_k(fit.slope, fit.intercept, target)) for size, fit in per_m.items()]
            pts = [(size, value) for size, value in pts if math.isfinite(value)]
            points[target] = pts
            usable = len(pts) >= 3
            k_star[target] = (fit_line(np.log([p[0] for p in pts]), [p[1] for p in pts], np.zeros(len(pts)),
                                       "log M") if usable else None)
    verdict, reasons = judge(worst, fits, None)
    growth = [fit for fit in k_star.values() if fit is not None]
    if verdict == "supported" and growth and any(fit.slope <= 0 for fit in growth):
        verdict, reasons = "not-supported", ("k*(ε) does not grow with log M for every target gap",)
    return CoverageAssessment(worst, mean, k_star, points, verdict, reasons, fits)


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
