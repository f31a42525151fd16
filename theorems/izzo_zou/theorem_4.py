"""Izzo & Zou, Theorem 4: logistic regression cannot be compressed — with two corrections.

Objective (the paper's): L(θ) = (1/n)Σᵢ [log(1 + e^{θᵀxᵢ}) − yᵢθᵀxᵢ] + λ‖θ‖², yᵢ ∈ {0, 1}; a
distilled set may have soft labels in [0, 1] and positive weights (:mod:`constructions.logistic`).

The paper assumes only that the xᵢ are distinct. Two facts make that too weak:

* (−x, 1 − y) has the same loss as (x, y) for every θ (log(1 + e^{−t}) + t = log(1 + e^{t})), so
  {(x, 1), (−x, 0)} is distilled exactly by {(x, 1)} — for every λ and every regulariser. The
  proof's "linear independence of σ(θᵀxᵢ)" must include the constant function, and σ(t) + σ(−t) = 1.
* For hyperparameter distillation the proof extends an identity from the path {θ(λ)} to all θ by
  the identity theorem, which needs d = 1: in d ≥ 2 a curve is not a set of uniqueness. Mirror-
  symmetric data ((a, c) and (a, −c) with equal labels) have their whole path in the mirror plane
  and are distilled, for every λ, by the projected points — half as many.

What is registered (the project's statement). If xᵢ ≠ ±xⱼ for all i ≠ j and xᵢ ≠ 0, the
functions 1, σ(θᵀx₁), …, σ(θᵀxₙ) are linearly independent; hence exact combination distillation,
and, in d = 1, exact hyperparameter distillation, need at least n points. On generic data in d = 2
the best (n − 1)-point attempt at the ridge path stays bounded away from it (numerical evidence).
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.special import expit

from constructions.logistic import (
    LogisticData,
    path_scale,
    attempt_starts,
    best_path_attempt,
    fold_mirror_symmetric,
    merge_equivalent_points,
    path_residual,
    regularisation_path,
    sigmoid_feature_matrix,
)
from empirical.datasets import load_statsmodels
from theorems import Assumption, Checks, Kind, Outcome, Theorem, Violation, register, search
from theorems.requirements import dataset
from theorems.search import counterexample_outcome, property_outcome
from theorems.tolerances import unit_roundoff

# --- statement --------------------------------------------------------------------------------


def statement():
    """Non-antipodal distinct inputs ⇒ {1, σ(θᵀxᵢ)} independent ⇒ CD (and HD in d = 1) needs ≥ n points."""
    n, k, d = sp.symbols("n k d", integer=True, positive=True)
    independent = sp.Symbol("{1, σ(θᵀx₁), …, σ(θᵀxₙ)} linearly independent")
    hypothesis = sp.Symbol("xᵢ ≠ ±xⱼ (i ≠ j), xᵢ ≠ 0")
    t, y = sp.symbols("t y", real=True)
    symmetry = sp.Eq(cross_entropy(-t, 1 - y), cross_entropy(t, y))
    return [sp.Implies(hypothesis, independent),
            sp.Implies(sp.And(independent, sp.Symbol("exact CD, or exact HD with d = 1")), sp.Ge(k, n)),
            symmetry]


def cross_entropy(t, y):
    """Cross-entropy of label y at margin t = θᵀx: log(1 + eᵗ) − y·t."""
    return sp.log(1 + sp.exp(t)) - y * t


# --- checks -----------------------------------------------------------------------------------
checks = Checks()


@checks.add("sign-symmetry", Kind.SYMBOLIC)
def sign_symmetry(ctx, loss=cross_entropy) -> Outcome:
    """sympy: ℓ(−t, 1 − y) − ℓ(t, y) simplifies to 0 for symbolic real t, y, so (−x, 1 − y) and
    (x, y) are interchangeable for every θ — why antipodal inputs must be excluded."""
    t, y = sp.symbols("t y", real=True)
    gap = sp.simplify(loss(-t, 1 - y) - loss(t, y))
    return Outcome.decide(gap == 0, None if gap == 0 else {"gap": str(gap)},
                          "" if gap == 0 else "ℓ(−t, 1 − y) ≠ ℓ(t, y)", gap_is_zero=int(gap == 0))


def default_small_inputs(rng: np.random.Generator) -> np.ndarray:
    """Three inputs in ℝ² with entries in ¼ℤ, distinct positive first coordinates (hence
    pairwise distinct and non-antipodal)."""
    first = np.sort(rng.choice(np.arange(1, 9), size=3, replace=False)) / 4
    return np.column_stack([first, rng.integers(-4, 5, size=3) / 4])


@checks.add("independence-mpmath", Kind.SYMBOLIC)
def independence_mpmath(ctx, inputs=default_small_inputs) -> Outcome:
    """Small case in 50-digit arithmetic: for 3 inputs and 8 parameter vectors θⱼ (entries in ½ℤ),
    A = [1 | σ(θⱼᵀxᵢ)] is evaluated with mpmath and its smallest singular value exceeds
    10·N·10⁻⁵⁰·‖A‖ (the rounding bound at that precision): the four functions 1, σ(θᵀxᵢ) are
    linearly independent. The double-precision σ_min agrees to within its own bound."""
    rng = ctx.rng("small")
    X = inputs(rng)
    thetas = rng.integers(-4, 5, size=(8, X.shape[1])) / 2
    with mpmath.workdps(50):
        A = mpmath.matrix([[mpmath.mpf(1)] + [1 / (1 + mpmath.exp(-sum(mpmath.mpf(float(a)) * mpmath.mpf(float(b))
                                                                          for a, b in zip(theta, x))))
                                              for x in X] for theta in thetas])
        singular = mpmath.svd_r(A, compute_uv=False)
        smallest, largest = min(singular), max(singular)
        bound = 10 * A.rows * mpmath.mpf(10) ** -50 * largest
        certified = smallest > bound
    float_A = sigmoid_feature_matrix(X, thetas)
    float_singular = np.linalg.svd(float_A, compute_uv=False)
    float_bound = 10 * float_A.shape[0] * unit_roundoff() * float_singular[0] + unit_roundoff() * np.linalg.norm(float_A)
    agrees = abs(float(smallest) - float_singular[-1]) <= float_bound
    holds = bool(certified and agrees)
    return Outcome.decide(holds, None if holds else {"X": X, "thetas": thetas, "sigma_min": float(smallest)},
                          "" if holds else "σ_min(A) is not certified positive", sigma_min=float(smallest),
                          bound=float(bound), float_gap=abs(float(smallest) - float_singular[-1]))


@st.composite
def logistic_inputs(draw, max_n: int = 6, dims=(1, 2, 3), allow_antipodal: bool = False, spacing: float = 0.2):
    """n inputs with distinct first coordinates ≥ 0.1 (so pairwise distinct, nonzero and
    non-antipodal), other coordinates in [−1, 1]. With ``allow_antipodal`` the second input may be
    replaced by minus the first: distinct, as the paper assumes, but antipodal."""
    d = draw(st.sampled_from(dims))
    n = draw(st.integers(min_value=2, max_value=max_n))
    gaps = draw(arrays(np.float64, (n,), elements=st.floats(0.0, spacing, width=64)))
    first = 0.1 + np.cumsum(spacing + gaps) - spacing
    rest = draw(arrays(np.float64, (n, d - 1), elements=st.floats(-1.0, 1.0, width=64)))
    X = np.column_stack([first, rest])
    if allow_antipodal and draw(st.booleans()):
        X[1] = -X[0]
    return X


@checks.add("linear-independence", Kind.PROPERTY)
def linear_independence(ctx, feature=expit, allow_antipodal=False) -> Outcome:
    """Random non-antipodal distinct inputs (n ≤ 6, d ≤ 3) and N = 2(n + 1) random θⱼ (normal,
    scale 2): A = [1 | σ(θⱼᵀxᵢ)] has full column rank, certified by σ_min(A) > u‖A‖_F +
    10·N·u·‖A‖₂ (entry rounding of σ plus the SVD's backward error; Weyl). Figure: worst bound/σ_min."""

    def prop(X):
        rng = ctx.rng("thetas", X.tobytes())
        thetas = 2 * rng.standard_normal((2 * (X.shape[0] + 1), X.shape[1]))
        A = sigmoid_feature_matrix(X, thetas, feature=feature)
        singular = np.linalg.svd(A, compute_uv=False)
        bound = unit_roundoff() * np.linalg.norm(A) + 10 * A.shape[0] * unit_roundoff() * singular[0]
        ratio = bound / singular[-1] if singular[-1] > 0 else np.inf
        if ratio >= 1:
            raise Violation(f"σ_min(A) = {singular[-1]:.3g} is within rounding ({bound:.3g}): the functions "
                            "are numerically dependent", bound_over_sigma_min=ratio)
        return {"bound_over_sigma_min": ratio}

    return property_outcome(search(ctx, logistic_inputs(allow_antipodal=allow_antipodal), prop, label="rank"))


PATH_LAMBDAS = np.logspace(-2, 0, 8)
COUNTEREXAMPLE_LAMBDAS = np.logspace(-2, 0, 4)  # exact identities: a short grid suffices to exhibit them


@st.composite
def path_problem(draw, max_n: int = 3, dims=(1, 2)):
    X = draw(logistic_inputs(max_n=max_n, dims=dims, spacing=0.3))
    y = draw(arrays(np.float64, (X.shape[0],), elements=st.sampled_from([0.0, 1.0])))
    return LogisticData.build(X, y)


@checks.add("best-attempt-path", Kind.PROPERTY)
def best_attempt_path(ctx, points_short=1, residual_fn=path_residual) -> Outcome:
    """Random binary data (n ≤ 3, d ∈ {1, 2}, non-antipodal) and its ridge path on λ ∈ 10^[−2, 0]
    (8 values). A least-squares search (2 starts) for n − 1 soft-labelled points making every θ(λ)
    stationary for their objective leaves a relative gradient residual ρ above the exact level
    τ = 10 × (Newton + rounding bound of :func:`gradient_tolerance`) / path scale — what a set
    with the same objective can show. Control: the same search for n points from a copy of the
    data moved by 1 % must get 10³ times lower than the (n−1)-point ρ, so that ρ is not the
    search's own floor. Figures: worst τ/ρ (< 1: bounded away) and worst ρ_n/ρ_{n−1}."""

    def prop(data):
        rng = ctx.rng("attempt", data.X.tobytes(), data.y.tobytes())
        path = regularisation_path(data, PATH_LAMBDAS)
        n = len(data)
        exact_level = 10 * gradient_tolerance(data, path, PATH_LAMBDAS) / path_scale(path, PATH_LAMBDAS)
        short = best_path_attempt(path, PATH_LAMBDAS, attempt_starts(data, n - points_short, rng, count=2),
                                  residual_fn)
        full = best_path_attempt(path, PATH_LAMBDAS, attempt_starts(data, n, rng, count=1, jitter=0.01), residual_fn)
        resolved = full.relative_residual <= 1e-3 * short.relative_residual
        if short.relative_residual <= exact_level or not resolved:
            raise Violation(f"{n - points_short} points reach ρ = {short.relative_residual:.3g}, {n} points reach "
                            f"ρ = {full.relative_residual:.3g} (exact level {exact_level:.3g})",
                            short_residual=short.relative_residual, full_residual=full.relative_residual)
        return {"level_over_short_residual": exact_level / short.relative_residual,
                "full_over_short_residual": full.relative_residual / short.relative_residual}

    return property_outcome(search(ctx, path_problem(), prop, fraction=0.1, label="path"))


def gradient_tolerance(data: LogisticData, path: np.ndarray, lambdas) -> float:
    """Bound on ‖path_residual‖ for a set with the same objective: the Newton stopping level
    10⁻¹³(1 + ‖(1/W)Σwyx‖) + 10·n·eps·max‖xᵢ‖ per λ, plus the rounding of the candidate's own
    n-term gradient sum, 10·n·u·(max‖xᵢ‖ + 2λ‖θ‖), summed in quadrature over the grid."""
    data_size = 1 + np.linalg.norm((data.weights * data.y) @ data.X / data.weights.sum())
    biggest = np.max(np.linalg.norm(data.X, axis=1))
    terms = [1e-13 * data_size + 10 * len(data) * 2 * unit_roundoff() * biggest
             + 10 * len(data) * unit_roundoff() * (biggest + 2 * lam * np.linalg.norm(theta))
             for theta, lam in zip(path, lambdas)]
    return float(np.sqrt(np.sum(np.square(terms))))


def union(a: LogisticData, b: LogisticData) -> LogisticData:
    return LogisticData(np.vstack([a.X, b.X]), np.concatenate([a.y, b.y]), np.concatenate([a.weights, b.weights]))


def exact_distillation_found(data: LogisticData, distilled: LogisticData, extra: LogisticData | None) -> dict:
    """Raise Violation when ``distilled`` has fewer points and reproduces the ridge path (HD) and,
    if ``extra`` is given, the path after appending it to both (CD), on λ ∈ 10^[−2, 0] (4 values),
    within :func:`gradient_tolerance`."""
    pairs = [(data, distilled)] + ([(union(data, extra), union(distilled, extra))] if extra is not None else [])
    worst = 0.0
    for original, candidate in pairs:
        path = regularisation_path(original, COUNTEREXAMPLE_LAMBDAS)
        mismatch = np.linalg.norm(path_residual(candidate, path, COUNTEREXAMPLE_LAMBDAS))
        worst = max(worst, mismatch / gradient_tolerance(original, path, COUNTEREXAMPLE_LAMBDAS))
    unweighted = bool(np.allclose(distilled.weights, distilled.weights[0]))
    if len(distilled) < len(data) and worst <= 1:
        raise Violation(f"{len(distilled)} points reproduce the {len(data)}-point ridge path"
                        + (" and the fit after appending data" if extra is not None else ""),
                        points=len(distilled), original=len(data), mismatch_over_tolerance=worst,
                        unweighted=int(unweighted))
    return {"mismatch_over_tolerance": worst}


QUARTERS = st.sampled_from(np.arange(1, 9) / 4)  # a coarse grid: counterexamples shrink in few steps


@st.composite
def grid_inputs(draw, max_n: int = 4, dims=(1, 2)):
    """n distinct inputs on a grid of quarters with positive first coordinates (non-antipodal)."""
    d = draw(st.sampled_from(dims))
    n = draw(st.integers(min_value=2, max_value=max_n))
    rows = draw(st.lists(st.tuples(*[QUARTERS] * d), min_size=n, max_size=n, unique=True))
    signs = draw(arrays(np.float64, (n, d - 1), elements=st.sampled_from([1.0, -1.0])))
    X = np.array(rows, dtype=float)
    X[:, 1:] *= signs
    return X


@st.composite
def data_with_twins(draw, antipodal: bool):
    """Binary data in which one input repeats (``antipodal=False``) or appears with its negative."""
    X = draw(grid_inputs())
    source, target = draw(st.permutations(range(X.shape[0])))[:2]
    X[target] = -X[source] if antipodal else X[source]
    y = draw(arrays(np.float64, (X.shape[0],), elements=st.sampled_from([0.0, 1.0])))
    return LogisticData.build(X, y)


def extra_points(ctx, data: LogisticData) -> LogisticData:
    """Two random points (inputs uniform in [−1, 1]ᵈ, binary labels) to append for the CD test,
    drawn from the check's seed and the example (so a replay sees the same points)."""
    rng = ctx.rng("extra", data.X.tobytes(), data.y.tobytes())
    return LogisticData.build(rng.uniform(-1, 1, size=(2, data.X.shape[1])), rng.integers(0, 2, size=2))


@checks.add("duplicated-inputs", Kind.COUNTEREXAMPLE)
def duplicated_inputs(ctx, merge=merge_equivalent_points) -> Outcome:
    """Drop 'distinct inputs': with one input repeated, merging equal inputs (weights add, labels
    average) gives n − 1 weighted points with the same ridge path and the same fit after
    appending two random points (gradient mismatch within the Newton + rounding bound)."""

    def prop(data):
        return exact_distillation_found(data, merge(data), extra_points(ctx, data))

    return counterexample_outcome(search(ctx, data_with_twins(antipodal=False), prop, fraction=0.1, label="dup"),
                                  "distinct inputs")


@checks.add("antipodal-inputs", Kind.COUNTEREXAMPLE)
def antipodal_inputs(ctx, merge=merge_equivalent_points) -> Outcome:
    """Drop 'non-antipodal' (the paper assumes only distinct inputs): with xⱼ = −xᵢ, replacing
    (xⱼ, yⱼ) by (xᵢ, 1 − yⱼ) and merging gives n − 1 points with the same ridge path and combined
    fits. E.g. {(x, 1), (−x, 0)} is distilled by the single unweighted point (x, 1)."""

    def prop(data):
        return exact_distillation_found(data, merge(data), extra_points(ctx, data))

    return counterexample_outcome(search(ctx, data_with_twins(antipodal=True), prop, fraction=0.1, label="anti"),
                                  "non-antipodal inputs")


@checks.add("mirror-symmetric", Kind.COUNTEREXAMPLE)
def mirror_symmetric(ctx, fold=fold_mirror_symmetric) -> Outcome:
    """Drop 'd = 1' for hyperparameter distillation: data made of mirror pairs (a, c), (a, −c)
    with equal labels (d ∈ {2, 3}) have their ridge path in the plane x_d = 0; the projected,
    merged points — an unweighted set of half the size — reproduce it for the same λ. The
    paper's identity-theorem step fails here: the path is a curve, not an open set."""

    @st.composite
    def problem(draw):
        d = draw(st.sampled_from([2, 3]))
        base = draw(grid_inputs(max_n=3, dims=(d - 1,)))
        offsets = draw(arrays(np.float64, (base.shape[0],), elements=QUARTERS))
        labels = draw(arrays(np.float64, (base.shape[0],), elements=st.sampled_from([0.0, 1.0])))
        X = np.vstack([np.column_stack([base, offsets]), np.column_stack([base, -offsets])])
        return LogisticData.build(X, np.concatenate([labels, labels])), np.eye(d)[-1]

    def prop(args):
        data, normal = args
        return exact_distillation_found(data, fold(data, normal), None)

    return counterexample_outcome(search(ctx, problem(), prop, fraction=0.1, label="mirror"), "d = 1 (for HD)")


@checks.add("spector", Kind.REAL_DATA, needs=(dataset("spector"),))
def spector(ctx, feature=expit) -> Outcome:
    """statsmodels' ``spector`` (32 students; GPA, TUCE, PSI standardised, plus an intercept
    column, so no two inputs are antipodal): the inputs are distinct, and A = [1 | σ(θⱼᵀxᵢ)] over
    N = 2(n + 1) random θⱼ has σ_min above its rounding bound, so no exact combination
    distillation of spector has fewer than 32 points."""
    raw = load_statsmodels("spector")
    standard = (raw.X - raw.X.mean(0)) / raw.X.std(0)
    X = np.column_stack([np.ones(len(raw.y)), standard])
    distinct = np.unique(X, axis=0).shape[0] == X.shape[0]
    thetas = ctx.rng("thetas").standard_normal((2 * (X.shape[0] + 1), X.shape[1]))
    A = sigmoid_feature_matrix(X, thetas, feature=feature)
    singular = np.linalg.svd(A, compute_uv=False)
    bound = unit_roundoff() * np.linalg.norm(A) + 10 * A.shape[0] * unit_roundoff() * singular[0]
    holds = bool(distinct and singular[-1] > bound)
    return Outcome.decide(holds, None if holds else {"sigma_min": singular[-1], "bound": bound},
                          "" if holds else "spector: the sigmoid functions are not certified independent",
                          points=X.shape[0], sigma_min=singular[-1], bound=bound)


THEOREM = register(
    Theorem(
        id="izzo-zou/theorem-4",
        title="Logistic regression cannot be compressed (non-antipodal inputs; HD in one dimension)",
        source="Izzo & Zou, A Theoretical Study of Dataset Distillation, Theorem 4 (corrected by the project)",
        claim=("If the inputs satisfy xᵢ ≠ ±xⱼ (i ≠ j) and xᵢ ≠ 0, the functions 1, σ(θᵀx₁), …, σ(θᵀxₙ) are "
               "linearly independent, so exact combination distillation — and exact hyperparameter "
               "distillation when d = 1 — needs at least n points. With only 'distinct inputs' (the "
               "paper's hypothesis) antipodal pairs compress, and in d ≥ 2 mirror-symmetric data compress "
               "for hyperparameter distillation."),
        statement=statement,
        assumptions=(
            Assumption("distinct inputs", "x₁ … xₙ pairwise distinct"),
            Assumption("non-antipodal inputs", "xᵢ ≠ −xⱼ for all i, j (so also xᵢ ≠ 0); the paper omits this"),
            Assumption("d = 1 (for HD)", "the identity-theorem step for hyperparameter distillation needs d = 1"),
            Assumption("binary-labels", "original labels in {0, 1}; distilled labels may be soft and weighted"),
        ),
        checks=checks.freeze(),
        construction=merge_equivalent_points,
        conventions="(1/W)Σwᵢ cross-entropy + λ‖θ‖², λ absolute; y ∈ {0,1}; no intercept unless a column of ones",
    )
)
