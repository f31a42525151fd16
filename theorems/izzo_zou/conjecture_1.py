"""Izzo & Zou's conjecture: logistic regularisation paths cannot coincide under a reparametrisation.

The paper conjectures (Limitations & Future Work) that Theorem 4 strengthens: the ridge *paths*
{θ_orig(λ) : λ ≥ 0} and {θ_dist(λ') : λ' ≥ 0} of the original and a smaller distilled dataset
cannot coincide, whatever the correspondence λ ↦ λ'.

As literally stated it fails in one dimension: a path in ℝ¹ is the segment between 0 and the
unregularised fit θ̂, and one soft-labelled point (sign(θ̂), σ(abs θ̂)) has exactly that path
(check ``one-dimensional``). The same happens whenever the path lies on a line, and mirror-
symmetric data compress even with λ' = λ (izzo-zou/theorem-4::mirror-symmetric). The registered
conjecture therefore assumes d ≥ 2, inputs with xᵢ ≠ ±xⱼ, xᵢ ≠ 0, and a path that spans ℝᵈ.

Numerical form on a grid λ₁ … λ_N: θ_k = θ_orig(λ_k) lies on the distilled path iff the
distilled gradient there is a nonpositive multiple of θ_k, g̃(θ_k) = −2λ'_kθ_k with λ'_k ≥ 0 (then
θ_k minimises the distilled objective at λ'_k, by strict convexity). The search minimises the
part of g̃(θ_k) orthogonal to θ_k plus the positive part of its component along θ_k, relative to
the data gradient's size, over m = n − 1 soft-labelled points. A counterexample is a set whose
residual is at rounding level; the verdict is at best ``unrefuted``.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.special import expit

from constructions.logistic import (
    LogisticData,
    attempt_starts,
    best_path_attempt,
    fit_logistic_ridge_full_lambda,
    path_scale,
    regularisation_path,
)
from theorems import Assumption, Checks, Kind, Outcome, Theorem, Violation, register, search
from theorems.domains import Domain, integers, parametric, tuples
from theorems.izzo_zou.theorem_4 import gradient_tolerance
from theorems.searching import counterexample_outcome

# --- statement --------------------------------------------------------------------------------


def statement():
    """No m < n points and map φ with θ_dist(φ(λ)) = θ_orig(λ) for all λ ≥ 0 (under the hypotheses)."""
    lam, lam_prime = sp.symbols("λ λ'", nonnegative=True)
    n, m = sp.symbols("n m", integer=True, positive=True)
    same_path = sp.Eq(sp.Function("θ_dist")(lam_prime), sp.Function("θ_orig")(lam))
    hypotheses = sp.Symbol("d ≥ 2, xᵢ ≠ ±xⱼ, xᵢ ≠ 0, path spans ℝᵈ")
    coincide = sp.Symbol("∃ D_dist with |D_dist| = m and φ: λ ↦ λ' = φ(λ) such that")
    return [sp.Implies(sp.And(hypotheses, sp.Lt(m, n)), sp.Not(coincide)), same_path]


def correspondence_residual(candidate: LogisticData, path: np.ndarray, lambdas) -> np.ndarray:
    """For each θ_k, with g̃ = g̃(θ_k) and θ̂ = θ_k/‖θ_k‖: the part of g̃ orthogonal to θ̂ and
    max(0, θ̂ᵀg̃), both divided by ‖g̃‖ (so the sine of the angle between g̃ and −θ_k: scale-free,
    and a candidate whose gradient vanishes gains nothing). Zero iff every θ_k minimises the
    candidate's objective at some λ'_k = ‖g̃‖/(2‖θ_k‖) > 0."""
    gradients = (expit(path @ candidate.X.T) - candidate.y) * candidate.weights @ candidate.X / candidate.weights.sum()
    directions = path / np.linalg.norm(path, axis=1, keepdims=True)
    along = np.sum(directions * gradients, axis=1)
    sizes = np.maximum(np.linalg.norm(gradients, axis=1), np.finfo(float).tiny)
    orthogonal = (gradients - along[:, None] * directions) / sizes[:, None]
    return np.concatenate([orthogonal.ravel(), np.maximum(along, 0.0) / sizes])


def grid_for(n: int, d: int) -> np.ndarray:
    """λ ∈ 10^[−3, 1] with N(d − 1) ≥ (n − 1)(d + 1) + 4 (at least 8 values): more alignment
    equations than the (n − 1)(d + 1) unknowns of an (n − 1)-point set, so a match is no accident
    of counting. The range is wide because near-coincidences over a short stretch of the path
    (two points on one ray merge approximately while margins are small) separate further out."""
    count = int(np.ceil(((n - 1) * (d + 1) + 4) / (d - 1)))
    return np.logspace(-3, 1, max(count, 8))


# --- checks -----------------------------------------------------------------------------------
checks = Checks()


SPACING = 0.3
"""Least gap between consecutive first coordinates of the inputs (as izzo-zou/theorem-4's inputs)."""


def spanning_example(gaps: np.ndarray, rest: np.ndarray, y: np.ndarray):
    """(data, λ grid, path): inputs with first coordinates 0.1 + Σ(SPACING + gaps) (distinct, ≥ 0.1,
    so nonzero and non-antipodal) and the other coordinates ``rest``, labels ``y`` ∈ {0, 1}."""
    first = 0.1 + np.cumsum(SPACING + np.asarray(gaps, dtype=float)) - SPACING
    data = LogisticData.build(np.column_stack([first, rest]), y)
    lambdas = grid_for(len(data), data.X.shape[1])
    return data, lambdas, regularisation_path(data, lambdas)


def spans(path: np.ndarray) -> bool:
    """Whether the path matrix [θ(λ_k)] has σ_d above 10⁻³·σ₁ (it spans ℝᵈ, well above rounding)."""
    singular = np.linalg.svd(path, compute_uv=False)
    return bool(singular[-1] > 1e-3 * singular[0])


@st.composite
def spanning_problem(draw):
    """Binary data in d ∈ {2, 3} with n ∈ {2, …, 4} non-antipodal inputs (gaps in [0, SPACING],
    other coordinates in [−1, 1])."""
    d = draw(st.sampled_from([2, 3]))
    n = draw(st.integers(min_value=2, max_value=4))
    gaps = draw(arrays(np.float64, (n,), elements=st.floats(0.0, SPACING, width=64)))
    rest = draw(arrays(np.float64, (n, d - 1), elements=st.floats(-1.0, 1.0, width=64)))
    return spanning_example(gaps, rest, draw(arrays(np.float64, (n,), elements=st.sampled_from([0.0, 1.0]))))


def spanning_domain() -> Domain:
    """Every (d, n) with d ∈ {2, 3}, n ∈ {2, 3, 4}; gaps, coordinates and labels drawn."""

    def build(params, rng):
        d, n = params
        return spanning_example(rng.uniform(0.0, SPACING, n), rng.uniform(-1.0, 1.0, (n, d - 1)),
                                rng.choice([0.0, 1.0], n))

    return parametric(spanning_problem(), tuples(integers(2, 3), integers(2, 4)), build,
                      description="binary data: d ∈ {2, 3}, n ≤ 4 non-antipodal inputs")


@checks.add("path-coincidence-search", Kind.PROPERTY)
def path_coincidence_search(ctx, criterion=correspondence_residual, points_short=1) -> Outcome:
    """Counterexample search: for random data meeting the hypotheses, a least-squares search
    (2 starts: subsets of the data, moved by 5 %) for n − 1 soft-labelled points whose path passes
    through every θ(λ_k) under some λ'_k > 0 (:func:`correspondence_residual`, RMS over the grid).
    A counterexample is a set whose residual is at or below the relative accuracy of the path
    itself, 10 × (Newton + rounding bound) / path scale. Verdict: ``unrefuted`` with the
    number of data sets and searches tried, and the smallest residual seen."""
    record = {"smallest": np.inf, "searches": 0}

    def prop(problem):
        data, lambdas, path = problem
        assume(spans(path))  # the conjecture assumes a path that spans ℝᵈ
        rng = ctx.rng("search", data.X.tobytes(), data.y.tobytes())
        exact_level = 10 * gradient_tolerance(data, path, lambdas) / path_scale(path, lambdas)
        attempt = best_path_attempt(path, lambdas, attempt_starts(data, len(data) - points_short, rng, count=2),
                                    criterion, scale=np.sqrt(len(lambdas)))
        record["searches"] += attempt.starts
        record["smallest"] = min(record["smallest"], attempt.relative_residual / exact_level)
        if attempt.relative_residual <= exact_level:
            raise Violation(f"{len(attempt.data)} points put every θ(λ_k) on their path "
                            f"(residual {attempt.relative_residual:.3g} ≤ {exact_level:.3g})",
                            residual=attempt.relative_residual, points=len(attempt.data), original=len(data),
                            distilled_X=attempt.data.X.tolist(), distilled_y=attempt.data.y.tolist())
        return {"level_over_residual": exact_level / attempt.relative_residual}

    result = search(ctx, spanning_domain(), prop, fraction=0.02, minimum=2, label="coincide")
    if result.found:
        return Outcome.falsified(result.counterexample, result.violation.message,
                                 **{**result.figures(), **result.violation.figures})
    return Outcome.unrefuted(f"no counterexample in {result.tried} data sets ({record['searches']} searches)",
                             data_sets=result.tried, searches=record["searches"],
                             smallest_residual_over_level=record["smallest"])


def one_point_path(data: LogisticData) -> LogisticData:
    """(sign θ̂, σ(abs θ̂)) with θ̂ the unregularised 1-D fit: a single point whose ridge path runs
    from θ̂ (λ' = 0) to 0 (λ' → ∞) along the same segment as the data's."""
    theta_hat = fit_logistic_ridge_full_lambda(data, 0.0)[0]
    return LogisticData.build([[np.sign(theta_hat) or 1.0]], [expit(abs(theta_hat))], binary=False)


MAGNITUDES = np.arange(1, 9) / 4
"""|xᵢ| ∈ {¼, ½, …, 2} for the one-dimensional data, distinct (so no two inputs coincide)."""


def one_dimensional_example(magnitudes, signs: np.ndarray, y: np.ndarray) -> LogisticData:
    """1-D binary data xᵢ = signᵢ·|xᵢ|."""
    return LogisticData.build((np.asarray(magnitudes, dtype=float) * signs)[:, None], y)


@st.composite
def one_dimensional_problem(draw):
    """n ∈ {2 … 5} distinct magnitudes from :data:`MAGNITUDES`, signs ±1 and labels 0/1."""
    n = draw(st.integers(min_value=2, max_value=5))
    magnitudes = draw(st.lists(st.sampled_from(MAGNITUDES), min_size=n, max_size=n, unique=True))
    signs = draw(arrays(np.float64, (n,), elements=st.sampled_from([1.0, -1.0])))
    return one_dimensional_example(magnitudes, signs, draw(arrays(np.float64, (n,), elements=st.sampled_from([0.0, 1.0]))))


def one_dimensional_domain() -> Domain:
    """Every n ∈ {2 … 5}; magnitudes, signs and labels drawn."""

    def build(n, rng):
        return one_dimensional_example(rng.choice(MAGNITUDES, n, replace=False), rng.choice([1.0, -1.0], n),
                                       rng.choice([0.0, 1.0], n))

    return parametric(one_dimensional_problem(), integers(2, 5), build, description="1-D binary data, n ≤ 5")


@checks.add("one-dimensional", Kind.COUNTEREXAMPLE)
def one_dimensional(ctx, distil=one_point_path) -> Outcome:
    """Drop 'd ≥ 2': for 1-D data that is not separable through 0 (so θ̂ = θ_orig(0) exists), the
    single point (sign θ̂, σ(abs θ̂)) has the path (0, θ̂]: every θ(λ_k) on a grid λ ∈ 10^[−2, 1]
    is on it with λ'_k ≥ 0 (residual within the Newton + rounding bound), and its own λ' = 0 fit
    equals θ̂ within the Newton stopping level. So n points compress to one under λ ↦ λ'."""

    def prop(data):
        margins_sign = np.sign(data.X[:, 0]) * (2 * data.y - 1)
        assume(np.any(margins_sign > 0) and np.any(margins_sign < 0))  # not separable through 0
        lambdas = np.logspace(-2, 1, 8)
        unregularised = fit_logistic_ridge_full_lambda(data, 0.0)
        assume(abs(unregularised[0]) > 1e-6)  # a path that is only the point 0 says nothing
        path = regularisation_path(data, lambdas)
        point = distil(data)
        level = 10 * gradient_tolerance(data, path, lambdas)
        on_path = np.linalg.norm(correspondence_residual(point, path, lambdas)) <= level / path_scale(path, lambdas)
        endpoint = fit_logistic_ridge_full_lambda(point, 0.0)
        # the endpoint's own Newton level divided by the curvature σ(1−σ)·x̃² of the single point
        curvature = expit(abs(unregularised[0])) * (1 - expit(abs(unregularised[0])))
        same_end = abs(endpoint[0] - unregularised[0]) <= 2 * level / curvature
        if len(point) < len(data) and on_path and same_end:
            raise Violation(f"one point ({point.X[0, 0]:+g}, {point.y[0]:.4g}) has the {len(data)}-point path",
                            original=len(data), endpoint_gap=float(abs(endpoint[0] - unregularised[0])))
        return None

    return counterexample_outcome(search(ctx, one_dimensional_domain(), prop, fraction=0.1, label="one-d"), "d ≥ 2")


THEOREM = register(
    Theorem(
        id="izzo-zou/conjecture-1",
        title="Logistic ridge paths of original and smaller distilled data cannot coincide (any λ ↦ λ')",
        source="Izzo & Zou, A Theoretical Study of Dataset Distillation, Limitations & Future Work (conjecture)",
        claim=("For d ≥ 2 and inputs with xᵢ ≠ ±xⱼ, xᵢ ≠ 0, whose ridge path spans ℝᵈ, no dataset with fewer "
               "points has the same regularisation path {θ(λ)} under any correspondence λ ↦ λ'. (Without d ≥ 2 "
               "it is false: one point reproduces any 1-D path.)"),
        statement=statement,
        assumptions=(
            Assumption("d ≥ 2", "at least two features; in one dimension one point reproduces every path"),
            Assumption("non-antipodal distinct inputs", "xᵢ ≠ ±xⱼ for i ≠ j and xᵢ ≠ 0 (as in izzo-zou/theorem-4)"),
            Assumption("path spans ℝᵈ", "the path is in no proper subspace (mirror-symmetric data violate this)"),
        ),
        checks=checks.freeze(),
        construction=best_path_attempt,
        conventions="(1/n)Σ cross-entropy + λ‖θ‖², λ absolute; original y ∈ {0,1}; distilled soft labels in [0, 1]",
        status="conjecture",
    )
)
