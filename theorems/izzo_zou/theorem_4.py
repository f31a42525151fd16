"""Izzo & Zou, Theorem 4: logistic regression cannot be compressed — with corrections.

Objective (the paper's): L(θ) = (1/n)Σᵢ [log(1 + e^{θᵀxᵢ}) − yᵢθᵀxᵢ] + λ‖θ‖², yᵢ ∈ {0, 1}. Two
models of a distilled set are kept apart: the paper's (a multiset of unweighted points, each
counted once, normalised by its size k) and the weighted one (soft labels in [0, 1] and positive
weights w̃ⱼ, normalised by W̃ = Σw̃ⱼ; :mod:`constructions.logistic`). A point of weight 2 is two
points in the paper's model.

The paper assumes only that the xᵢ are distinct. That is too weak:

* (−x, 1 − y) has the same loss as (x, y) for every θ (log(1 + e^{−t}) + t = log(1 + e^{t})), so
  {(x, 1), (−x, 0)} is hyperparameter-distilled by the unweighted point (x, 1) — in the paper's
  own model. The proof's "linear independence of σ(θᵀxᵢ)" must include the constant function,
  and σ(t) + σ(−t) = 1.
* For hyperparameter distillation (HD) the proof extends an identity from the path {θ(λ)} to all
  θ by the identity theorem. In d ≥ 2 a curve is not a set of uniqueness: mirror-symmetric data
  are distilled by their projections, half as many. In d = 1 the path must also not be the single
  point 0, which happens exactly when Σ(½ − yᵢ)xᵢ = 0; then two points reproduce it.
* For combination distillation (CD) in the paper's model the normalisation alone forces k = n
  (appending data shows (n − k)·2λθ is bounded on an open set); the paper's CD claim stands there.
  With weights, merging duplicated or antipodal inputs compresses exactly (total weight n).

What is registered. (i) If xᵢ ≠ ±xⱼ (i ≠ j) and xᵢ ≠ 0, the functions 1, σ(θᵀx₁), …, σ(θᵀxₙ)
are linearly independent. (ii) Then every exact CD has at least n points, weighted or not.
(iii) If moreover d = 1 and Σ(½ − yᵢ)xᵢ ≠ 0, every exact HD has at least n points, weighted or
not. (iv) In the unweighted model every exact CD has exactly n points, for any data.
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.special import expit

from constructions.logistic import (
    LogisticData,
    attempt_starts,
    balanced_pair,
    best_path_attempt,
    data_gradient,
    data_making_minimiser,
    fit_logistic_ridge_full_lambda,
    fold_mirror_symmetric,
    merge_equivalent_points,
    minimiser_radius,
    path_residual,
    path_scale,
    regularisation_path,
    sigmoid_feature_matrix,
)
from empirical.datasets import load_statsmodels
from theorems import Assumption, Checks, Kind, Outcome, Theorem, Violation, register, search
from theorems.domains import Domain, integers, interval, parametric, sampled, tuples
from theorems.requirements import dataset
from theorems.searching import counterexample_outcome, property_outcome
from theorems.tolerances import unit_roundoff

# --- statement --------------------------------------------------------------------------------


def statement():
    """(i) separated inputs ⇒ {1, σ(θᵀxᵢ)} independent; (ii) ⇒ exact CD has k ≥ n; (iii) with d = 1 and
    Σ(½ − yᵢ)xᵢ ≠ 0, exact HD has k ≥ n; (iv) unweighted exact CD has k = n; the sign symmetry and
    the radius bound 2λ‖θ‖² ≤ W(1/e) behind them."""
    n, k = sp.symbols("n k", integer=True, positive=True)
    lam, radius = sp.symbols("λ ‖θ‖", positive=True)
    independent = sp.Symbol("{1, σ(θᵀx₁), …, σ(θᵀxₙ)} linearly independent")
    separated = sp.Symbol("xᵢ ≠ ±xⱼ (i ≠ j), xᵢ ≠ 0")
    moving_path = sp.Symbol("d = 1, Σ(½ − yᵢ)xᵢ ≠ 0")
    t, y = sp.symbols("t y", real=True)
    return [sp.Implies(separated, independent),
            sp.Implies(sp.And(independent, sp.Symbol("exact CD (weighted or not)")), sp.Ge(k, n)),
            sp.Implies(sp.And(independent, moving_path, sp.Symbol("exact HD (weighted or not)")), sp.Ge(k, n)),
            sp.Implies(sp.Symbol("exact CD by k unweighted points (the paper's model)"), sp.Eq(k, n)),
            sp.Eq(cross_entropy(-t, 1 - y), cross_entropy(t, y)),
            sp.Le(2 * lam * radius ** 2, sp.LambertW(sp.exp(-1)))]


def cross_entropy(t, y):
    """Cross-entropy of label y at margin t = θᵀx: log(1 + eᵗ) − y·t."""
    return sp.log(1 + sp.exp(t)) - y * t


def separated_inputs(X: np.ndarray) -> bool:
    """Hypothesis of (i), checked exactly on the data: xᵢ ≠ 0 and xᵢ ≠ ±xⱼ for i ≠ j."""
    if np.any(np.all(X == 0, axis=1)):
        return False
    for i in range(X.shape[0]):
        for j in range(i):
            if np.array_equal(X[i], X[j]) or np.array_equal(X[i], -X[j]):
                return False
    return True


def path_moves(data: LogisticData) -> bool:
    """Hypothesis of (iii) beyond d = 1: the gradient at 0, (1/W)Σwᵢ(½ − yᵢ)xᵢ, exceeds its rounding
    level 10·n·u·max‖xᵢ‖, so θ(λ) ≠ 0 for every λ and the path accumulates at 0 through nonzero points."""
    at_zero = np.linalg.norm(data_gradient(data, np.zeros(data.X.shape[1])))
    return bool(at_zero > 10 * len(data) * unit_roundoff() * np.max(np.linalg.norm(data.X, axis=1)))


def gradient_rounding(data: LogisticData, theta: np.ndarray, lam: float) -> float:
    """Rounding bound on a computed ridge gradient (1/W)Σwᵢ(σ(θᵀxᵢ) − yᵢ)xᵢ + 2λθ: each term is at
    most max‖xᵢ‖ in norm, an n-term sum loses 10·n·u of it, and the ridge term u·2λ‖θ‖."""
    biggest = np.max(np.linalg.norm(data.X, axis=1))
    return float(10 * len(data) * unit_roundoff() * (biggest + 2 * lam * np.linalg.norm(theta)))


def ridge_gradient(data: LogisticData, theta: np.ndarray, lam: float) -> np.ndarray:
    return data_gradient(data, theta) + 2 * lam * theta


def union(a: LogisticData, b: LogisticData) -> LogisticData:
    return LogisticData(np.vstack([a.X, b.X]), np.concatenate([a.y, b.y]), np.concatenate([a.weights, b.weights]))


# --- checks: the lemma ------------------------------------------------------------------------
checks = Checks()


@checks.add("sign-symmetry", Kind.SYMBOLIC)
def sign_symmetry(ctx, loss=cross_entropy) -> Outcome:
    """sympy: ℓ(−t, 1 − y) − ℓ(t, y) simplifies to 0 for symbolic real t, y, so (−x, 1 − y) and
    (x, y) are interchangeable for every θ — why antipodal inputs must be excluded. The loss is
    first identified as the cross-entropy by what defines it: ∂ℓ/∂t = σ(t) − y and ℓ(0, y) = log 2."""
    t, y = sp.symbols("t y", real=True)
    is_cross_entropy = (sp.simplify(sp.diff(loss(t, y), t) - (1 / (1 + sp.exp(-t)) - y)) == 0
                        and sp.simplify(loss(0, y) - sp.log(2)) == 0)
    gap = sp.simplify(loss(-t, 1 - y) - loss(t, y))
    holds = bool(is_cross_entropy and gap == 0)
    return Outcome.decide(holds, None if holds else {"gap": str(gap)},
                          "" if holds else ("ℓ(−t, 1 − y) ≠ ℓ(t, y)" if is_cross_entropy else "ℓ is not the cross-entropy"),
                          gap_is_zero=int(gap == 0), is_cross_entropy=int(is_cross_entropy))


def default_small_inputs(rng: np.random.Generator) -> np.ndarray:
    """Three inputs in ℝ² with entries in ¼ℤ, distinct positive first coordinates (hence
    pairwise distinct and non-antipodal)."""
    first = np.sort(rng.choice(np.arange(1, 9), size=3, replace=False)) / 4
    return np.column_stack([first, rng.integers(-4, 5, size=3) / 4])


@checks.add("independence-mpmath", Kind.SYMBOLIC)
def independence_mpmath(ctx, inputs=None) -> Outcome:
    """Small case in 50-digit arithmetic: for 3 inputs and 8 parameter vectors θⱼ (entries in ½ℤ),
    A = [1 | σ(θⱼᵀxᵢ)] is evaluated with mpmath and its smallest singular value exceeds
    10·N·10⁻⁵⁰·‖A‖ (the rounding bound at that precision): the four functions 1, σ(θᵀxᵢ) are
    linearly independent. The double-precision σ_min agrees to within its own bound. ``inputs``
    (an n × d array) replaces the drawn :func:`default_small_inputs`."""
    rng = ctx.rng("small")
    X = default_small_inputs(rng) if inputs is None else np.asarray(inputs, dtype=float)
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


def spaced_inputs(gaps, rest, spacing: float, antipodal: bool = False) -> np.ndarray:
    """Inputs whose first coordinates 0.1, 0.1 + spacing + gap₁, … are increasing by at least
    ``spacing`` (so pairwise distinct, nonzero and non-antipodal), other coordinates ``rest``; with
    ``antipodal`` the second input is replaced by minus the first."""
    first = 0.1 + np.cumsum(spacing + np.asarray(gaps)) - spacing
    X = np.column_stack([first, rest])
    if antipodal:
        X[1] = -X[0]
    return X


@st.composite
def logistic_inputs(draw, max_n: int = 6, dims=(1, 2, 3), allow_antipodal: bool = False, spacing: float = 0.2):
    """n inputs from :func:`spaced_inputs`, gaps in [0, spacing], other coordinates in [−1, 1].
    With ``allow_antipodal`` the second input may be minus the first: distinct, as the paper
    assumes, but antipodal."""
    d = draw(st.sampled_from(dims))
    n = draw(st.integers(min_value=2, max_value=max_n))
    gaps = draw(arrays(np.float64, (n,), elements=st.floats(0.0, spacing, width=64)))
    rest = draw(arrays(np.float64, (n, d - 1), elements=st.floats(-1.0, 1.0, width=64)))
    return spaced_inputs(gaps, rest, spacing, allow_antipodal and draw(st.booleans()))


def ends_first(values) -> list:
    """The values sorted with the smallest and the largest first (a product grid's corners take
    the first two values of each axis)."""
    ordered = sorted(values)
    return [ordered[0], *ordered[-1:], *ordered[1:-1]] if len(ordered) > 1 else ordered


def logistic_inputs_domain(max_n: int = 6, dims=(1, 2, 3), allow_antipodal: bool = False,
                           spacing: float = 0.2) -> Domain:
    """The domain of :func:`logistic_inputs`: d and n at their ends and middle; the gaps at 0 (the
    closest inputs allowed) and up to ``spacing``; the other coordinates at 0 (collinear inputs)
    and up to [−1, 1]; with ``allow_antipodal`` both with and without the antipodal pair."""

    def build(params, rng):
        d, n, gap_level, rest_level, antipodal = (*params, False)[:5]
        return spaced_inputs(spacing * gap_level * rng.uniform(0.0, 1.0, n),
                             rest_level * rng.uniform(-1.0, 1.0, (n, d - 1)), spacing, antipodal)

    axes = [sampled(ends_first(dims)), integers(2, max_n, points=3), interval(0.0, 1.0, points=3),
            interval(0.0, 1.0, points=3)] + ([sampled([False, True])] if allow_antipodal else [])
    return parametric(logistic_inputs(max_n, dims, allow_antipodal, spacing), tuples(*axes), build,
                      description=f"X: n ≤ {max_n} inputs in d ∈ {set(dims)}, first coordinates ≥ {spacing:g} apart")


LOGISTIC_PROBE = np.linspace(-8.0, 8.0, 33)


def logistic_defect(feature) -> float:
    """max over t ∈ [−8, 8] of |feature(t)(1 + e^{−t}) − 1|: a few u for σ itself (two rounded
    factors and a product), so a feature that is not the logistic function is told apart before use."""
    values = np.asarray(feature(LOGISTIC_PROBE), dtype=float)
    return float(np.max(np.abs(values * (1 + np.exp(-LOGISTIC_PROBE)) - 1)))


def not_logistic(feature) -> Outcome | None:
    """``falsified`` when ``feature`` is not σ (defect above 10u), else None."""
    defect = logistic_defect(feature)
    if defect <= 10 * unit_roundoff():
        return None
    return Outcome.falsified({"defect": defect}, "the feature is not the logistic function σ", logistic_defect=defect)


@checks.add("linear-independence", Kind.PROPERTY)
def linear_independence(ctx, feature=expit, allow_antipodal=False) -> Outcome:
    """Random non-antipodal distinct inputs (n ≤ 6, d ≤ 3) and N = 2(n + 1) random θⱼ (normal,
    scale 2): A = [1 | σ(θⱼᵀxᵢ)] has full column rank, certified by σ_min(A) > u‖A‖_F +
    10·N·u·‖A‖₂ (entry rounding of σ plus the SVD's backward error; Weyl). The feature is first
    checked to be σ (:func:`logistic_defect`). Figure: worst bound/σ_min."""
    refused = not_logistic(feature)
    if refused:
        return refused

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

    return property_outcome(search(ctx, logistic_inputs_domain(allow_antipodal=allow_antipodal), prop, label="rank"))


def default_moment_inputs(rng: np.random.Generator) -> tuple[list, list]:
    """Three 1-D inputs in ¼ℤ with distinct magnitudes in [¼, 2] and random signs (so pairwise
    neither equal nor opposite, and nonzero), and binary labels."""
    magnitudes = rng.choice(np.arange(1, 9), size=3, replace=False)
    signs = rng.choice([-1, 1], size=3)
    return [sp.Rational(int(m * s), 4) for m, s in zip(magnitudes, signs)], [int(v) for v in rng.integers(0, 2, 3)]


def logistic_sigmoid(t):
    """σ(t) = 1/(1 + e^{−t}) as a sympy expression."""
    return 1 / (1 + sp.exp(-t))


@checks.add("hd-taylor-moments", Kind.SYMBOLIC)
def hd_taylor_moments(ctx, sigmoid=logistic_sigmoid, inputs=None) -> Outcome:
    """Exact evidence for (iii), in rational arithmetic. In d = 1 the data term
    f(θ) = (1/n)Σ(σ(θxᵢ) − yᵢ)xᵢ has Taylor coefficient c_j·M_{(j+1)/2} at θʲ for odd j, with
    c_j = σ⁽ʲ⁾(0)/j! and moments M_p = (1/n)Σxᵢ^{2p}; a weighted set has the moments
    Σw̄ⱼx̃ⱼ^{2p} of its normalised weights instead. sympy (1) expands σ and checks c_j ≠ 0 for odd
    j ≤ 4n − 3; (2) reads M_1 … M_{2n−1} off the series of f, checks them against (1/n)Σxᵢ^{2p},
    and finds det H ≠ 0 for the Hankel matrix H = [M_{p+q+1}]_{p,q<n} (H = V diag(sᵢ/n) Vᵀ with
    sᵢ = xᵢ² distinct and nonzero, V Vandermonde); (3) for n − 1 symbolic weighted points the same
    Hankel determinant expands to 0. So no set of fewer than n points has f̃ = f near θ = 0, which
    exact HD forces when the path moves (the identity theorem at the accumulation point 0).
    ``sigmoid`` is first identified as σ by σ(0) = ½ and σ' = σ(1 − σ); ``inputs`` (rational
    inputs, binary labels) replaces the drawn :func:`default_moment_inputs`."""
    xs, ys = default_moment_inputs(ctx.rng("moments")) if inputs is None else inputs
    n = len(xs)
    order = 4 * n - 2
    t, theta = sp.symbols("t θ", real=True)
    if not (sp.simplify(sigmoid(sp.S.Zero) - sp.Rational(1, 2)) == 0
            and sp.simplify(sp.diff(sigmoid(t), t) - sigmoid(t) * (1 - sigmoid(t))) == 0):
        return Outcome.falsified(None, "the sigmoid is not σ (σ(0) = ½, σ' = σ(1 − σ) fail)", is_logistic=0)
    sigma_series = sp.Poly(sp.series(sigmoid(t), t, 0, order).removeO(), t)
    odd = range(1, order, 2)
    coefficients = {j: sigma_series.coeff_monomial(t ** j) for j in odd}
    vanishing = [j for j, c in coefficients.items() if c == 0]
    if vanishing:
        return Outcome.falsified({"orders": vanishing}, f"σ has zero Taylor coefficients at orders {vanishing}",
                                 vanishing_orders=len(vanishing))
    f = sum((sigmoid(theta * x) - y) * x for x, y in zip(xs, ys)) / n
    f_series = sp.Poly(sp.series(f, theta, 0, order).removeO(), theta)
    moments = [f_series.coeff_monomial(theta ** (2 * p - 1)) / coefficients[2 * p - 1] for p in range(1, 2 * n)]
    direct = [sum(sp.Rational(x) ** (2 * p) for x in xs) / n for p in range(1, 2 * n)]
    hankel = sp.Matrix(n, n, lambda p, q: moments[p + q])
    determinant = hankel.det()
    atoms, weights = sp.symbols(f"s1:{n}", positive=True), sp.symbols(f"w1:{n}", positive=True)
    fewer = sp.Matrix(n, n, lambda p, q: sum(w * s ** (p + q + 1) for w, s in zip(weights, atoms)))
    fewer_determinant = sp.expand(fewer.det())
    holds = moments == direct and determinant != 0 and fewer_determinant == 0
    return Outcome.decide(holds, None if holds else {"x": [str(x) for x in xs], "y": ys, "det": str(determinant)},
                          "" if holds else "the Hankel moment argument fails on these data",
                          points=n, hankel_determinant=float(determinant), moments_match=int(moments == direct),
                          fewer_points_determinant_is_zero=int(fewer_determinant == 0))


def soft_problem(X, y, weights, log_lam: float, direction, fraction: float):
    """(weighted soft-labelled data, λ = 10^log_lam, the unit vector along ``direction``, fraction)."""
    direction = np.asarray(direction, dtype=float)
    return (LogisticData.build(X, y, weights, binary=False), 10 ** log_lam, direction / np.linalg.norm(direction),
            fraction)


@st.composite
def weighted_soft_problem(draw):
    """:func:`soft_problem` with d ≤ 3, n ≤ 5, inputs in [−3, 3], labels in [0, 1], weights in
    [0.1, 10], log₁₀ λ ∈ [−2, 0], a direction of norm > 0.1 and a fraction r ∈ [0, 0.95]."""
    d = draw(st.integers(1, 3))
    n = draw(st.integers(1, 5))
    X = draw(arrays(np.float64, (n, d), elements=st.floats(-3, 3, width=64)))
    y = draw(arrays(np.float64, (n,), elements=st.floats(0, 1, width=64)))
    weights = draw(arrays(np.float64, (n,), elements=st.floats(0.1, 10, width=64)))
    log_lam = draw(st.floats(-2, 0))
    direction = draw(arrays(np.float64, (d,), elements=st.floats(-1, 1, width=64)))
    assume(np.linalg.norm(direction) > 0.1)
    return soft_problem(X, y, weights, log_lam, direction, draw(st.floats(0, 0.95)))


def weighted_soft_domain() -> Domain:
    """The domain of :func:`weighted_soft_problem`: d, n, log₁₀ λ ∈ [−2, 0], r ∈ [0, 0.95] and the
    inputs' magnitude (0: every input at the origin, up to 3) at their ends and middle; labels,
    weights and the direction drawn."""

    def build(params, rng):
        d, n, log_lam, fraction, magnitude = params
        direction = rng.uniform(-1.0, 1.0, d)
        while not np.linalg.norm(direction) > 0.1:
            direction = rng.uniform(-1.0, 1.0, d)
        return soft_problem(magnitude * rng.uniform(-1.0, 1.0, (n, d)), rng.uniform(0.0, 1.0, n),
                            rng.uniform(0.1, 10.0, n), log_lam, direction, fraction)

    parameters = tuples(integers(1, 3), integers(1, 5, points=3), interval(-2.0, 0.0, points=3),
                        interval(0.0, 0.95, points=3), interval(0.0, 3.0, points=3))
    return parametric(weighted_soft_problem(), parameters, build,
                      description="(soft data, λ, u, r): d ≤ 3, n ≤ 5, |x| ≤ 3, λ ∈ [10⁻², 1], r ≤ 0.95")


def fit_error_bound(data: LogisticData, theta: np.ndarray, lam: float) -> float:
    """‖θ − argmin‖ ≤ (‖∇L(θ)‖ + rounding)/(2λ): the objective is 2λ-strongly convex."""
    return float((np.linalg.norm(ridge_gradient(data, theta, lam)) + gradient_rounding(data, theta, lam)) / (2 * lam))


@checks.add("minimiser-ball", Kind.PROPERTY)
def minimiser_ball(ctx, radius=minimiser_radius, append=data_making_minimiser) -> Outcome:
    """The step of the CD proof (the paper's 'any θ' is false): on random weighted soft-labelled
    data, (a) the ridge minimiser has ‖θ‖ ≤ R(λ) = √(W(1/e)/(2λ)) (Newton fit, within its
    strong-convexity error bound); (b) the bound is attained: the single point (−((1 + W(1/e))/R)u, 0)
    has minimiser R·u, and its fitted norm is R within the same bound; (c) θ* = r·R·u (r ≤ 0.95)
    is the minimiser of data ∪ D for D = ``append``(data, θ*, λ): the union's gradient at θ*
    is at rounding level and a Newton fit of the union lands on θ*. Figure: worst ‖θ‖/R."""
    w = float(sp.LambertW(sp.exp(-1)).evalf(30))

    def prop(problem):
        data, lam, u, fraction = problem
        R = float(radius(lam))
        if not (R > 0):
            raise Violation(f"the radius at λ = {lam:.3g} is {R}, not positive", radius=R)
        theta = fit_logistic_ridge_full_lambda(data, lam)
        if not (np.linalg.norm(theta) <= R + fit_error_bound(data, theta, lam)):
            raise Violation(f"a minimiser has ‖θ‖ = {np.linalg.norm(theta):.6g} > R = {R:.6g}",
                            norm_over_radius=np.linalg.norm(theta) / R)
        extremal = LogisticData.build([-(1 + w) / R * u], [0.0])
        extremal_theta = fit_logistic_ridge_full_lambda(extremal, lam)
        if not (abs(np.linalg.norm(extremal_theta) - R) <= fit_error_bound(extremal, extremal_theta, lam)):
            raise Violation(f"the extremal point's minimiser has norm {np.linalg.norm(extremal_theta):.6g}, not "
                            f"R = {R:.6g}", extremal_norm_over_radius=np.linalg.norm(extremal_theta) / R)
        target = fraction * R * u
        try:
            joined = union(data, append(data, target, lam))
        except ValueError as refusal:
            raise Violation(f"no data were built for ‖θ*‖ = {fraction:.3g}·R: {refusal}", fraction=fraction) from None
        at_target = np.linalg.norm(ridge_gradient(joined, target, lam))
        fitted = fit_logistic_ridge_full_lambda(joined, lam)
        gap = np.linalg.norm(fitted - target)
        if not (at_target <= gradient_rounding(joined, target, lam)
                and gap <= fit_error_bound(joined, fitted, lam) + fit_error_bound(joined, target, lam)):
            raise Violation(f"θ* is not the minimiser of data ∪ D: gradient {at_target:.3g} there, fit {gap:.3g} away",
                            gradient_at_target=at_target, fit_gap=gap)
        return {"norm_over_radius": np.linalg.norm(theta) / R}

    return property_outcome(search(ctx, weighted_soft_domain(), prop, fraction=0.25, label="ball"))


# --- checks: the conclusions ------------------------------------------------------------------
def hd_grid(n: int) -> np.ndarray:
    """λ ∈ 10^[−3, 1] with N = max(3(n − 1) + 4, 8) values: more equations (one per λ in d = 1)
    than the 3(n − 1) parameters (input, label, weight) of a weighted (n − 1)-point set, so that
    matching the grid is no accident of counting."""
    return np.logspace(-3, 1, max(3 * (n - 1) + 4, 8))


RESOLVED_DRIFT = 0.05  # |(1/n)Σ(½ − yᵢ)xᵢ| / max|xᵢ| below this: the path barely moves (see hd_problem)


def admissible_hd(data: LogisticData) -> bool:
    """The hypotheses of (iii), checked from the data (:func:`separated_inputs`, :func:`path_moves`),
    and the test family's resolved drift |(1/n)Σ(½ − yᵢ)xᵢ| ≥ RESOLVED_DRIFT·max|xᵢ|."""
    drift = abs(np.mean((0.5 - data.y) * data.X[:, 0])) / np.max(np.abs(data.X))
    return bool(separated_inputs(data.X) and path_moves(data) and drift >= RESOLVED_DRIFT)


@st.composite
def hd_problem(draw, max_n: int = 4):
    """1-D binary data meeting the hypotheses of (iii) with a resolved drift (:func:`admissible_hd`).
    That margin is a choice of test family, not a hypothesis: as Σ(½ − yᵢ)xᵢ → 0 the path shrinks
    to 0 and the best (n − 1)-point residual with it (zero-path is the limit), so near it no
    double-precision search resolves the gap; hd-taylor-moments covers every admissible case."""
    X = draw(logistic_inputs(max_n=max_n, dims=(1,), spacing=0.3))
    data = LogisticData.build(X, draw(arrays(np.float64, (X.shape[0],), elements=st.sampled_from([0.0, 1.0]))))
    assume(admissible_hd(data))
    return data


def hd_domain(max_n: int = 4) -> Domain:
    """The domain of :func:`hd_problem`: n ∈ {2, 3, 4} with the gaps at 0 (inputs exactly 0.3
    apart) or drawn up to 0.3 (6 grid points: an example costs about 0.2 s); labels drawn until the
    data are admissible (:func:`admissible_hd`; y = 0 always is: its drift ½·mean x/max x is at
    least 1/(2n) > 0.05 for positive x)."""

    def build(params, rng):
        n, gap_level = params
        X = spaced_inputs(0.3 * gap_level * rng.uniform(0.0, 1.0, n), np.zeros((n, 0)), 0.3)
        for _ in range(64):
            data = LogisticData.build(X, rng.integers(0, 2, n).astype(float))
            if admissible_hd(data):
                return data
        return LogisticData.build(X, np.zeros(n))

    return parametric(hd_problem(max_n), tuples(integers(2, max_n, points=3), sampled([0.0, 1.0])), build,
                      description=f"1-D binary data, n ≤ {max_n}, inputs ≥ 0.3 apart, resolved drift")


def path_rounding(points: LogisticData, path: np.ndarray, lambdas) -> float:
    """Rounding of :func:`path_residual` computed for ``points``: :func:`gradient_rounding` at every
    θ(λ) of the grid, in quadrature."""
    return float(np.sqrt(sum(gradient_rounding(points, theta, lam) ** 2 for theta, lam in zip(path, lambdas))))


def matching_level(data: LogisticData, candidate: LogisticData, path: np.ndarray, lambdas) -> float:
    """The largest computed ‖path_residual(candidate)‖ an exact distillation can show: a candidate
    with the data's gradient function has true residual ‖∇L_data(θ(λ))‖ on the computed path, at
    most the data's computed residual plus its rounding; its own evaluation adds its rounding."""
    data_residual = np.linalg.norm(path_residual(data, path, lambdas))
    return float(data_residual + path_rounding(data, path, lambdas) + path_rounding(candidate, path, lambdas))


@checks.add("best-attempt-path", Kind.PROPERTY)
def best_attempt_path(ctx, points_short=1, grid_size=None) -> Outcome:
    """Conclusion (iii) on random admissible data: 1-D binary data (n ≤ 4, :func:`hd_problem`)
    and its ridge path on :func:`hd_grid`. Two searches for an (n − 1)-point set that makes every
    θ(λ) stationary: least squares over unweighted soft-labelled points started from 2 subsets of
    the data (moved by 5 %), and least squares over weighted points from 2 random subsets moved
    by 50 %. Each leaves its residual above :func:`matching_level`, the most an exact distillation
    can show (the data's own computed residual plus both roundings). The verdict depends on that
    comparison only. ``grid_size`` replaces the grid by that many values of λ ∈ 10^[−3, 1].
    Figure: worst level/residual (< 1: bounded away)."""

    def prop(data):
        rng = ctx.rng("attempt", data.X.tobytes(), data.y.tobytes())
        lambdas = hd_grid(len(data)) if grid_size is None else np.logspace(-3, 1, grid_size)
        path = regularisation_path(data, lambdas)
        m = len(data) - points_short
        scale = path_scale(path, lambdas)
        attempts = {"unweighted": best_path_attempt(path, lambdas, attempt_starts(data, m, rng, count=2)),
                    "weighted": best_path_attempt(path, lambdas, attempt_starts(data, m, rng, count=2, jitter=0.5),
                                                  weighted=True)}
        worst = 0.0
        for name, attempt in attempts.items():
            residual = attempt.relative_residual * scale
            level = matching_level(data, attempt.data, path, lambdas)
            if not (residual > level):
                raise Violation(f"{m} {name} points reach residual {residual:.3g} ≤ exact level {level:.3g}",
                                residual=residual, exact_level=level,
                                distilled_X=attempt.data.X.tolist(), distilled_y=attempt.data.y.tolist())
            worst = max(worst, level / residual)
        return {"level_over_residual": worst}

    return property_outcome(search(ctx, hd_domain(), prop, fraction=0.03, minimum=3, label="path"))


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


QUARTER_VALUES = np.arange(1, 9) / 4
QUARTERS = st.sampled_from(QUARTER_VALUES)  # a coarse grid: counterexamples shrink in few steps
LAMBDAS = [1e-2, 1.0, 1e-1]  # the strengths of the CD checks, both ends first


def quarter_inputs(rows, signs) -> np.ndarray:
    """Inputs with entries ``rows`` (distinct rows on the quarter grid) and every coordinate after
    the first multiplied by ``signs`` (±1): positive first coordinates, so non-antipodal."""
    X = np.array(rows, dtype=float)
    X[:, 1:] *= signs
    return X


def with_twin(X: np.ndarray, source: int, target: int, antipodal: bool) -> np.ndarray:
    """X with input ``target`` replaced by input ``source`` (or its negative)."""
    X = X.copy()
    X[target] = -X[source] if antipodal else X[source]
    return X


@st.composite
def grid_inputs(draw, max_n: int = 4, dims=(1, 2)):
    """n distinct inputs on a grid of quarters with positive first coordinates (non-antipodal)."""
    d = draw(st.sampled_from(dims))
    n = draw(st.integers(min_value=2, max_value=max_n))
    rows = draw(st.lists(st.tuples(*[QUARTERS] * d), min_size=n, max_size=n, unique=True))
    return quarter_inputs(rows, draw(arrays(np.float64, (n, d - 1), elements=st.sampled_from([1.0, -1.0]))))


def random_quarter_inputs(d: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """:func:`quarter_inputs` with n distinct rows drawn uniformly from the 8ᵈ grid points."""
    codes = rng.choice(len(QUARTER_VALUES) ** d, size=n, replace=False)
    rows = QUARTER_VALUES[np.array(np.unravel_index(codes, (len(QUARTER_VALUES),) * d)).T]
    return quarter_inputs(rows, rng.choice([1.0, -1.0], (n, d - 1)))


def binary_labels(n: int, rng: np.random.Generator) -> np.ndarray:
    return rng.integers(0, 2, n).astype(float)


@st.composite
def data_with_twins(draw, antipodal: bool):
    """Binary data in which one input repeats (``antipodal=False``) or appears with its negative."""
    X = draw(grid_inputs())
    source, target = draw(st.permutations(range(X.shape[0])))[:2]
    y = draw(arrays(np.float64, (X.shape[0],), elements=st.sampled_from([0.0, 1.0])))
    return LogisticData.build(with_twin(X, source, target, antipodal), y)


def random_twins(d: int, n: int, antipodal: bool, rng: np.random.Generator) -> LogisticData:
    """:func:`data_with_twins` from ``rng``: quarter-grid inputs, a random ordered pair made twins."""
    source, target = rng.permutation(n)[:2]
    return LogisticData.build(with_twin(random_quarter_inputs(d, n, rng), source, target, antipodal),
                              binary_labels(n, rng))


def twins_domain(antipodal: bool) -> Domain:
    """The domain of :func:`data_with_twins`: d ∈ {1, 2} and n ∈ {2, 3, 4} (n = 2: the data are the
    twin pair alone), inputs, twins and labels drawn."""
    return parametric(data_with_twins(antipodal), tuples(sampled([1, 2]), integers(2, 4)),
                      lambda params, rng: random_twins(*params, antipodal, rng),
                      description=f"binary data, d ≤ 2, n ≤ 4, one input {'negated' if antipodal else 'repeated'}")


@st.composite
def any_binary_data(draw):
    """Binary data on the quarter grid, d ∈ {1, 2}, n ≤ 4, with a repeated or an antipodal input
    two times in three, and a strength λ ∈ {10⁻², 10⁻¹, 1}."""
    kind = draw(st.sampled_from(["plain", "repeated", "antipodal"]))
    if kind == "plain":
        X = draw(grid_inputs())
        data = LogisticData.build(X, draw(arrays(np.float64, (X.shape[0],), elements=st.sampled_from([0.0, 1.0]))))
    else:
        data = draw(data_with_twins(antipodal=kind == "antipodal"))
    return data, draw(st.sampled_from(LAMBDAS))


def any_binary_domain() -> Domain:
    """The domain of :func:`any_binary_data`: each kind (plain, repeated, antipodal), d ∈ {1, 2},
    n ∈ {2, 3, 4} and λ at 10⁻², 10⁻¹ and 1; inputs and labels drawn."""

    def build(params, rng):
        kind, d, n, lam = params
        if kind == "plain":
            return LogisticData.build(random_quarter_inputs(d, n, rng), binary_labels(n, rng)), lam
        return random_twins(d, n, kind == "antipodal", rng), lam

    parameters = tuples(sampled(["plain", "antipodal", "repeated"]), sampled([1, 2]), integers(2, 4), sampled(LAMBDAS))
    return parametric(any_binary_data(), parameters, build,
                      description="(binary data, λ): d ≤ 2, n ≤ 4, plain, repeated or antipodal inputs")


def unweighted_candidates(data: LogisticData, rng: np.random.Generator, keep_weights: bool = False) -> list:
    """Unweighted sets with fewer points to try as combination distillations: the data without
    their last point, the merged data (:func:`merge_equivalent_points`) with the weights dropped
    (kept with ``keep_weights``), and a random soft-labelled set of size n − 1 (inputs normal,
    scaled by the data's spread)."""
    merged = merge_equivalent_points(data)
    n, d = data.X.shape
    spread = max(float(np.ptp(data.X)), 1.0)
    return [LogisticData(data.X[:-1], data.y[:-1], np.ones(n - 1)),
            merged if keep_weights else LogisticData(merged.X, merged.y, np.ones(len(merged))),
            LogisticData(spread * rng.standard_normal((n - 1, d)), rng.uniform(0, 1, n - 1), np.ones(n - 1))]


def separation(data: LogisticData, candidate: LogisticData, target: np.ndarray, lam: float) -> tuple[float, float]:
    """With D = data_making_minimiser(data, θ*, λ): the certified lower bound on the distance from θ*
    to the minimiser of candidate ∪ D, (‖g̃‖ − τ̃)/L̃ with g̃ its gradient at θ*, τ̃ that gradient's
    rounding and L̃ = ¼‖Σwxxᵀ/W‖₂ + 2λ its gradient's Lipschitz bound; and the upper bound
    (‖g‖ + τ)/(2λ) on the distance from θ* to the minimiser of data ∪ D. Also checks both bounds
    against Newton fits of the two unions, raising Violation if either is contradicted."""
    appended = data_making_minimiser(data, target, lam)
    original, distilled = union(data, appended), union(candidate, appended)
    g_distilled = np.linalg.norm(ridge_gradient(distilled, target, lam))
    second = (distilled.X * distilled.weights[:, None]).T @ distilled.X / distilled.weights.sum()
    lipschitz = np.linalg.norm(second, 2) / 4 + 2 * lam
    lower = (g_distilled - gradient_rounding(distilled, target, lam)) / lipschitz
    upper = fit_error_bound(original, target, lam)
    fit_original, fit_distilled = fit_logistic_ridge_full_lambda(original, lam), fit_logistic_ridge_full_lambda(distilled, lam)
    if not (np.linalg.norm(fit_original - target) <= upper + fit_error_bound(original, fit_original, lam)
            and np.linalg.norm(fit_distilled - target) >= lower - fit_error_bound(distilled, fit_distilled, lam)):
        raise Violation("a separation bound disagrees with the Newton fits of the two unions",
                        original_gap=np.linalg.norm(fit_original - target),
                        distilled_gap=np.linalg.norm(fit_distilled - target), lower=lower, upper=upper)
    return float(lower), float(upper)


def worst_separation(ctx, data: LogisticData, lam: float, fewer: list) -> float:
    """For every candidate with fewer points: the best, over 4 random unit directions u, of
    upper/lower from :func:`separation` at θ* = 0.9·R(λ)·u; raises Violation when no direction
    separates some candidate (ratio ≥ 1) or when there is no candidate. Returns the worst ratio."""
    if not fewer:
        raise Violation("no candidate with fewer points was tried", original=len(data))
    rng = ctx.rng("directions", data.X.tobytes(), data.y.tobytes(), lam)
    directions = rng.standard_normal((4, data.X.shape[1]))
    targets = 0.9 * minimiser_radius(lam) * directions / np.linalg.norm(directions, axis=1, keepdims=True)
    worst = 0.0
    for candidate in fewer:
        ratios = [upper / lower if lower > 0 else np.inf
                  for lower, upper in (separation(data, candidate, target, lam) for target in targets)]
        if not (min(ratios) < 1):
            raise Violation(f"{len(candidate)} points of total weight {candidate.weights.sum():g} are not separated "
                            f"from the {len(data)}-point fit by any appended data tried", points=len(candidate),
                            original=len(data), upper_over_lower=min(ratios))
        worst = max(worst, min(ratios))
    return worst


@checks.add("unweighted-cd-count", Kind.PROPERTY)
def unweighted_cd_count(ctx, keep_weights=False) -> Outcome:
    """Conclusion (iv), the paper's CD claim in its own model, for any inputs: on random binary data
    (repeated and antipodal inputs included) and every unweighted candidate with k < n points from
    :func:`unweighted_candidates` (``keep_weights``: the merged one keeps its weights), appended
    data D (:func:`data_making_minimiser`) make θ* = 0.9·R(λ)·u the minimiser of data ∪ D while
    the minimiser of candidate ∪ D is certified elsewhere
    (:func:`worst_separation`). The reason: at θ* the two unions' gradients differ by
    (S̃ − S + 2λ(k − n)θ*)/(k + m). Figure: worst (over data) best (over u) upper/lower (< 1)."""

    def prop(problem):
        data, lam = problem
        rng = ctx.rng("candidates", data.X.tobytes(), data.y.tobytes(), lam)
        candidates = unweighted_candidates(data, rng, keep_weights)
        fewer = [candidate for candidate in candidates if len(candidate) < len(data)]
        return {"upper_over_lower": worst_separation(ctx, data, lam, fewer)}

    return property_outcome(search(ctx, any_binary_domain(), prop, fraction=0.1, label="cd"))


@st.composite
def cd_problem(draw, allow_twins: bool = False):
    """Binary data with separated inputs (d ∈ {1, 2}, n ≤ 4, checked by :func:`separated_inputs`)
    and λ ∈ {10⁻², 10⁻¹, 1}. With ``allow_twins`` only the paper's hypothesis is kept: the second
    input may be a copy of the first or its negative."""
    X = draw(logistic_inputs(max_n=4, dims=(1, 2), spacing=0.3))
    if allow_twins and draw(st.booleans()):
        X = with_twin(X, 0, 1, draw(st.sampled_from([False, True])))
    y = draw(arrays(np.float64, (X.shape[0],), elements=st.sampled_from([0.0, 1.0])))
    assume(allow_twins or separated_inputs(X))
    return LogisticData.build(X, y), draw(st.sampled_from(LAMBDAS))


def cd_domain(allow_twins: bool = False) -> Domain:
    """The domain of :func:`cd_problem`: d ∈ {1, 2}, n ∈ {2, 3, 4} and λ at 10⁻², 10⁻¹ and 1; with
    ``allow_twins`` no twin, a copy and a negative; gaps, other coordinates and labels drawn (each
    example costs about 0.15 s: no further axis)."""

    def build(params, rng):
        d, n, lam, twin = (*params, "none")[:4]
        X = spaced_inputs(rng.uniform(0.0, 0.3, n), rng.uniform(-1.0, 1.0, (n, d - 1)), 0.3)
        if twin != "none":
            X = with_twin(X, 0, 1, twin == "negative")
        return LogisticData.build(X, binary_labels(n, rng)), lam

    axes = [sampled([1, 2]), integers(2, 4), sampled(LAMBDAS)]
    axes += [sampled(["none", "negative", "copy"])] if allow_twins else []
    return parametric(cd_problem(allow_twins), tuples(*axes), build,
                      description="(binary data, λ): d ≤ 2, n ≤ 4, first coordinates ≥ 0.3 apart"
                                  + (", the second input possibly a twin of the first" if allow_twins else ""))


def weighted_candidates(data: LogisticData, rng: np.random.Generator) -> list:
    """Weighted sets to try as combination distillations: the merged data (fewer points only when
    inputs repeat up to sign), the data without their last point reweighted to total weight n,
    and, when the path is not identically 0, the best weighted (n − 1)-point least-squares match
    of the ridge path on λ ∈ 10^[−2, 0] (8 values, 2 starts) — a near-miss hyperparameter
    distillation."""
    n = len(data)
    lambdas = np.logspace(-2, 0, 8)
    path = regularisation_path(data, lambdas)
    candidates = [merge_equivalent_points(data), LogisticData(data.X[:-1], data.y[:-1], np.full(n - 1, n / (n - 1)))]
    if path_scale(path, lambdas) > 0:
        candidates.append(best_path_attempt(path, lambdas, attempt_starts(data, n - 1, rng, count=2), weighted=True).data)
    return candidates


@checks.add("weighted-cd-count", Kind.PROPERTY)
def weighted_cd_count(ctx, allow_twins=False) -> Outcome:
    """Conclusion (ii) in the weighted model: on random binary data with separated inputs and every
    weighted candidate with k < n points from :func:`weighted_candidates` (including a near-miss HD found by
    least squares), appended data separate the two fits as in unweighted-cd-count. Here the
    separating term is S̃ − S + 2λ(W̃ − n)θ*, which by the lemma cannot vanish on the ball unless
    every input occurs among the candidate's. Figure: worst upper/lower (< 1)."""

    def prop(problem):
        data, lam = problem
        rng = ctx.rng("candidates", data.X.tobytes(), data.y.tobytes(), lam)
        fewer = [candidate for candidate in weighted_candidates(data, rng) if len(candidate) < len(data)]
        return {"upper_over_lower": worst_separation(ctx, data, lam, fewer)}

    return property_outcome(search(ctx, cd_domain(allow_twins=allow_twins), prop, fraction=0.03, minimum=3, label="wcd"))


# --- assumption-drop counterexamples ----------------------------------------------------------
COUNTEREXAMPLE_LAMBDAS = np.logspace(-2, 0, 4)  # exact identities: a short grid suffices to exhibit them


def exact_distillation_found(data: LogisticData, distilled: LogisticData, extra: LogisticData | None) -> dict:
    """Raise Violation when ``distilled`` has fewer points and reproduces the ridge path (HD) and,
    if ``extra`` is given, the path after appending it to both (CD), on λ ∈ 10^[−2, 0] (4 values),
    within :func:`gradient_tolerance`. Figures: the sizes, the distilled total weight W̃, and
    the worst mismatch over its tolerance."""
    pairs = [(data, distilled)] + ([(union(data, extra), union(distilled, extra))] if extra is not None else [])
    worst = 0.0
    for original, candidate in pairs:
        path = regularisation_path(original, COUNTEREXAMPLE_LAMBDAS)
        mismatch = np.linalg.norm(path_residual(candidate, path, COUNTEREXAMPLE_LAMBDAS))
        worst = max(worst, mismatch / gradient_tolerance(original, path, COUNTEREXAMPLE_LAMBDAS))
    if len(distilled) < len(data) and worst <= 1:
        raise Violation(f"{len(distilled)} points of total weight {distilled.weights.sum():g} reproduce the "
                        f"{len(data)}-point ridge path" + (" and the fit after appending data" if extra is not None else ""),
                        points=len(distilled), original=len(data), total_weight=float(distilled.weights.sum()),
                        mismatch_over_tolerance=worst)
    return {"mismatch_over_tolerance": worst}


def extra_points(ctx, data: LogisticData) -> LogisticData:
    """Two random points (inputs uniform in [−1, 1]ᵈ, binary labels) to append for the CD test,
    drawn from the check's seed and the example (so a replay sees the same points)."""
    rng = ctx.rng("extra", data.X.tobytes(), data.y.tobytes())
    return LogisticData.build(rng.uniform(-1, 1, size=(2, data.X.shape[1])), rng.integers(0, 2, size=2))


@checks.add("duplicated-inputs-weighted", Kind.COUNTEREXAMPLE)
def duplicated_inputs_weighted(ctx, merge=merge_equivalent_points) -> Outcome:
    """Drop 'distinct inputs', weighted model: with one input repeated, merging equal inputs
    (weights add, labels average) gives n − 1 weighted points — total weight n, so n points in the
    paper's multiset model — with the same ridge path and the same fit after appending two random
    points (gradient mismatch within the Newton + rounding bound)."""

    def prop(data):
        return exact_distillation_found(data, merge(data), extra_points(ctx, data))

    return counterexample_outcome(search(ctx, twins_domain(antipodal=False), prop, fraction=0.1, label="dup"),
                                  "distinct inputs")


@checks.add("antipodal-inputs-weighted", Kind.COUNTEREXAMPLE)
def antipodal_inputs_weighted(ctx, merge=merge_equivalent_points) -> Outcome:
    """Drop 'non-antipodal', weighted model: with xⱼ = −xᵢ, replacing (xⱼ, yⱼ) by (xᵢ, 1 − yⱼ)
    and merging gives n − 1 weighted points (total weight n) with the same ridge path and the same
    fit after appending two random points: exact HD and CD once weights are allowed."""

    def prop(data):
        return exact_distillation_found(data, merge(data), extra_points(ctx, data))

    return counterexample_outcome(search(ctx, twins_domain(antipodal=True), prop, fraction=0.1, label="anti"),
                                  "non-antipodal inputs")


def antipodal_pair_data(X: np.ndarray, y: np.ndarray) -> LogisticData:
    """The pairs (xᵢ, yᵢ), (−xᵢ, 1 − yᵢ)."""
    return LogisticData.build(np.vstack([X, -X]), np.concatenate([y, 1 - y]))


@st.composite
def antipodal_pairs(draw):
    """p ≤ 3 pairs (x, y), (−x, 1 − y), x on the quarter grid with positive first coordinate: 2p
    distinct inputs, as the paper assumes."""
    X = draw(grid_inputs(max_n=3))
    return antipodal_pair_data(X, draw(arrays(np.float64, (X.shape[0],), elements=st.sampled_from([0.0, 1.0]))))


def antipodal_pairs_domain() -> Domain:
    """The domain of :func:`antipodal_pairs`: d ∈ {1, 2} and p ∈ {2, 3} pairs; inputs and labels drawn."""
    return parametric(antipodal_pairs(), tuples(sampled([1, 2]), integers(2, 3)),
                      lambda params, rng: antipodal_pair_data(random_quarter_inputs(*params, rng),
                                                              binary_labels(params[1], rng)),
                      description="p ≤ 3 antipodal pairs (x, y), (−x, 1 − y), d ≤ 2")


@checks.add("antipodal-pairs-unweighted", Kind.COUNTEREXAMPLE)
def antipodal_pairs_unweighted(ctx, merge=merge_equivalent_points) -> Outcome:
    """Drop 'non-antipodal' in the paper's own model (HD): data made of pairs (x, y), (−x, 1 − y)
    merge into the p points (x, y) with equal weights, which for a normalised objective is the
    unweighted set itself. Only a result with equal weights and labels in {0, 1} (checked) counts:
    half as many unweighted binary points reproduce the ridge path for every λ — e.g.
    {(x, 1), (−x, 0)} by (x, 1). (CD is not refuted this way: see unweighted-cd-count.)"""

    def prop(data):
        distilled = merge(data)
        in_model = np.all(distilled.weights == distilled.weights[0]) and np.all(np.isin(distilled.y, (0.0, 1.0)))
        if not in_model:
            return None
        return exact_distillation_found(data, LogisticData(distilled.X, distilled.y, np.ones(len(distilled))), None)

    return counterexample_outcome(search(ctx, antipodal_pairs_domain(), prop, fraction=0.1, label="pairs"),
                                  "non-antipodal inputs")


def zero_path_data(magnitudes, signs, y) -> LogisticData | None:
    """1-D binary data with Σ(½ − yᵢ)xᵢ = 0 exactly: inputs ``magnitudes``·``signs`` and
    xₙ = −Σ_{i<n}(½ − yᵢ)xᵢ/(½ − yₙ) (a multiple of ¼ for quarter magnitudes); None when xₙ is 0 or
    repeats a magnitude (then the other hypotheses fail)."""
    head = np.asarray(magnitudes) * np.asarray(signs)
    last = -np.dot(0.5 - y[:-1], head) / (0.5 - y[-1])
    if last == 0 or np.any(np.abs(head) == abs(last)):
        return None
    return LogisticData.build(np.append(head, last)[:, None], y)


@st.composite
def zero_path_problem(draw):
    """:func:`zero_path_data` for 3 ≤ n ≤ 5 with n − 1 distinct quarter magnitudes, random signs
    and labels."""
    n = draw(st.integers(3, 5))
    magnitudes = draw(st.lists(QUARTERS, min_size=n - 1, max_size=n - 1, unique=True))
    signs = draw(arrays(np.float64, (n - 1,), elements=st.sampled_from([1.0, -1.0])))
    data = zero_path_data(magnitudes, signs, draw(arrays(np.float64, (n,), elements=st.sampled_from([0.0, 1.0]))))
    assume(data is not None)
    return data


def zero_path_domain() -> Domain:
    """The domain of :func:`zero_path_problem`: n ∈ {3, 4, 5}; magnitudes, signs and labels drawn
    until :func:`zero_path_data` accepts them (x = (¼, ½), y = (0, 0, 1) gives x₃ = ¾: some draw does)."""

    def build(params, rng):
        n = params[0]
        while True:
            data = zero_path_data(rng.choice(QUARTER_VALUES, n - 1, replace=False), rng.choice([1.0, -1.0], n - 1),
                                  binary_labels(n, rng))
            if data is not None:
                return data

    return parametric(zero_path_problem(), tuples(integers(3, 5)), build,
                      description="1-D binary data, 3 ≤ n ≤ 5, Σ(½ − yᵢ)xᵢ = 0")


@checks.add("zero-path", Kind.COUNTEREXAMPLE)
def zero_path(ctx, distil=balanced_pair) -> Outcome:
    """Drop 'Σ(½ − yᵢ)xᵢ ≠ 0' for HD in d = 1 (missing from the paper): 1-D data whose inputs are
    distinct, non-antipodal and nonzero (checked from the data) but with Σ(½ − yᵢ)xᵢ = 0 have
    θ(λ) ≡ 0, and the unweighted binary pair {(x₁, 0), (x₁, 1)} reproduces it for every λ — in the
    paper's own model. E.g. x = (1, 2, 3), y = (0, 0, 1). The identity-theorem step fails because
    the path is the single point 0."""

    def prop(data):
        if not separated_inputs(data.X) or path_moves(data):
            return None
        return exact_distillation_found(data, distil(data), None)

    return counterexample_outcome(search(ctx, zero_path_domain(), prop, fraction=0.1, label="zero"),
                                  "Σ(½ − yᵢ)xᵢ ≠ 0")


def mirror_data(base: np.ndarray, offsets, labels):
    """The mirror pairs (a, c), (a, −c) with equal labels for rows a of ``base`` and offsets c, and
    the normal of the mirror, e_d."""
    X = np.vstack([np.column_stack([base, offsets]), np.column_stack([base, -np.asarray(offsets)])])
    return LogisticData.build(X, np.concatenate([labels, labels])), np.eye(X.shape[1])[-1]


@st.composite
def mirror_problem(draw):
    """:func:`mirror_data` in d ∈ {2, 3} from 2 or 3 quarter-grid rows, quarter offsets and labels."""
    d = draw(st.sampled_from([2, 3]))
    base = draw(grid_inputs(max_n=3, dims=(d - 1,)))
    offsets = draw(arrays(np.float64, (base.shape[0],), elements=QUARTERS))
    return mirror_data(base, offsets, draw(arrays(np.float64, (base.shape[0],), elements=st.sampled_from([0.0, 1.0]))))


def mirror_domain() -> Domain:
    """The domain of :func:`mirror_problem`: d ∈ {2, 3} and 2 or 3 pairs; rows, offsets and labels drawn."""
    return parametric(mirror_problem(), tuples(sampled([2, 3]), integers(2, 3)),
                      lambda params, rng: mirror_data(random_quarter_inputs(params[0] - 1, params[1], rng),
                                                      rng.choice(QUARTER_VALUES, params[1]), binary_labels(params[1], rng)),
                      description="mirror-symmetric binary data, d ∈ {2, 3}, 2 or 3 pairs")


@checks.add("mirror-symmetric", Kind.COUNTEREXAMPLE)
def mirror_symmetric(ctx, fold=fold_mirror_symmetric) -> Outcome:
    """Drop 'd = 1' for hyperparameter distillation: data made of mirror pairs (a, c), (a, −c)
    with equal labels (d ∈ {2, 3}) have their ridge path in the plane x_d = 0; the projected,
    merged points — an unweighted set of half the size — reproduce it for the same λ. The
    paper's identity-theorem step fails here: the path is a curve, not an open set."""

    def prop(args):
        data, normal = args
        return exact_distillation_found(data, fold(data, normal), None)

    return counterexample_outcome(search(ctx, mirror_domain(), prop, fraction=0.1, label="mirror"), "d = 1 (for HD)")


# --- real data -------------------------------------------------------------------------------
@checks.add("spector", Kind.REAL_DATA, needs=(dataset("spector"),))
def spector(ctx, feature=expit, append_antipodal=False) -> Outcome:
    """statsmodels' ``spector`` (32 students; GPA, TUCE, PSI standardised, plus an intercept
    column): the inputs are checked to be separated (:func:`separated_inputs`: distinct,
    non-antipodal, nonzero), the feature to be σ, and A = [1 | σ(θⱼᵀxᵢ)] over N = 2(n + 1) random
    θⱼ has σ_min above its rounding bound, so no exact combination distillation of spector has
    fewer than 32 points. ``append_antipodal`` adds the negative of the first input."""
    refused = not_logistic(feature)
    if refused:
        return refused
    raw = load_statsmodels("spector")
    standard = (raw.X - raw.X.mean(0)) / raw.X.std(0)
    X = np.column_stack([np.ones(len(raw.y)), standard])
    if append_antipodal:
        X = np.vstack([X, -X[:1]])
    separated = separated_inputs(X)
    thetas = ctx.rng("thetas").standard_normal((2 * (X.shape[0] + 1), X.shape[1]))
    A = sigmoid_feature_matrix(X, thetas, feature=feature)
    singular = np.linalg.svd(A, compute_uv=False)
    bound = unit_roundoff() * np.linalg.norm(A) + 10 * A.shape[0] * unit_roundoff() * singular[0]
    holds = bool(separated and singular[-1] > bound)
    return Outcome.decide(holds, None if holds else {"sigma_min": singular[-1], "bound": bound},
                          "" if holds else "spector: the sigmoid functions are not certified independent",
                          points=X.shape[0], separated=int(separated), sigma_min=singular[-1], bound=bound)


THEOREM = register(
    Theorem(
        id="izzo-zou/theorem-4",
        title="Logistic regression cannot be compressed (non-antipodal inputs; HD in one dimension on a moving path)",
        source="Izzo & Zou, A Theoretical Study of Dataset Distillation, Theorem 4 (corrected by the project)",
        claim=("If the inputs satisfy xᵢ ≠ ±xⱼ (i ≠ j) and xᵢ ≠ 0, the functions 1, σ(θᵀx₁), …, σ(θᵀxₙ) are "
               "linearly independent, so exact combination distillation needs at least n points (weighted, "
               "soft-labelled points allowed), and so does exact hyperparameter distillation when d = 1 and "
               "Σ(½ − yᵢ)xᵢ ≠ 0. With unweighted points (the paper's model) exact combination distillation needs "
               "exactly n points for any data. The paper's hypothesis alone (distinct inputs) is not enough for "
               "hyperparameter distillation: antipodal pairs, mirror-symmetric data in d ≥ 2 and data with "
               "Σ(½ − yᵢ)xᵢ = 0 compress."),
        statement=statement,
        assumptions=(
            Assumption("distinct inputs", "x₁ … xₙ pairwise distinct"),
            Assumption("non-antipodal inputs", "xᵢ ≠ −xⱼ for all i, j (so also xᵢ ≠ 0); the paper omits this"),
            Assumption("d = 1 (for HD)", "the identity-theorem step for hyperparameter distillation needs d = 1"),
            Assumption("Σ(½ − yᵢ)xᵢ ≠ 0", "for HD: otherwise θ(λ) ≡ 0 and the path is no set of uniqueness; "
                                          "the paper omits this"),
            Assumption("binary-labels", "original labels in {0, 1}; distilled labels may be soft and weighted"),
        ),
        checks=checks.freeze(),
        construction=merge_equivalent_points,
        conventions=("(1/W)Σwᵢ cross-entropy + λ‖θ‖², λ absolute, minimisers have 2λ‖θ‖² ≤ W(1/e); y ∈ {0,1}; "
                     "no intercept unless a column of ones"),
    )
)
