"""False claims and true controls, written the way users write them, with the verdict each must get.

The suite probes the framework, not the built-in theorems: each case is a one-check
:class:`~theorems.registry.Theorem` built only from public names (never registered), in one of the
patterns that let wrong claims pass in the past:

========================  ==========================================================  ===========
pattern                   false claim                                                 verdict
========================  ==========================================================  ===========
narrow interior window    a subject wrong on 7 % of the stated range                  falsified
endpoint-only failure     a strict inequality that fails only at the interval's end   falsified
NaN-producing subject     a comparison that is NaN on part of the range               error
refusing subject          a subject that raises on part of the range                  falsified
trivial subject           a distiller that returns zeros                              falsified
ill-conditioned data      "d − 1 points reproduce Longley's OLS"                      falsified
violation outside search  a real-data style comparison that fails                     falsified
empty assumption drop     an assumption-drop search with nothing to find              inconclusive
========================  ==========================================================  ===========

Every false claim has a *control*: the same claim made true (the right subject, the right
inequality), which must come back ``verified``. :func:`run_case` runs one case at a seed;
``python -m empirical.bench_soundness`` runs them over many seeds and prints the counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from hypothesis import strategies as st

from constructions.linear import distill_linear_regression, ridge_path
from theorems.context import CheckContext
from theorems.domains import interval, tuples
from theorems.outcome import Outcome, Verdict
from theorems.registry import Checks, Kind, Theorem
from theorems.runner import run_check
from theorems.search import Violation, counterexample_outcome, property_outcome, search, within
from theorems.tolerances import condition_number, solve_tolerance, relative_error


@dataclass(frozen=True)
class Case:
    """One claim of the suite: its pattern, whether it is true, and the verdict it must get."""

    name: str
    pattern: str
    theorem: Theorem
    expected: Verdict


def _theorem(name: str, claim: str, check_name: str, kind: Kind, fn: Callable[..., Outcome]) -> Theorem:
    if not fn.__doc__:
        fn.__doc__ = claim
    checks = Checks()
    checks.add(check_name, kind)(fn)
    return Theorem(id=f"soundness/{name}", title=claim, source="ddtheory soundness suite", claim=claim,
                   statement=lambda: claim, checks=checks.freeze())


# -- subjects --------------------------------------------------------------------------------------

WINDOW = (6.2, 6.9)
"""The interior window (7 % of [0, 10]) on which the faulty ridge subject uses a wrong λ."""


def ridge_scalar(x: float, y: float, lam: float) -> float:
    """θ(λ) = xy / (x² + λ): the one-feature ridge solution."""
    return x * y / (x * x + lam)


def ridge_scalar_window_bug(x: float, y: float, lam: float) -> float:
    """θ(λ) with λ off by 1 % inside a narrow window of λ, as a caching or branch bug would leave it."""
    return x * y / (x * x + (1.01 * lam if WINDOW[0] < lam < WINDOW[1] else lam))


def ridge_scalar_nan(x: float, y: float, lam: float) -> float:
    """θ(λ) through a square root that is NaN for λ < 1 (a sign slip under the root)."""
    if lam >= 1:
        return ridge_scalar(x, y, lam)
    with np.errstate(invalid="ignore"):
        return x * y / (x * x + np.sqrt(np.float64(lam - 1.0)) ** 2 + 1.0)


def ridge_scalar_refusing(x: float, y: float, lam: float) -> float:
    """θ(λ) that refuses small λ as 'ill-conditioned' although λ = 0 is in the domain."""
    if lam < 0.5:
        raise ValueError(f"λ = {lam} is too small to solve reliably")
    return ridge_scalar(x, y, lam)


def distill_least_squares(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """rank(X) points with the same XᵀX and Xᵀy: (R, Qᵀy) from a thin QR of X."""
    q, r = np.linalg.qr(X)
    return r, q.T @ y


def distill_zeros(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A trivial distiller: d zero points with zero labels."""
    d = X.shape[1]
    return np.zeros((d, d)), np.zeros(d)


def distill_one_short(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The QR points without their last row: d − 1 points."""
    points, labels = distill_least_squares(X, y)
    return points[:-1], labels[:-1]


# -- checks ----------------------------------------------------------------------------------------

LAMBDA_RANGE = (0.0, 10.0)
LAMBDA_STRATEGY = st.tuples(st.floats(0.5, 2.0), st.floats(-2.0, 2.0), st.floats(*LAMBDA_RANGE))
LAMBDA_DOMAIN = tuples(interval(0.5, 2.0), interval(-2.0, 2.0), interval(*LAMBDA_RANGE))


def _ridge_matches(ctx: CheckContext, solve, domain) -> Outcome:
    """θ(λ) from ``solve`` equals xy / (x² + λ) within 10·u relative, for x ∈ [0.5, 2], λ ∈ [0, 10]."""

    def prop(example):
        x, y, lam = example
        reference = ridge_scalar(x, y, lam)
        error = abs(solve(x, y, lam) - reference)
        # two divisions and a product in float64: relative error ≤ 4u; 10u leaves room for the subject's order
        return within(error, 10 * np.finfo(float).eps / 2 * max(abs(reference), np.finfo(float).tiny),
                      f"θ({lam:.6g}) is off by {error:.3g}")

    return property_outcome(search(ctx, domain, prop))


def _ridge_with_figure(ctx: CheckContext, solve) -> Outcome:
    """The same claim written with a bare `if gap > tol` and the gap returned as a figure."""

    def prop(example):
        x, y, lam = example
        gap = abs(solve(x, y, lam) - ridge_scalar(x, y, lam))
        if gap > 1e-12:
            raise Violation("θ differs", gap=gap)
        return {"gap": gap}

    return property_outcome(search(ctx, LAMBDA_STRATEGY, prop))


def _shrinkage_strict(ctx: CheckContext, strict: bool) -> Outcome:
    """1/(1 + λ) < 1 (strict) or ≤ 1 for every λ ∈ [0, 1]."""

    def prop(lam):
        factor = 1.0 / (1.0 + lam)
        holds = factor < 1.0 if strict else factor <= 1.0
        if not holds:
            raise Violation(f"1/(1 + {lam}) = {factor} is not {'<' if strict else '≤'} 1", factor=factor)
        return {"factor": factor}

    return property_outcome(search(ctx, st.floats(0.0, 1.0), prop))


def _longley(points_short: int) -> Callable[..., Outcome]:
    def check(ctx: CheckContext, distill=distill_linear_regression) -> Outcome:
        """The least-squares fit on the distilled points equals Longley's (intercept included)."""
        import statsmodels.api as sm

        data = sm.datasets.longley.load_pandas()
        X = np.column_stack([np.ones(len(data.exog)), data.exog.to_numpy(float)])
        y = data.endog.to_numpy(float)
        small = distill(X, y)
        keep = len(small.y) - points_short
        full = ridge_path(X, y, [0.0]).coefficients[0]
        fit = ridge_path(small.X[:keep], small.y[:keep], [0.0]).coefficients[0]
        kappa = condition_number(X)
        # two backward-stable least-squares solves of a system with condition κ: 10·n·κ·u each
        tolerance = 2 * solve_tolerance(kappa, X.shape[1])
        return Outcome.verified(**within(relative_error(fit, full), tolerance,
                                         "the distilled fit differs from Longley's", condition=kappa))

    return check


def _distill_matches(ctx: CheckContext, distill) -> Outcome:
    """XᵀX and Xᵀy of the distilled points equal those of the data (relative 10·n·κ·u)."""

    def prop(example):
        n, d, seed = example
        rng = np.random.default_rng(seed)
        X, y = rng.standard_normal((n, d)), rng.standard_normal(n)
        points, labels = distill(X, y)
        # a Householder QR reproduces XᵀX and Xᵀy to O(n·u)·‖X‖·(‖X‖ or ‖y‖); 10·n·u of that scale
        scale = solve_tolerance(1.0, n) * np.linalg.norm(X)
        within(np.linalg.norm(points.T @ points - X.T @ X), scale * np.linalg.norm(X), "XᵀX differs")
        return within(np.linalg.norm(points.T @ labels - X.T @ y), scale * np.linalg.norm(y), "Xᵀy differs")

    return property_outcome(search(ctx, st.tuples(st.integers(4, 12), st.integers(1, 3), st.integers(0, 2**32 - 1)),
                                   prop))


def _drop_positivity(ctx: CheckContext, offset: float) -> Outcome:
    """Without λ ≥ 0, 1/(1 + λ) ≤ 1 fails somewhere in [offset − 1, offset]."""

    def prop(lam):
        if 1.0 / (1.0 + lam) > 1.0:
            raise Violation(f"1/(1 + {lam:.3g}) > 1", lam=lam)

    return counterexample_outcome(search(ctx, st.floats(offset - 1.0, offset).filter(lambda v: v != -1.0), prop),
                                  "λ ≥ 0")


def _violation_outside_search(ctx: CheckContext, claimed: float) -> Outcome:
    """Longley's response has mean at least ``claimed`` (a real-data comparison, no search)."""
    import statsmodels.api as sm

    mean = float(sm.datasets.longley.load_pandas().endog.mean())
    if mean < claimed:
        raise Violation(f"the mean is {mean:.1f} < {claimed}", mean=mean)
    return Outcome.verified(mean=mean)


def _cases() -> list[Case]:
    cases: list[Case] = []

    def add(name, pattern, claim, check_name, kind, fn, expected):
        cases.append(Case(name, pattern, _theorem(name, claim, check_name, kind, fn), expected))

    window = "narrow interior window"
    add("window-domain-false", window, "θ(λ) is the ridge solution on λ ∈ [0, 10] (grid domain)", "matches",
        Kind.PROPERTY, lambda ctx, solve=ridge_scalar_window_bug: _ridge_matches(ctx, solve, LAMBDA_DOMAIN),
        Verdict.FALSIFIED)
    add("window-domain-true", window, "control of window-domain-false", "matches", Kind.PROPERTY,
        lambda ctx, solve=ridge_scalar: _ridge_matches(ctx, solve, LAMBDA_DOMAIN), Verdict.VERIFIED)
    add("window-strategy-false", window, "θ(λ) is the ridge solution on λ ∈ [0, 10] (bare strategy)", "matches",
        Kind.PROPERTY, lambda ctx, solve=ridge_scalar_window_bug: _ridge_matches(ctx, solve, LAMBDA_STRATEGY),
        Verdict.FALSIFIED)
    add("window-strategy-true", window, "control of window-strategy-false", "matches", Kind.PROPERTY,
        lambda ctx, solve=ridge_scalar: _ridge_matches(ctx, solve, LAMBDA_STRATEGY), Verdict.VERIFIED)
    endpoint = "endpoint-only failure"
    add("endpoint-false", endpoint, "1/(1 + λ) < 1 on [0, 1]", "shrinks", Kind.PROPERTY,
        lambda ctx, strict=True: _shrinkage_strict(ctx, strict), Verdict.FALSIFIED)
    add("endpoint-true", endpoint, "1/(1 + λ) ≤ 1 on [0, 1]", "shrinks", Kind.PROPERTY,
        lambda ctx, strict=False: _shrinkage_strict(ctx, strict), Verdict.VERIFIED)
    nan = "NaN-producing subject"
    add("nan-false", nan, "θ(λ) through a root is the ridge solution", "matches", Kind.PROPERTY,
        lambda ctx, solve=ridge_scalar_nan: _ridge_with_figure(ctx, solve), Verdict.ERROR)
    add("nan-true", nan, "control of nan-false", "matches", Kind.PROPERTY,
        lambda ctx, solve=ridge_scalar: _ridge_with_figure(ctx, solve), Verdict.VERIFIED)
    refusing = "refusing subject"
    add("refusing-false", refusing, "θ(λ) is the ridge solution, small λ refused", "matches", Kind.PROPERTY,
        lambda ctx, solve=ridge_scalar_refusing: _ridge_matches(ctx, solve, LAMBDA_STRATEGY), Verdict.FALSIFIED)
    trivial = "trivial subject"
    add("zeros-false", trivial, "a zero distiller keeps XᵀX and Xᵀy", "moments", Kind.PROPERTY,
        lambda ctx, distill=distill_zeros: _distill_matches(ctx, distill), Verdict.FALSIFIED)
    add("zeros-true", trivial, "the QR distiller keeps XᵀX and Xᵀy", "moments", Kind.PROPERTY,
        lambda ctx, distill=distill_least_squares: _distill_matches(ctx, distill), Verdict.VERIFIED)
    ill = "ill-conditioned real data"
    add("longley-false", ill, "d − 1 points reproduce Longley's OLS", "ols", Kind.REAL_DATA,
        _longley(points_short=1), Verdict.FALSIFIED)
    add("longley-true", ill, "d points reproduce Longley's OLS", "ols", Kind.REAL_DATA,
        _longley(points_short=0), Verdict.VERIFIED)
    outside = "violation outside search"
    add("outside-false", outside, "Longley's mean employment is at least 70 000", "mean", Kind.REAL_DATA,
        lambda ctx, claimed=70000.0: _violation_outside_search(ctx, claimed), Verdict.FALSIFIED)
    add("outside-true", outside, "Longley's mean employment is at least 60 000", "mean", Kind.REAL_DATA,
        lambda ctx, claimed=60000.0: _violation_outside_search(ctx, claimed), Verdict.VERIFIED)
    empty = "empty assumption drop"
    add("drop-empty", empty, "searching λ ∈ [0, 1] cannot show λ ≥ 0 matters", "drop-positivity",
        Kind.COUNTEREXAMPLE, lambda ctx, offset=1.0: _drop_positivity(ctx, offset), Verdict.INCONCLUSIVE)
    add("drop-found", empty, "searching λ ∈ [−1, 0] shows λ ≥ 0 matters", "drop-positivity",
        Kind.COUNTEREXAMPLE, lambda ctx, offset=0.0: _drop_positivity(ctx, offset), Verdict.VERIFIED)
    return cases


CASES: tuple[Case, ...] = tuple(_cases())


def run_case(case: Case, profile: str = "dev", seed: int = 0) -> Verdict:
    """The verdict of a case's single check at one profile and seed."""
    ctx = CheckContext(profile=profile, seed=seed)
    check = case.theorem.checks[0]
    return run_check(case.theorem, check, ctx).verdict
