"""Generalised linear models: single-point distillation (Izzo & Zou, Theorem 1, and the project's
ridge variant), the gradient-descent solver the theorem is about, and a statsmodels fit helper.

Families
--------
A canonical-link exponential family is given by its cumulant b(η): the negative log-likelihood of
one example is ℓ(θ; x, y) = −y·xᵀθ + b(xᵀθ) (up to a θ-free term), the mean is g⁻¹(η) = b′(η) and
the variance function is b″(η) > 0. :data:`FAMILIES` holds the three families checked:

=========  ===============  =================  ==========================  ===================
name       b(η)             g⁻¹(η)             data responses              mean range
=========  ===============  =================  ==========================  ===================
gaussian   η²/2             η                  any finite real             (−∞, ∞)
bernoulli  log(1 + e^η)     1/(1 + e^(−η))     labels coded 0/1            (0, 1)
poisson    e^η              e^η                non-negative integer counts (0, ∞)
=========  ===============  =================  ==========================  ===================

Each formula is written in sympy (the mean and variance in forms that are stable in floating
point; the symbolic check of Theorem 1 confirms they equal b′ and b″ and that g inverts the mean)
and turned into numeric functions for an :class:`Arithmetic` (float64, mpmath at the caller's
precision, or exact sympy numbers).

Theorem 1
---------
The single point is x̃ = θ, ỹ = g⁻¹(‖θ‖²) (:func:`single_point`). Its label is a *mean*, so it
lies in the family's open mean range, not in the data's response set (ỹ ∈ (0, 1) for Bernoulli).

Gradient descent on one point
-----------------------------
On a single point (x̃, ỹ) the gradient is (g⁻¹(x̃ᵀθ) − ỹ)·x̃, so every iterate stays on the line
θ₀ + span(x̃) and only the margin z = x̃ᵀθ moves: z ← z − η‖x̃‖²(g⁻¹(z) − ỹ), with fixed point
z* = g(ỹ). :func:`single_point_gradient_descent` uses the step-size rule

    η_k = 1 / (‖x̃‖² · max{b″(z) : z between z_k and z*}),

the inverse curvature bound on the segment still to travel. With it, by the mean value theorem,
z* − z_{k+1} = (z* − z_k)(1 − η_k‖x̃‖² b″(ξ_k)) with 0 < η_k‖x̃‖²b″(ξ_k) ≤ 1: the margin moves
monotonically towards z* without overshooting. Each family's b″ is unimodal (non-decreasing up to
``curvature_peak``, non-increasing after it), so the maximum over an interval is b″ at the peak
clipped to the interval, and the minimum is at one of its ends.

Stopping rule (derived, not tuned): the distance of θ_k to the limit of the run is
|z_k − z*|/‖x̃‖ ≤ |g⁻¹(z_k) − ỹ| / (‖x̃‖ · min{b″ between z_k and z*}) — the gradient norm divided
by the curvature along x̃. The run stops when this certificate is ≤ ``tol``·‖θ_k‖, when rounding
takes over (a step no longer changes θ_k, or the residual g⁻¹(z_k) − ỹ changes sign, which an
exact step never does), or after ``max_steps``.

Ridge single points (project statement)
---------------------------------------
Objective (1/n)Σℓᵢ(θ) + (λ/2)‖θ‖² on the data and ℓ(θ; x̃, ỹ) + (λ/2)‖θ‖² on the point (loss
averaged, penalty halved: :func:`fit_ridge_half_lambda`; the seed paper and
:mod:`constructions.logistic` write λ‖θ‖², where the logistic threshold below reads 2λt² ≤ W(1/e));
t = ‖θ*‖, u = θ*/t.

* linear, ℓ = ½(y − θᵀx)²: x̃ = s·u, ỹ = t(s² + λ)/s for any s ≠ 0 (:func:`linear_ridge_point`);
  with ỹ fixed, s solves t·s² − ỹ·s + λt = 0, real iff λ ≤ ỹ²/(4t²)
  (:func:`linear_ridge_point_for_label`).
* logistic, ℓ = log(1 + e^{−yθᵀx}), y ∈ {−1, +1}: x̃ = (m/t)·u, ỹ = +1, where m > 0 solves
  m/(1 + eᵐ) = λt² (:func:`logistic_ridge_point`); a root exists iff λt² ≤ W(1/e) ≈ 0.278465.
  We take the smaller root, m ∈ (0, 1 + W(1/e)].
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any, Callable

import mpmath
import numpy as np
import sympy as sp
from scipy.optimize import brentq
from scipy.special import lambertw

from constructions.logistic import LogisticData, fit_logistic_ridge_full_lambda
from constructions.validation import as_matrix, as_vector, require_binary, require_counts, require_nonnegative

ETA = sp.Symbol("eta", real=True)
MU = sp.Symbol("mu", positive=True)

LAMBERT_MAX = float(lambertw(math.exp(-1)).real)
"""W(1/e) ≈ 0.278465: the maximum of m/(1 + eᵐ) over m > 0, attained at m = 1 + W(1/e)."""
LAMBERT_ARGMAX = 1.0 + LAMBERT_MAX


# --- arithmetic -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Arithmetic:
    """How numbers are represented: float64, mpmath (at the caller's ``mpmath.mp.dps``), or exact
    sympy numbers. ``modules`` is what :func:`sympy.lambdify` needs; ``number`` converts an input."""

    name: str
    modules: Any
    number: Callable[[Any], Any]
    sqrt: Callable[[Any], Any]
    dtype: Any

    def vector(self, values) -> np.ndarray:
        return np.array([self.number(v) for v in np.asarray(values, dtype=object).reshape(-1)], dtype=self.dtype)


FLOAT = Arithmetic("float64", "math", float, math.sqrt, np.float64)
MPMATH = Arithmetic("mpmath", "mpmath", mpmath.mpf, mpmath.sqrt, object)
EXACT = Arithmetic("exact", "sympy", sp.Rational, sp.sqrt, object)


# --- families -------------------------------------------------------------------------------------


def _any_real(y: np.ndarray) -> np.ndarray:
    return y


def _binary01(y: np.ndarray) -> np.ndarray:
    return require_binary(y, "y", (0.0, 1.0))


def _counts(y: np.ndarray) -> np.ndarray:
    return require_counts(y, "y")


@dataclass(frozen=True)
class Family:
    """A canonical-link exponential family (see the module docstring)."""

    name: str
    cumulant: sp.Expr  # b(η) in the symbol ETA
    mean: sp.Expr  # g⁻¹(η) = b′(η), written in a form that is stable in floating point
    variance: sp.Expr  # b″(η) > 0, likewise
    link: sp.Expr  # g(μ) in the symbol MU, the inverse of the mean
    mean_range: tuple[float, float]  # open interval of valid means g⁻¹(η)
    curvature_peak: float  # argmax of b″ (b″ is non-decreasing before it, non-increasing after)
    validate_response: Callable[[np.ndarray], np.ndarray]
    statsmodels_family: Callable[[], Any]
    separable: bool  # whether the MLE can diverge by separation (statsmodels' warning is then an error)

    def functions(self, arithmetic: Arithmetic = FLOAT) -> "FamilyFunctions":
        return _functions(self, arithmetic)


@dataclass(frozen=True)
class FamilyFunctions:
    """Numeric mean g⁻¹, variance b″ and link g of a family in one arithmetic."""

    mean: Callable
    variance: Callable
    link: Callable


@functools.lru_cache(maxsize=None)
def _functions(family: Family, arithmetic: Arithmetic) -> FamilyFunctions:
    def compile_(expr, symbol):
        return sp.lambdify(symbol, expr, modules=arithmetic.modules)

    return FamilyFunctions(compile_(family.mean, ETA), compile_(family.variance, ETA), compile_(family.link, MU))


def _statsmodels(name: str) -> Callable[[], Any]:
    def make():
        import statsmodels.api as sm

        return getattr(sm.families, name)()

    return make


FAMILIES: dict[str, Family] = {
    family.name: family
    for family in (
        Family("gaussian", ETA**2 / 2, ETA, sp.Integer(1), MU, (-math.inf, math.inf), 0.0, _any_real,
               _statsmodels("Gaussian"), False),
        Family("bernoulli", sp.log(1 + sp.exp(ETA)), 1 / (1 + sp.exp(-ETA)), 1 / (4 * sp.cosh(ETA / 2) ** 2),
               sp.log(MU / (1 - MU)), (0.0, 1.0), 0.0, _binary01, _statsmodels("Binomial"), True),
        Family("poisson", sp.exp(ETA), sp.exp(ETA), sp.exp(ETA), sp.log(MU), (0.0, math.inf), math.inf, _counts,
               _statsmodels("Poisson"), False),
    )
}


def family_named(name: str) -> Family:
    if name not in FAMILIES:
        raise ValueError(f"unknown GLM family {name!r}; choose one of {', '.join(FAMILIES)}")
    return FAMILIES[name]


# --- data and the statsmodels fit -----------------------------------------------------------------


def validate_data(family: Family, X, y) -> tuple[np.ndarray, np.ndarray]:
    """Finite X (n × d, n ≥ 1) and y (n,) whose responses are valid for ``family``."""
    X = as_matrix(X, "X")
    y = as_vector(y, "y", length=X.shape[0])
    return X, family.validate_response(y)


@dataclass(frozen=True)
class GLMFit:
    """The full-data NLL minimiser as fitted by statsmodels, with its convergence flag."""

    theta: np.ndarray
    converged: bool


def fit_glm(family: Family, X, y) -> GLMFit:
    """θ = argmin Σᵢ −yᵢxᵢᵀθ + b(xᵢᵀθ), fitted by statsmodels' GLM (IRLS), an implementation
    independent of this module. No intercept is added: put a column of ones in X for one."""
    X, y = validate_data(family, X, y)
    if X.shape[0] < X.shape[1]:
        raise ValueError(f"X has {X.shape[0]} rows for {X.shape[1]} columns: the GLM fit needs n >= d")
    import warnings

    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error" if family.separable else "ignore", PerfectSeparationWarning)
        try:
            result = sm.GLM(y, X, family=family.statsmodels_family()).fit()
        except PerfectSeparationWarning:
            raise ValueError(f"{family.name} data are perfectly separated: the NLL has no finite minimiser") from None
        except ValueError as exc:  # statsmodels: "NaN, inf or invalid value detected in weights"
            raise ValueError(f"{family.name} fit diverged (the NLL has no finite minimiser?): {exc}") from None
    return GLMFit(np.asarray(result.params, dtype=float), bool(result.converged))


# --- Theorem 1: the single point and gradient descent ---------------------------------------------


@dataclass(frozen=True)
class SinglePoint:
    """One distilled example (x̃, ỹ) in some arithmetic."""

    x: np.ndarray
    y: Any


def single_point(family: Family, theta, arithmetic: Arithmetic = FLOAT) -> SinglePoint:
    """x̃ = θ, ỹ = g⁻¹(‖θ‖²) (Izzo & Zou, Theorem 1).

    Raises ValueError when ỹ is not strictly inside the family's mean range in this arithmetic
    (e.g. Bernoulli with ‖θ‖² ≳ 37 in float64, where σ(‖θ‖²) rounds to 1): use mpmath with more
    digits then.
    """
    theta = as_vector(theta, "theta") if arithmetic is FLOAT else arithmetic.vector(theta)
    if theta.size == 0:
        raise ValueError("theta is empty: the single point needs a parameter vector with at least one entry")
    x = theta.copy()
    try:
        label = family.functions(arithmetic).mean((x * x).sum())
    except OverflowError:
        raise ValueError(f"g⁻¹(‖θ‖²) overflows {arithmetic.name} for the {family.name} family "
                         f"(‖θ‖² = {float((x * x).sum()):.4g}); use mpmath") from None
    low, high = family.mean_range
    if not low < label < high:
        raise ValueError(f"g⁻¹(‖θ‖²) = {label} is not inside the {family.name} mean range ({low}, {high}) "
                         f"in {arithmetic.name}; use mpmath with more digits")
    return SinglePoint(x, label)


@dataclass(frozen=True)
class DescentRun:
    """The last iterate of gradient descent and how the run ended.

    ``certificate`` bounds the distance from ``theta`` to the limit of the run (module docstring);
    ``converged`` says it fell below ``tol``·‖θ‖; ``stalled`` that rounding took over: a step
    stopped changing θ, or the residual g⁻¹(z_k) − ỹ changed sign (an exact step never
    overshoots, so only rounding can do that; θ_k is then within the rounding floor).
    """

    theta: np.ndarray
    steps: int
    certificate: Any
    converged: bool
    stalled: bool


def _curvature_bounds(family: Family, functions: FamilyFunctions, a, b):
    """(min, max) of b″ between a and b, for a unimodal b″ peaking at ``family.curvature_peak``."""
    low, high = (a, b) if a <= b else (b, a)
    peak = min(max(family.curvature_peak, low), high)
    return min(functions.variance(low), functions.variance(high)), functions.variance(peak)


def single_point_gradient_descent(family: Family, point: SinglePoint, theta0=None, *, tol: float = 0.0,
                                  max_steps: int = 10_000, arithmetic: Arithmetic = FLOAT) -> DescentRun:
    """Gradient descent on ℓ(θ) = −ỹx̃ᵀθ + b(x̃ᵀθ) from θ₀ (default 0) with the step-size rule and
    stopping rule of the module docstring. Works in any :class:`Arithmetic`."""
    x = as_vector(point.x, "x̃") if arithmetic is FLOAT else point.x
    d = x.shape[0]
    start = np.zeros(d) if theta0 is None else theta0
    theta = as_vector(start, "theta0") if arithmetic is FLOAT else arithmetic.vector(start)
    if theta.shape != x.shape:
        raise ValueError(f"theta0 has {theta.shape[0]} entries but the point has dimension {d}")
    if max_steps < 1 or int(max_steps) != max_steps:
        raise ValueError(f"max_steps must be an integer >= 1, got {max_steps!r}")
    functions = family.functions(arithmetic)
    norm2 = (x * x).sum()
    if norm2 == 0:  # the loss does not depend on θ: gradient descent never moves
        return DescentRun(theta, 0, 0, True, False)
    low, high = family.mean_range
    if not low < point.y < high:
        raise ValueError(f"label {point.y} is outside the {family.name} mean range ({low}, {high}): "
                         "the single-point loss has no minimiser")
    target = functions.link(point.y)
    stalled, previous = False, None
    for step in range(max_steps + 1):
        margin = (x * theta).sum()
        residual = functions.mean(margin) - point.y
        # the certificate of the iterate returned, whichever way the loop ends (it holds on either
        # side of z*, so also for an iterate that rounding pushed past it)
        smallest, largest = _curvature_bounds(family, functions, margin, target)
        # divided in turn, not by the product: b″·‖x̃‖ overflows near the float64 limit too (e^706.6·26.6),
        # and a certificate of 0 would end the run as converged 10⁻³ short of θ
        certificate = (abs(residual) / smallest) / arithmetic.sqrt(norm2)
        scale = arithmetic.sqrt((theta * theta).sum())
        if previous is not None and residual * previous < 0:
            stalled = True  # exact steps never overshoot, so a sign change is rounding: stop
            break
        if certificate <= tol * scale or step == max_steps:
            break
        # (residual / b″) / ‖x̃‖², not residual / (‖x̃‖²·b″): the product overflows for a Poisson label near
        # the float64 limit (‖x̃‖² = 707, b″ = e^707 ≈ ỹ: their product is 1.2·10³¹⁰), which made the step 0
        # and the run stall at θ₀ on a representable point, while residual / b″ stays near 1
        updated = theta - ((residual / largest) / norm2) * x
        if np.array_equal(updated, theta):
            stalled = True
            break
        theta, previous = updated, residual
    return DescentRun(theta, step, certificate, bool(certificate <= tol * scale), stalled)


def link_condition(family: Family, margin: float) -> float:
    """Relative condition number of recovering the margin z from the mean μ = g⁻¹(z):
    abs(μ) / (abs(z)·b″(z)). A relative rounding u in ỹ moves the recovered θ by about this times u."""
    if margin == 0:
        return math.inf  # θ = 0 carries no margin to recover
    functions = family.functions(FLOAT)
    return float(abs(functions.mean(margin)) / (abs(margin) * functions.variance(margin)))


# --- ridge single points (project statement) ------------------------------------------------------


def _target(theta, lam) -> tuple[np.ndarray, float, np.ndarray, float]:
    theta = as_vector(theta, "theta")
    lam = require_nonnegative(lam, "λ")
    if lam == 0:
        raise ValueError("λ must be > 0 for the ridge single point (λ = 0 has no unique single-point minimiser)")
    t = float(np.linalg.norm(theta))
    if t == 0:
        raise ValueError("θ* = 0: every point with ỹ = 0 works; the construction needs θ* ≠ 0")
    return theta, t, theta / t, lam


def linear_ridge_point(theta, lam: float, s: float = 1.0) -> SinglePoint:
    """x̃ = s·u, ỹ = t(s² + λ)/s: argmin ½(ỹ − θᵀx̃)² + (λ/2)‖θ‖² = ỹx̃/(‖x̃‖² + λ) = t·u = θ*."""
    theta, t, u, lam = _target(theta, lam)
    s = float(s)
    if not math.isfinite(s) or s == 0:
        raise ValueError(f"s must be a finite nonzero number, got {s}")
    return SinglePoint(s * u, t * (s * s + lam) / s)


def linear_ridge_point_for_label(theta, lam: float, label: float) -> SinglePoint:
    """With ỹ fixed: x̃ = s·u where t·s² − ỹ·s + λt = 0; real iff λ ≤ ỹ²/(4t²) (the root of smaller magnitude;
    a discriminant within its own rounding of 0 is taken as the double root).

    Raises ValueError when λ > ỹ²/(4t²): then no single point with this label recovers θ*.
    """
    theta, t, u, lam = _target(theta, lam)
    label = float(label)
    if not math.isfinite(label):
        raise ValueError(f"label must be finite, got {label}")
    # divided by t the quadratic is s² − ρs + λ = 0 with ρ = ỹ/t: scale-free, so ỹ² and t² cannot
    # under- or overflow (they do for |θ*| near 1e-160)
    ratio = label / t
    discriminant = ratio * ratio - 4 * lam
    # ρ² and 4λ each carry a few roundings (t from a d-term norm): a discriminant within
    # 8(d+2)·u·ρ² of 0 is the double root s = ρ/2, not a missing one
    if discriminant < -8 * (theta.size + 2) * np.finfo(float).eps / 2 * ratio * ratio:
        raise ValueError(f"no single point with label {label:g}: λ = {lam:g} exceeds ỹ²/(4t²) = {ratio * ratio / 4:g}")
    discriminant = max(discriminant, 0.0)
    # the smaller root, written without cancellation: s = 2λ / (ρ + sign(ρ)·√disc)
    s = 2 * lam / (ratio + math.copysign(math.sqrt(discriminant), ratio))
    return SinglePoint(s * u, label)


def lambert_margin(ratio: float) -> float:
    """The root m ∈ (0, 1 + W(1/e)] of m/(1 + eᵐ) = ratio, for 0 < ratio ≤ W(1/e) (brentq)."""
    ratio = float(ratio)
    if not 0 < ratio <= LAMBERT_MAX:
        raise ValueError(f"m/(1 + e^m) = {ratio:g} has no root m > 0: the ratio must lie in (0, W(1/e) = {LAMBERT_MAX:.6f}]")

    def gap(m):
        return m / (1 + math.exp(m)) - ratio

    return LAMBERT_ARGMAX if gap(LAMBERT_ARGMAX) <= 0 else brentq(gap, 0.0, LAMBERT_ARGMAX, xtol=1e-300, rtol=4 * np.finfo(float).eps)


def logistic_ridge_point(theta, lam: float) -> SinglePoint:
    """x̃ = (m/t)·u, ỹ = +1 with m/(1 + eᵐ) = λt² (:func:`lambert_margin`); ValueError when
    λt² > W(1/e), where no single point exists."""
    theta, t, u, lam = _target(theta, lam)
    return SinglePoint((lambert_margin(lam * t * t) / t) * u, 1.0)


# --- ridge losses ---------------------------------------------------------------------------------


def _linear_gradient(theta, X, y):
    return -(X.T @ (y - X @ theta)) / X.shape[0]


def _logistic_gradient(theta, X, y):
    margins = y * (X @ theta)
    return -(X.T @ (y * _sigmoid(-margins))) / X.shape[0]


def _sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * np.asarray(z, dtype=float)))


def _linear_fit(X, y, lam):
    """statsmodels' ridge: argmin ‖y − Xθ‖²/(2n) + (λ/2)‖θ‖² in closed form (SVD of X)."""
    import statsmodels.api as sm

    return np.asarray(sm.OLS(y, X).fit_regularized(alpha=lam, L1_wt=0.0).params, dtype=float)


def _logistic_fit(X, y, lam):
    """Newton's method of :func:`constructions.logistic.fit_logistic_ridge_full_lambda`, whose objective is
    (1/n)Σ cross-entropy(0/1 labels) + λ′‖θ‖²: with labels (y + 1)/2 and λ′ = λ/2 it is this
    module's (1/n)Σ log(1 + e^{−yθᵀx}) + (λ/2)‖θ‖². ``tol=0`` leaves only that solver's rounding
    floor 10·n·eps·max‖xᵢ‖ as the stopping level for ‖∇F‖."""
    return fit_logistic_ridge_full_lambda(LogisticData.build(X, (y + 1) / 2), lam / 2, tol=0.0)


def _real_labels(y):
    return y


def _signed_labels(y):
    return require_binary(y, "y", (-1.0, 1.0))


@dataclass(frozen=True)
class RidgeLoss:
    """A loss for the ridge statement: mean data gradient (1/n)Σ∇ℓᵢ, label validator, a fit of
    (1/n)Σℓᵢ + (λ/2)‖θ‖², and the single-point construction."""

    name: str
    mean_gradient: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    validate_labels: Callable[[np.ndarray], np.ndarray]
    fit: Callable[[np.ndarray, np.ndarray, float], np.ndarray]
    construct: Callable[..., SinglePoint]


RIDGE_LOSSES: dict[str, RidgeLoss] = {
    loss.name: loss
    for loss in (
        RidgeLoss("linear", _linear_gradient, _real_labels, _linear_fit, linear_ridge_point),
        RidgeLoss("logistic", _logistic_gradient, _signed_labels, _logistic_fit, logistic_ridge_point),
    )
}


def ridge_gradient(loss: RidgeLoss, theta, X, y, lam: float) -> np.ndarray:
    """∇[(1/n)Σℓᵢ(θ) + (λ/2)‖θ‖²]; pass a single point as a one-row X to get ∇[ℓ(θ; x̃, ỹ) + (λ/2)‖θ‖²]."""
    X = as_matrix(X, "X")
    y = loss.validate_labels(as_vector(y, "y", length=X.shape[0]))
    theta = as_vector(theta, "theta")
    if theta.shape[0] != X.shape[1]:
        raise ValueError(f"theta has {theta.shape[0]} entries but X has {X.shape[1]} columns")
    return loss.mean_gradient(theta, X, y) + require_nonnegative(lam, "λ") * theta


@dataclass(frozen=True)
class RidgeFit:
    """The fitted θ and its certified distance ‖∇F(θ)‖/λ to the exact minimiser θ*
    (F is λ-strongly convex, so ‖θ − θ*‖ ≤ ‖∇F(θ)‖/λ, up to the rounding of ∇F)."""

    theta: np.ndarray
    certificate: float


def fit_ridge_half_lambda(loss: RidgeLoss, X, y, lam: float) -> RidgeFit:
    """argmin (1/n)Σℓᵢ(θ) + (λ/2)‖θ‖²: the loss *averaged* and the penalty *λ/2* (the convention in
    which the logistic threshold is W(1/e)); labels ±1 for the logistic loss. The linear loss is
    fitted by statsmodels' closed-form SVD ridge, the logistic loss by Newton's method
    (:func:`constructions.logistic.fit_logistic_ridge_full_lambda` with λ/2 and labels (y + 1)/2)."""
    X = as_matrix(X, "X")
    y = loss.validate_labels(as_vector(y, "y", length=X.shape[0]))
    lam = require_nonnegative(lam, "λ")
    if lam == 0:
        raise ValueError("λ must be > 0 for a ridge fit")
    theta = loss.fit(X, y, lam)
    return RidgeFit(theta, float(np.linalg.norm(ridge_gradient(loss, theta, X, y, lam))) / lam)
