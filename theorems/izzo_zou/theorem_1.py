"""Izzo & Zou, Theorem 1: one point distils any canonical-link GLM trained by gradient descent from 0.

Statement. Let b be the cumulant of a canonical-link exponential family, g⁻¹ = b′ its mean
function (strictly increasing, since b″ > 0) and θ the minimiser of the data's negative
log-likelihood Σᵢ −yᵢxᵢᵀθ + b(xᵢᵀθ). On the single point (x̃, ỹ) = (θ, g⁻¹(‖θ‖²)) the loss
ℓ(v) = −ỹθᵀv + b(θᵀv) has gradient (g⁻¹(θᵀv) − ỹ)·θ. Gradient descent from v₀ = 0 therefore
stays in span(θ): v_k = c_k·θ. At v = cθ the gradient is (g⁻¹(c‖θ‖²) − g⁻¹(‖θ‖²))·θ, which for
θ ≠ 0 vanishes iff c = 1 (g⁻¹ is injective); so the only possible limit is θ itself. (θ = 0 is
trivial: x̃ = 0 and descent never moves.)

Without the initialisation at 0 (or anywhere in span(θ)) this fails: the minimisers of the
single-point loss form the hyperplane {v : θᵀv = ‖θ‖²}, and descent from v₀ converges to the
projection of v₀ onto it, which is θ only when v₀ ∈ span(θ).

Conventions: families Gaussian/identity, Bernoulli/logit (labels 0/1), Poisson/log with the NLL
summed (not averaged) over examples and no dispersion parameter; θ fitted by statsmodels' GLM
without an added intercept (data sets that need one carry a column of ones); gradient descent
with the step-size and stopping rules of :mod:`constructions.glm`.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import sympy as sp
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from constructions.glm import (
    ETA,
    EXACT,
    FAMILIES,
    FLOAT,
    MPMATH,
    MU,
    Family,
    fit_glm,
    link_condition,
    single_point,
    single_point_gradient_descent,
)
from empirical.datasets import load_statsmodels
from theorems import Assumption, Checks, Kind, Outcome, Theorem, Violation, register, search
from theorems.domains import Domain, integers, interval, parametric, sampled, tuples
from theorems.requirements import dataset
from theorems.searching import counterexample_outcome, property_outcome, within
from theorems.strategies import BOUNDED, glm_domain
from theorems.tolerances import condition_number, relative_error, solve_tolerance, unit_roundoff

# --- statement --------------------------------------------------------------------------------

C = sp.Symbol("c", real=True)
T = sp.Symbol("t", positive=True)  # t = ‖θ‖ > 0
DIMENSION = 2  # symbolic θ ∈ ℝ² in the symbolic checks (the argument never uses the dimension)


def statement():
    """∇ℓ(cθ) = (g⁻¹(c‖θ‖²) − g⁻¹(‖θ‖²))·θ, and for θ ≠ 0 it vanishes iff c = 1."""
    mean = sp.Function("g⁻¹")
    return [
        sp.Eq(sp.Symbol("∇ℓ(cθ)"), (mean(C * T**2) - mean(T**2)) * sp.Symbol("θ")),
        sp.Implies(sp.Eq(mean(C * T**2), mean(T**2)), sp.Eq(C, 1)),
    ]


# --- symbolic checks --------------------------------------------------------------------------
checks = Checks()


def is_zero(expr) -> bool:
    """sympy decides expr ≡ 0 (hyperbolic functions rewritten as exponentials first)."""
    return sp.simplify(sp.sympify(expr).rewrite(sp.exp)) == 0


def symbolic_point(family: Family):
    """θ ∈ ℝ² as symbols and the single point (θ, g⁻¹(‖θ‖²)) with its loss ℓ(v) as a function of v."""
    theta = sp.Matrix(sp.symbols(f"theta0:{DIMENSION}", real=True))
    label = family.mean.subs(ETA, (theta.T * theta)[0, 0])

    def loss(v: sp.Matrix) -> sp.Expr:
        margin = (theta.T * v)[0, 0]
        return -label * margin + family.cumulant.subs(ETA, margin)

    return theta, label, loss


def gradient_at(loss, point: sp.Matrix) -> sp.Matrix:
    """∇ℓ at ``point``, by differentiating ℓ with respect to fresh symbols."""
    v = sp.Matrix(sp.symbols(f"v0:{point.shape[0]}", real=True))
    expr = loss(v)
    return sp.Matrix([sp.diff(expr, vi) for vi in v]).subs(dict(zip(v, point)))


@checks.add("gradient-vanishes-iff-c-is-1", Kind.SYMBOLIC)
def gradient_vanishes_iff_c_is_1(ctx, families=tuple(FAMILIES.values())) -> Outcome:
    """For each family, sympy (i) confirms the table: mean = b′, variance = b″ and g(g⁻¹(η)) = η;
    (ii) differentiates the single-point loss and finds ∇ℓ(cθ) = (g⁻¹(c‖θ‖²) − g⁻¹(‖θ‖²))·θ for
    symbolic θ ∈ ℝ²; (iii) proves b″(η) > 0 for real η (so g⁻¹ is injective and c‖θ‖² = ‖θ‖²,
    i.e. c = 1, is the only zero for θ ≠ 0), and solveset over the reals returns exactly {1}."""
    for family in families:
        failures = {
            "mean is b'": is_zero(family.mean - sp.diff(family.cumulant, ETA)),
            "variance is b''": is_zero(family.variance - sp.diff(family.mean, ETA)),
            "link inverts the mean": is_zero(family.link.subs(MU, family.mean) - ETA),
        }
        theta, label, loss = symbolic_point(family)
        gradient = gradient_at(loss, C * theta)
        norm2 = (theta.T * theta)[0, 0]
        expected = (family.mean.subs(ETA, C * norm2) - label) * theta
        failures["gradient formula"] = all(is_zero(g - e) for g, e in zip(gradient, expected))
        failures["b'' > 0"] = bool(family.variance.is_positive)
        zeros = sp.solveset(sp.Eq(family.mean.subs(ETA, C * T**2), family.mean.subs(ETA, T**2)), C, sp.S.Reals)
        failures["zeros are {1}"] = zeros == sp.FiniteSet(1)
        broken = [name for name, holds in failures.items() if not holds]
        if broken:
            return Outcome.falsified({"family": family.name, "failed": broken, "zeros": str(zeros)},
                                     f"{family.name}: {', '.join(broken)}")
    return Outcome.verified(families=len(families))


def gradient_step(gradient: sp.Matrix, point: sp.Matrix, step: sp.Symbol) -> sp.Matrix:
    """Plain gradient descent: v − η∇ℓ(v)."""
    return point - step * gradient


@checks.add("descent-stays-in-span", Kind.SYMBOLIC)
def descent_stays_in_span(ctx, families=tuple(FAMILIES.values()), step=gradient_step) -> Outcome:
    """From v = cθ one step of gradient descent with any step size η lands on c′θ with
    c′ = c − η(g⁻¹(c‖θ‖²) − g⁻¹(‖θ‖²)) (sympy, symbolic θ ∈ ℝ², c and η); with v₀ = 0 = 0·θ
    induction keeps every iterate in span(θ). For the Gaussian family sympy also solves the scalar
    recursion: c_k = 1 − (1 − η‖θ‖²)^k, so c_k → 1 whenever 0 < η‖θ‖² < 2."""
    eta = sp.Symbol("eta", positive=True)
    for family in families:
        theta, label, loss = symbolic_point(family)
        norm2 = (theta.T * theta)[0, 0]
        after = step(gradient_at(loss, C * theta), C * theta, eta)
        c_next = C - eta * (family.mean.subs(ETA, C * norm2) - label)
        off_span = [sp.simplify(a - c_next * th) for a, th in zip(after, theta)]
        if not all(is_zero(r) for r in off_span):
            return Outcome.falsified({"family": family.name, "remainder": [str(r) for r in off_span]},
                                     f"{family.name}: a descent step from cθ leaves span(θ)")
    k = sp.Symbol("k", integer=True, nonnegative=True)
    q = sp.Symbol("q", real=True)  # q = 1 − η‖θ‖²
    closed = 1 - q**k
    recursion = sp.simplify(closed.subs(k, k + 1) - (closed - (1 - q) * (closed - 1)))
    if recursion != 0 or closed.subs(k, 0) != 0:
        return Outcome.falsified({"recursion_remainder": str(recursion)}, "Gaussian closed form fails")
    return Outcome.verified(families=len(families))


# --- tolerances -------------------------------------------------------------------------------

MAX_STEPS = 2_000
"""Cap on descent steps. With the step rule of constructions.glm the margin gap shrinks by at least
min/max of b″ over the remaining segment each step, and by about 1 per step while that ratio is
tiny; the data used here (‖θ‖² ≤ 200) need at most a few hundred steps."""


def recovery_tolerance(family: Family, theta, unit: float) -> float:
    """Relative tolerance 10·(d+1)·u·(1 + κ) for ‖θ_GD − θ‖/‖θ‖.

    Forming ‖θ‖² and the margins θᵀv_k costs d+1 roundings (the 10·(d+1)·u part); rounding ỹ to
    the arithmetic moves the margin it encodes by |ỹ|·u/b″(‖θ‖²), i.e. θ by κ·u relative with
    κ = |g⁻¹(z)|/(z·b″(z)) at z = ‖θ‖² (:func:`constructions.glm.link_condition`). Descent runs
    until its certificate (gradient / curvature) is below u·‖θ‖ or rounding takes over.
    """
    theta = np.asarray(theta, dtype=float)
    kappa = link_condition(family, float(theta @ theta))
    return 10.0 * (theta.size + 1) * unit * (1.0 + kappa)


def float_recovery(family: Family, theta: np.ndarray, construct) -> dict:
    """Distil θ in float64, descend from 0 and measure the relative error against θ."""
    point = construct(family, theta, FLOAT)
    run = single_point_gradient_descent(family, point, tol=unit_roundoff(), max_steps=MAX_STEPS)
    error = float(np.linalg.norm(run.theta - theta) / np.linalg.norm(theta))
    # a run cut off by MAX_STEPS (neither converged nor stopped by rounding) counts as a miss
    tolerance = recovery_tolerance(family, theta, unit_roundoff()) if run.converged or run.stalled else 0.0
    return {"relative_error": error, "tolerance": tolerance, "steps": run.steps}


# --- exact runs -------------------------------------------------------------------------------


def synthetic_data(family_name: str, rng: np.random.Generator, n: int = 30, d: int = 3):
    """Bernoulli or Poisson data (X uniform on [−1, 1]^{n×d}) with a finite MLE: the first d rows
    appear with both labels (Bernoulli) or with counts ≥ 1 (Poisson), so no direction separates
    the data."""
    X = rng.uniform(-1, 1, size=(n, d))
    eta = X @ rng.uniform(-1, 1, size=d)
    def bernoulli():
        y = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float)
        return np.vstack([X, X[:d]]), np.concatenate([y, 1 - y[:d]])

    def poisson():
        y = rng.poisson(np.exp(eta)).astype(float)
        return X, np.where(np.arange(n) < d, np.maximum(y, 1), y)

    return {"bernoulli": bernoulli, "poisson": poisson}[family_name]()


EXACT_DIGITS = 50
EXACT_THRESHOLD = 1e-40


def exact_data(rng: np.random.Generator) -> tuple[sp.Matrix, sp.Matrix]:
    """Integer X (8 × 3, rank 3) and integer y (8) for the exact Gaussian runs."""
    while True:
        X = sp.Matrix(rng.integers(-5, 6, size=(8, 3)).tolist())
        if X.rank() == 3:
            return X, sp.Matrix(rng.integers(-9, 10, size=8).tolist())


def exact_gaussian_runs(construct, X: sp.Matrix, y: sp.Matrix) -> dict:
    """In exact rationals: θ = (XᵀX)⁻¹Xᵀy, descent from 0 and from θ/3 (in span(θ); not a
    binary fraction, so a start rounded to float64 leaves a nonzero error), and the data
    y − Xθ ⊥ col(X), whose minimiser is θ = 0 (x̃ = 0: descent never moves). Returns the number
    of nonzero error entries, and of iterate entries that are not exact rationals."""
    gaussian = FAMILIES["gaussian"]
    theta = (X.T * X).LUsolve(X.T * y)
    runs = [single_point_gradient_descent(gaussian, construct(gaussian, list(theta), EXACT), start, tol=0,
                                          max_steps=10, arithmetic=EXACT)
            for start in (None, list(theta / 3))]
    errors = [sp.nsimplify(a - b) for run in runs for a, b in zip(run.theta, theta)]
    orthogonal = y - X * theta  # exact residual: Xᵀ(y − Xθ) = 0, so its GLM minimiser is 0
    zero_theta = (X.T * X).LUsolve(X.T * orthogonal)
    zero_run = single_point_gradient_descent(gaussian, construct(gaussian, list(zero_theta), EXACT), tol=0,
                                             max_steps=10, arithmetic=EXACT)
    errors += list(zero_run.theta) + [zero_run.steps]
    iterates = [v for run in runs + [zero_run] for v in run.theta]
    return {"theta": theta, "nonzero": sum(e != 0 for e in errors),
            "not_rational": sum(not isinstance(v, sp.Rational) for v in iterates)}


@checks.add("exact-recovery", Kind.CONSTRUCTION)
def exact_recovery(ctx, construct=single_point) -> Outcome:
    """Gaussian: integer data (8 × 3), θ = (XᵀX)⁻¹Xᵀy exactly in rationals (statsmodels' float fit
    agrees with it to 10·n·κ(XᵀX)·u), single point and descent in exact arithmetic from 0 and
    from θ/3: θ_GD − θ is exactly the zero vector and every iterate entry is a sympy Rational
    (:func:`exact_gaussian_runs`, which also runs the θ = 0 case). Bernoulli and Poisson: θ fitted
    by statsmodels on synthetic data (30 × 3) is taken exactly (floats are rationals), the point
    and descent from 0 and from θ/3 run in mpmath at 50 digits, every iterate entry is an mpf,
    and ‖θ_GD − θ‖ < 1e-40 (the required threshold; the derived rounding bound
    10·(d+1)·10⁻⁵⁰·(1 + κ) is reported and far below it)."""
    X, y = exact_data(ctx.rng("exact"))
    exact = exact_gaussian_runs(construct, X, y)
    theta = exact["theta"]
    # statsmodels' float fit of the same data agrees with the exact θ to solve_tolerance(κ(XᵀX), n)
    X_float, theta_float = np.array(X.tolist(), dtype=float), np.array([float(v) for v in theta])
    statsmodels_gap = relative_error(fit_glm(FAMILIES["gaussian"], X_float, np.array(y.tolist(), dtype=float).ravel()).theta,
                                     theta_float)
    gap_tolerance = solve_tolerance(condition_number(X_float.T @ X_float), X_float.shape[0])
    figures = {"gaussian_nonzero_entries": exact["nonzero"], "gaussian_not_rational": exact["not_rational"],
               "statsmodels_gap_over_tolerance": statsmodels_gap / gap_tolerance}
    if exact["nonzero"] or exact["not_rational"] or not statsmodels_gap <= gap_tolerance:
        return Outcome.falsified({"family": "gaussian", "theta": [str(v) for v in theta]},
                                 "exact Gaussian recovery is not exact (or θ is not statsmodels' fit)", **figures)
    for name in ("bernoulli", "poisson"):
        family = FAMILIES[name]
        fit = fit_glm(family, *synthetic_data(name, ctx.rng(name)))
        with mpmath.workdps(EXACT_DIGITS):
            target = MPMATH.vector(fit.theta)
            runs = [single_point_gradient_descent(family, construct(family, fit.theta, MPMATH), start,
                                                  tol=mpmath.mp.eps, max_steps=MAX_STEPS, arithmetic=MPMATH)
                    for start in (None, target / 3)]
            error = max(float(mpmath.sqrt(((run.theta - target) ** 2).sum())) for run in runs)
            not_mpf = sum(not isinstance(v, mpmath.mpf) for run in runs for v in run.theta)
        figures[f"{name}_error"] = error
        figures[f"{name}_bound"] = recovery_tolerance(family, fit.theta, 10.0**-EXACT_DIGITS) * np.linalg.norm(fit.theta)
        if not_mpf or not error < EXACT_THRESHOLD:
            return Outcome.falsified({"family": name, "theta": fit.theta.tolist(), "error": error},
                                     f"{name}: error {error:.3g} at 50 digits, {not_mpf} iterate entries not mpf",
                                     **figures)
    return Outcome.verified(**figures)


# --- properties -------------------------------------------------------------------------------


def curvature_ratio(family: Family, a, b):
    """max/min of b″ over the segment between a and b, evaluated here from the family's sympy
    b″ (unimodal with its peak at ``family.curvature_peak``: the minimum is at an end, the
    maximum at the peak clipped to the segment)."""
    low, high = (a, b) if a <= b else (b, a)
    peak = min(max(mpmath.mpf(family.curvature_peak), low), high)
    values = [mpmath.mpf(sp.N(family.variance.subs(ETA, sp.Float(str(z), mpmath.mp.dps)), mpmath.mp.dps))
              for z in (low, high, peak)]
    return values[2] / min(values[0], values[1])


CERTIFICATE_DIGITS = 40
CERTIFICATE_GRID = tuple((family, np.array(theta), steps, tol) for family in FAMILIES
                         for theta in ([0.6, -0.8, 1.2], [5.0])
                         for steps in (1, 2, 4) for tol in (0.0, 1e-3))
"""Tried before any draw: runs cut off after 1, 2 or 4 steps, or stopped by tol = 10⁻³, for every
family, at ‖θ‖² = 2.44 and at ‖θ‖ = 5 (Bernoulli curvature far from its peak)."""

TOLERANCES = [0.0, 1e-1, 1e-12] + [10.0**-k for k in range(2, 12)]
"""``tol`` ∈ {0} ∪ {10⁻¹, …, 10⁻¹²}; 0 (run to the step cap), 10⁻¹ and 10⁻¹² first (the ends)."""


def descent_example(family: str, direction: np.ndarray, norm: float, max_steps: int, tol: float):
    """(family, θ, max_steps, tol) with θ = norm·direction/‖direction‖ (a fixed offset of 10⁻³ keeps
    an all-zero direction well defined)."""
    direction = np.asarray(direction, dtype=float) + 1e-3
    return family, norm * direction / np.linalg.norm(direction), max_steps, tol


@st.composite
def descent_problem(draw):
    """(family, θ, ``max_steps`` ∈ [1, 30], ``tol`` ∈ {0} ∪ 10^[−12, −1]) with d ≤ 4 and
    0.1 ≤ ‖θ‖ ≤ 5, so that many runs stop early on their certificate or their step cap."""
    family = draw(st.sampled_from(list(FAMILIES)))
    direction = draw(arrays(np.float64, (draw(st.integers(min_value=1, max_value=4)),), elements=BOUNDED))
    norm = draw(st.floats(min_value=0.1, max_value=5.0))
    return descent_example(family, direction, norm, draw(st.integers(min_value=1, max_value=30)),
                           draw(st.sampled_from(TOLERANCES)))


def descent_domain() -> Domain:
    """:data:`CERTIFICATE_GRID`, then one run per grid point of (family, d ∈ {1 … 4},
    ‖θ‖ ∈ [0.1, 5] (log), max_steps ∈ {1 … 30}, tol): every end of every range; directions drawn."""

    def build(params, rng):
        family, d, norm, max_steps, tol = params
        return descent_example(family, rng.uniform(-1.0, 1.0, d), norm, max_steps, tol)

    parameters = tuples(sampled(list(FAMILIES)), integers(1, 4), interval(0.1, 5.0, points=3, log=True),
                        integers(1, 30, points=3), sampled(TOLERANCES))
    domain = parametric(descent_problem(), parameters, build)
    return Domain(domain.strategy, CERTIFICATE_GRID + domain.grid, "cut-off grid, then (family, d ≤ 4, "
                  "‖θ‖ ∈ [0.1, 5], max_steps ≤ 30, tol)", domain.midpoint, domain.sample)


@checks.add("descent-certificate", Kind.PROPERTY)
def descent_certificate(ctx, descend=single_point_gradient_descent) -> Outcome:
    """The run's report is checked against the actual error, in mpmath at 40 digits (where the
    limit of descent from 0 is θ up to slack = 10·(d+1)·10⁻⁴⁰·(1 + κ)·‖θ‖): (a) the certificate
    bounds the distance to the limit, ‖θ_k − θ‖ ≤ certificate + slack; (b) it is not vacuous,
    certificate ≤ (max b″/min b″ on the remaining segment)·‖θ_k − θ‖ + slack (mean value
    theorem); (c) ``converged`` is exactly certificate ≤ tol·‖θ_k‖, and a converged run has
    ‖θ_k − θ‖ ≤ tol·‖θ_k‖ + slack; (d) a run neither converged nor stalled used all its steps.
    :data:`CERTIFICATE_GRID` runs first. Figures: worst actual / certificate and
    certificate / (ratio · actual)."""

    def prop(problem):
        name, theta, max_steps, tol = problem
        family = FAMILIES[name]
        with mpmath.workdps(CERTIFICATE_DIGITS):
            target = MPMATH.vector(theta)
            run = descend(family, single_point(family, theta, MPMATH), tol=tol, max_steps=max_steps, arithmetic=MPMATH)
            actual = mpmath.sqrt(((run.theta - target) ** 2).sum())
            norm = mpmath.sqrt((run.theta * run.theta).sum())
            slack = recovery_tolerance(family, theta, 10.0**-CERTIFICATE_DIGITS) * float(np.linalg.norm(theta))
            ratio = curvature_ratio(family, (target * run.theta).sum(), (target * target).sum())
            within(actual, run.certificate + slack, f"{name}: the certificate understates the error", steps=run.steps)
            within(run.certificate, ratio * actual + slack, f"{name}: the certificate is vacuous", steps=run.steps)
            claims = {"certificate bounds the error": actual <= run.certificate + slack,
                      "certificate not vacuous": run.certificate <= ratio * actual + slack,
                      "converged flag": bool(run.converged) == bool(run.certificate <= tol * norm),
                      "converged error": not run.converged or actual <= tol * norm + slack,
                      "ran all steps": run.converged or run.stalled or run.steps == max_steps}
            figures = {"error_over_certificate": float(actual / max(run.certificate, slack)),
                       "certificate_over_bound": float(run.certificate / (ratio * actual + slack))}
        broken = [claim for claim, holds in claims.items() if not holds]
        if broken:
            raise Violation(f"{name}: {', '.join(broken)} (steps {run.steps}, converged {run.converged})",
                            error=float(actual), certificate=float(run.certificate), **figures)
        return figures

    return property_outcome(search(ctx, descent_domain(), prop, fraction=0.25, label="certificate"))


def float_label_representable(family: Family, theta: np.ndarray) -> bool:
    """Whether g⁻¹(‖θ‖²), computed here in sympy at 30 digits, is a finite float64 inside the
    family's mean range by more than 4u relative, the rounding of evaluating g⁻¹ in float64
    (Bernoulli σ(z) is within 4u of 1 for z ≳ 35.3, Poisson e^z overflows for z > 709.78): the
    domain of the float64 construction, decided without calling it."""
    label = float(sp.N(family.mean.subs(ETA, sp.Float(float(theta @ theta), 30)), 30))
    margin = 4 * unit_roundoff() * abs(label)
    low, high = family.mean_range
    return math.isfinite(label * (1 + 4 * unit_roundoff())) and low < label - margin and label + margin < high


@checks.add("random-glms", Kind.PROPERTY)
def random_glms(ctx, construct=single_point) -> Outcome:
    """For random GLM data of the three families (d ≤ 4, n ≤ 24, κ(X) ≤ 10), θ fitted by
    statsmodels, the float64 single point and gradient descent from 0 give θ to within the
    relative tolerance 10·(d+1)·u·(1 + κ_link) (figure: worst error / tolerance). Discards are
    decided from the data, never from the construction: the first d rows must have rank d (with
    the overlap rows of the strategy that makes the NLL coercive, so a finite minimiser exists),
    statsmodels (the reference fit, not the subject) must fit without diverging and report
    convergence (its IRLS diverged on one Poisson draw of ci seed 1), ‖θ‖² > 10⁻³ (below it κ_link·u is the size of the
    effect), and g⁻¹(‖θ‖²) must be representable in float64 (:func:`float_label_representable`;
    the unrepresentable case runs in mpmath in the spector check)."""

    def prop(problem):
        name, X, y = problem
        family = FAMILIES[name]
        d = X.shape[1]
        assume(np.linalg.matrix_rank(X[:d]) == d)
        try:
            fit = fit_glm(family, X, y)
        except ValueError:  # statsmodels' IRLS (the reference, not the subject) diverged: no θ to distil
            assume(False)
        assume(fit.converged and float(fit.theta @ fit.theta) > 1e-3)
        assume(float_label_representable(family, fit.theta))
        measured = float_recovery(family, fit.theta, construct)
        if not measured["tolerance"] > 0:
            raise Violation(f"{family.name}: descent neither converged nor stalled in {MAX_STEPS} steps",
                            steps=measured["steps"], relative_error=measured["relative_error"], family=family.name)
        within(measured["relative_error"], measured["tolerance"],
               f"{family.name}: descent from 0 misses θ by {measured['relative_error']:.3g} relative", family=family.name)
        return {"error_over_tolerance": measured["relative_error"] / measured["tolerance"], "steps": measured["steps"]}

    return property_outcome(search(ctx, glm_domain(), prop, fraction=0.35, label="glm"))


# --- assumption drop --------------------------------------------------------------------------


def generic_initialisation(theta: np.ndarray, raw: np.ndarray) -> np.ndarray:
    """The drawn vector itself: generically not in span(θ)."""
    return raw


def off_span_example(family: str, direction: np.ndarray, norm: float, raw: np.ndarray):
    """(family, θ = norm·direction/‖direction‖, raw start entries); 10⁻³ offsets the direction."""
    direction = np.asarray(direction, dtype=float) + 1e-3
    return family, norm * direction / np.linalg.norm(direction), np.asarray(raw, dtype=float)


@st.composite
def off_span_problem(draw):
    """(family, θ ∈ ℝᵈ with d ∈ {2, 3, 4} and 0.3 ≤ ‖θ‖ ≤ 2, raw start entries in [−1, 1])."""
    family = draw(st.sampled_from(list(FAMILIES)))
    d = draw(st.integers(min_value=2, max_value=4))
    direction = draw(arrays(np.float64, (d,), elements=BOUNDED))
    norm = draw(st.floats(min_value=0.3, max_value=2.0))
    return off_span_example(family, direction, norm, draw(arrays(np.float64, (d,), elements=BOUNDED)))


def off_span_domain() -> Domain:
    """(family, d ∈ {2 … 4}, ‖θ‖ ∈ [0.3, 2]) at their ends and interior; θ's direction and the
    start entries drawn uniformly."""

    def build(params, rng):
        family, d, norm = params
        return off_span_example(family, rng.uniform(-1.0, 1.0, d), norm, rng.uniform(-1.0, 1.0, d))

    parameters = tuples(sampled(list(FAMILIES)), integers(2, 4), interval(0.3, 2.0, points=5))
    return parametric(off_span_problem(), parameters, build,
                      description="(family, θ, v₀): d ∈ {2, 3, 4}, 0.3 ≤ ‖θ‖ ≤ 2, v₀ ∈ [−1, 1]ᵈ")


@checks.add("off-span-initialisation", Kind.COUNTEREXAMPLE)
def off_span_initialisation(ctx, initialise=generic_initialisation) -> Outcome:
    """Drop 'initialised at 0': descent from v₀ ∉ span(θ) converges to another minimiser of the
    single-point loss. The search must exhibit v₀ whose limit lies on the hyperplane θᵀv = ‖θ‖²
    (residual within the rounding tolerance) yet is farther from θ than the recovery tolerance;
    the limit is also compared with the predicted projection v₀ + ((‖θ‖² − θᵀv₀)/‖θ‖²)·θ."""

    def prop(args):
        name, theta, raw = args
        family = FAMILIES[name]
        start = initialise(theta, raw)
        point = single_point(family, theta)
        run = single_point_gradient_descent(family, point, start, tol=unit_roundoff(), max_steps=MAX_STEPS)
        norm2 = float(theta @ theta)
        tolerance = recovery_tolerance(family, theta, unit_roundoff())
        hyperplane = abs(float(theta @ run.theta) - norm2) / norm2
        projection = start + ((norm2 - float(theta @ start)) / norm2) * theta
        miss = float(np.linalg.norm(run.theta - theta) / np.linalg.norm(theta))
        if hyperplane <= tolerance and miss > tolerance:
            raise Violation(f"{family.name}: descent from v₀ ∉ span(θ) ends {miss:.3g} (relative) away from θ, "
                            "on the hyperplane θᵀv = ‖θ‖²", relative_miss=miss, hyperplane_residual=hyperplane,
                            distance_to_projection=float(np.linalg.norm(run.theta - projection)))
        return None

    return counterexample_outcome(search(ctx, off_span_domain(), prop, fraction=0.2, label="off-span"),
                                  "initialised at 0")


# --- real data --------------------------------------------------------------------------------


def standardised(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """z-scores (population standard deviation) of every predictor and of the response."""
    return (X - X.mean(0)) / X.std(0), (y - y.mean()) / y.std()


@checks.add("longley", Kind.REAL_DATA, needs=(dataset("longley"),))
def longley_check(ctx, construct=single_point) -> Outcome:
    """Gaussian GLM on statsmodels' ``longley`` (16 × 6). Raw, κ([1, X]) ≈ 5·10⁹ and ‖θ‖² ≈ 10¹³,
    so we standardise (convention: predictors and response as z-scores, hence no intercept).
    θ from statsmodels; float64 single point and descent recover it within 10·(d+1)·u·(1+κ)."""
    raw = load_statsmodels("longley")
    X, y = standardised(raw.X, raw.y)
    return real_data_float(FAMILIES["gaussian"], X, y, construct, "longley")


@checks.add("randhie", Kind.REAL_DATA, needs=(dataset("randhie"),))
def randhie_check(ctx, construct=single_point) -> Outcome:
    """Poisson GLM on statsmodels' ``randhie`` (20 190 × 9, response ``mdvis`` counts) with an
    intercept column; θ from statsmodels; float64 single point and descent recover it."""
    raw = load_statsmodels("randhie", add_constant=True)
    return real_data_float(FAMILIES["poisson"], raw.X, raw.y, construct, "randhie")


def real_data_float(family: Family, X, y, construct, name: str) -> Outcome:
    fit = fit_glm(family, X, y)
    measured = float_recovery(family, fit.theta, construct)
    holds = fit.converged and 0 < measured["tolerance"] and measured["relative_error"] <= measured["tolerance"]
    return Outcome.decide(holds, None if holds else {"theta": fit.theta.tolist(), **measured},
                          "" if holds else f"{name}: the single point does not recover statsmodels' θ",
                          statsmodels_converged=fit.converged, theta_norm2=float(fit.theta @ fit.theta), **measured)


@checks.add("spector", Kind.REAL_DATA, needs=(dataset("spector"),))
def spector_check(ctx, construct=single_point) -> Outcome:
    """Bernoulli/logit GLM on statsmodels' ``spector`` (32 × 3, with an intercept column).
    ‖θ‖² ≈ 183, so ỹ = σ(183) = 1 − 4·10⁻⁸⁰ is 1.0 in float64 (the float construction refuses it).
    The point and descent run in mpmath with ⌈‖θ‖²/ln 10⌉ + 60 digits (κ ≈ e^{‖θ‖²}/‖θ‖² costs
    about ‖θ‖²/ln 10 digits) and must recover θ within 10·(d+1)·10^{−digits}·(1 + κ) relative."""
    family = FAMILIES["bernoulli"]
    raw = load_statsmodels("spector", add_constant=True)
    fit = fit_glm(family, raw.X, raw.y)
    norm2 = float(fit.theta @ fit.theta)
    digits = math.ceil(norm2 / math.log(10)) + 60
    with mpmath.workdps(digits):
        target = MPMATH.vector(fit.theta)
        point = construct(family, fit.theta, MPMATH)
        low, high = family.mean_range
        if not low < point.y < high:  # the single-point loss then has no minimiser: the point is wrong
            raise Violation(f"spector: the point's label {mpmath.nstr(point.y, 12)} is outside the mean range "
                            f"({low}, {high})", label_minus_one=float(point.y - 1))
        run = single_point_gradient_descent(family, point, tol=mpmath.mp.eps, max_steps=MAX_STEPS,
                                            arithmetic=MPMATH)
        error = mpmath.sqrt(((run.theta - target) ** 2).sum() / (target**2).sum())
        tolerance = 10 * (fit.theta.size + 1) * mpmath.mpf(10) ** -digits * (1 + 1 / (norm2 * (1 - mpmath.mpf(1) / (1 + mpmath.exp(-norm2)))))
        holds = fit.converged and error <= tolerance
        figures = {"digits": digits, "theta_norm2": norm2, "steps": run.steps,
                   "relative_error": float(error), "tolerance": float(tolerance)}
    return Outcome.decide(holds, None if holds else {"theta": fit.theta.tolist(), **figures},
                          "" if holds else "spector: the single point does not recover statsmodels' θ", **figures)


THEOREM = register(
    Theorem(
        id="izzo-zou/theorem-1",
        title="one point distils a canonical-link GLM trained by gradient descent from 0",
        source="Izzo & Zou, A Theoretical Study of Dataset Distillation, Theorem 1 (proof in Appendix A)",
        claim=("For a canonical-link GLM with full-data NLL minimiser θ, gradient descent from 0 on the single "
               "point (θ, g⁻¹(‖θ‖²)) converges to θ."),
        statement=statement,
        assumptions=(
            Assumption("canonical link", "the NLL is Σ −yᵢxᵢᵀθ + b(xᵢᵀθ) with g⁻¹ = b′ strictly increasing (b″ > 0)"),
            Assumption("initialised at 0", "gradient descent starts at 0 (any start in span(θ) also works)"),
            Assumption("gradient descent converges", "the step sizes make descent converge (the step rule of constructions.glm does)"),
        ),
        checks=checks.freeze(),
        construction=single_point,
        conventions=("NLL summed over examples; Bernoulli labels 0/1, Poisson counts; no intercept added "
                     "(a column of ones where the data need one); longley standardised to z-scores"),
    )
)
