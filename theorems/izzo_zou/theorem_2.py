"""Izzo & Zou, Theorem 2: Gaussian kernel regression cannot be distilled below n points.

Statement. Let x₁ … xₙ ∈ ℝᵈ be pairwise distinct, k(x, z) = exp(−γ‖x − z‖²), K = [k(xᵢ, xⱼ)],
and let kernel ridge regression with λ ≥ 0 fit f = Σᵢ αᵢ k(·, xᵢ), α = (K + λI)⁻¹y. If no αᵢ is 0,
then every dataset on which kernel ridge regression (with any λ' ≥ 0) returns f has at least n
points. (Data drawn from a density have distinct inputs and all αᵢ ≠ 0 with probability 1.)

Why. A model trained on m points x̃ⱼ is g = Σⱼ βⱼk(·, x̃ⱼ). The sections k(·, z) at distinct points
are linearly independent (the Gram matrix of distinct points is positive definite), so f = g
forces every xᵢ to be one of the x̃ⱼ. Quantitatively, with U the data points that are not
centres, the squared RKHS distance from f to the span of m distinct centres is α_UᵀS_Uα_U, S_U the
Schur complement of the centres' block in the joint Gram matrix of U and the centres, and
α_UᵀS_Uα_U ≥ λ_min(S_U)‖α_U‖² > 0 when m < n (:func:`constructions.kernel.projection_certificate`).
Over all n points the Schur complement S is singular once a centre is a data point, so
λ_min(S)‖α‖² would be 0 there.

Conventions: γ > 0 explicit (γ = 1 is the paper's kernel); unnormalised squared loss, λ absolute;
see :mod:`constructions.kernel`.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from constructions.kernel import (
    best_centres,
    compress_kernel_model,
    gaussian_gram,
    kernel_ridge_fit,
    labels_reproducing,
    projection_certificate,
)
from empirical.datasets import load_statsmodels
from theorems import Assumption, Checks, Kind, Outcome, Theorem, Violation, register, search
from theorems.requirements import dataset
from theorems.searching import counterexample_outcome, property_outcome
from theorems.domains import Domain, integers, interval, parametric, sampled, tuples
from theorems.strategies import build_separated_inputs, kernel_domain, separated_inputs
from theorems.tolerances import unit_roundoff

# --- statement --------------------------------------------------------------------------------


def statement():
    """Distinct inputs and α with no zero entry ⇒ |D_dist| ≥ n; the residual identity behind it."""
    n, m = sp.symbols("n m", integer=True, positive=True)
    alpha = sp.MatrixSymbol("α", 3, 1)  # shown for n = 3 data points and m = 2 centres
    K, B, C = sp.MatrixSymbol("K", 3, 3), sp.MatrixSymbol("B", 3, 2), sp.MatrixSymbol("C", 2, 2)
    residual = sp.Eq(sp.MatrixSymbol("min_β ‖f − Σβⱼk(·,x̃ⱼ)‖²_H", 1, 1), alpha.T * (K - B * C.I * B.T) * alpha,
                     evaluate=False)
    claim = sp.Implies(sp.And(sp.Symbol("xᵢ distinct"), sp.Symbol("αᵢ ≠ 0 ∀i"), sp.Eq(sp.Symbol("f_dist"), sp.Symbol("f"))),
                       sp.Ge(m, n))
    return [claim, residual]


def gaussian_kernel_1d(x, z):
    """The paper's kernel in one dimension, as a sympy expression."""
    return sp.exp(-(x - z) ** 2)


# --- checks -----------------------------------------------------------------------------------
checks = Checks()

VANDERMONDE_SIZES = (2, 3, 4)
SERIES_ORDER = 6


@checks.add("gram-positive-definite", Kind.SYMBOLIC)
def gram_positive_definite(ctx, kernel=gaussian_kernel_1d) -> Outcome:
    """1-D proof that the Gram matrix of distinct points is positive definite, for every n.
    sympy shows k(x, z) = e^{−x²}e^{−z²}g(xz) with g(t) = e^{2t}: g' = 2g and g(0) = 1, so the
    coefficients c_k = g⁽ᵏ⁾(0)/k! = 2ᵏ/k! are all positive (also read off the series to order 6).
    Then K = D(Σ_k c_k v_k v_kᵀ)D with v_k = (x₁ᵏ … xₙᵏ), D = diag(e^{−xᵢ²}), hence
    K ⪰ D V diag(c₀ … c_{n−1}) Vᵀ D, and sympy factors det V = Π_{i<j}(x_j − x_i) for n = 2, 3, 4
    (Vandermonde): nonzero for distinct points. For n = 2 it also gives det K = 1 − e^{−2(x₁−x₂)²}."""
    x, z, t = sp.symbols("x z t", real=True)
    product = sp.simplify(sp.powsimp(sp.expand(kernel(x, z) * sp.exp(x**2 + z**2))))
    g = sp.simplify(product.subs(z, t / x))
    if x in g.free_symbols:
        return Outcome.falsified({"kernel": str(kernel(x, z))}, "k(x, z)·e^{x²+z²} is not a function of x·z")
    ode_holds = sp.simplify(sp.diff(g, t) - 2 * g) == 0 and sp.simplify(g.subs(t, 0) - 1) == 0
    series = sp.series(g, t, 0, SERIES_ORDER).removeO()
    coefficients = [series.coeff(t, k) for k in range(SERIES_ORDER)]
    positive = all(c.is_positive for c in coefficients)
    vandermonde_ok = True
    for n in VANDERMONDE_SIZES:
        points = sp.symbols(f"x1:{n + 1}", real=True)
        V = sp.Matrix(n, n, lambda i, k: points[i] ** k)
        expected = sp.prod([points[j] - points[i] for i in range(n) for j in range(i + 1, n)])
        vandermonde_ok &= sp.expand(V.det() - expected) == 0
    a, b = sp.symbols("a b", real=True)
    gram2 = sp.Matrix([[kernel(a, a), kernel(a, b)], [kernel(b, a), kernel(b, b)]])
    det2_ok = sp.simplify(gram2.det() - (1 - sp.exp(-2 * (a - b) ** 2))) == 0
    holds = bool(ode_holds and positive and vandermonde_ok and det2_ok)
    counterexample = None if holds else {"g": str(g), "coefficients": [str(c) for c in coefficients]}
    return Outcome.decide(holds, counterexample, "" if holds else "the positive-series certificate fails",
                          series_terms=SERIES_ORDER, vandermonde_sizes=len(VANDERMONDE_SIZES))


def schur_residual_form(K: sp.Matrix, B: sp.Matrix, C: sp.Matrix) -> sp.Matrix:
    """S = K − B C⁻¹ Bᵀ: the matrix of the squared residual after projecting onto the centres."""
    return K - B * C.inv() * B.T


@checks.add("schur-residual", Kind.SYMBOLIC)
def schur_residual(ctx, schur=schur_residual_form) -> Outcome:
    """For a symbolic symmetric joint Gram matrix [[K, B], [Bᵀ, C]] (n = 2 data points, m = 1 and
    2 centres), sympy minimises q(β) = [α; −β]ᵀJ[α; −β] over β (solving ∇q = 0) and confirms
    that the minimum equals αᵀSα exactly, with S from ``schur``."""
    for n, m in ((2, 1), (2, 2)):
        def entry(name):
            return lambda i, j: sp.Symbol(f"{name}{min(i, j)}{max(i, j)}")

        K = sp.Matrix(n, n, entry("k"))
        C = sp.Matrix(m, m, entry("c"))
        B = sp.Matrix(n, m, lambda i, j: sp.Symbol(f"b{i}{j}"))
        alpha = sp.Matrix(sp.symbols(f"a0:{n}"))
        beta = sp.Matrix(sp.symbols(f"beta0:{m}"))
        q = (alpha.T * K * alpha - 2 * alpha.T * B * beta + beta.T * C * beta)[0, 0]
        optimum = sp.solve([sp.diff(q, v) for v in beta], list(beta), dict=True)[0]
        gap = sp.simplify(q.subs(optimum) - (alpha.T * schur(K, B, C) * alpha)[0, 0])
        if gap != 0:
            return Outcome.falsified({"n": n, "m": m, "gap": str(gap)}, "min_β q(β) ≠ αᵀSα")
    return Outcome.verified(sizes=2)


def zero_tolerance(gram: np.ndarray, lam: float, alpha: np.ndarray) -> float:
    """|αᵢ| below 10·n·κ(K + λI)·u·‖α‖ is zero to rounding (backward-stable solve)."""
    n = len(alpha)
    return 10 * n * np.linalg.cond(gram + lam * np.eye(n)) * unit_roundoff() * np.linalg.norm(alpha)


@checks.add("best-attempt-certificate", Kind.PROPERTY)
def best_attempt_certificate(ctx, points_short=1, kernel=gaussian_gram, attempt=best_centres) -> Outcome:
    """Random data (n ≤ 6, d ≤ 3, separated inputs, γ ∈ {½, 1, 2}, λ ∈ {0, 10⁻², 1}): fit α, let
    a BFGS search (2 starts, ≤ 100 iterations) pick the best n − 1 centres, and certify that
    f is not in their span: λ_min(S_U) exceeds its rounding bound 10·N·u·‖K‖₂·κ(C) (U the data
    points not themselves centres), and the residual αᵀSα is at least λ_min(S_U)‖α_U‖² minus
    its rounding bound. Figure: worst tolerance / λ_min(S_U) (< 1 means certified)."""
    def prop(problem):
        X, y, gamma, lam = problem
        rng = ctx.rng("attempt", X.tobytes(), y.tobytes())  # a function of the example: replays agree
        model = kernel_ridge_fit(X, y, lam, gamma, kernel=kernel)
        gram = kernel(X, X, gamma)
        assume(np.min(np.abs(model.coefficients)) > zero_tolerance(gram, lam, model.coefficients))
        m = X.shape[0] - points_short
        centres = attempt(X, model.coefficients, m, gamma, rng)
        cert = projection_certificate(X, model.coefficients, centres, gamma, kernel=kernel)
        ratio = cert.schur_tolerance / cert.lambda_min_schur if cert.lambda_min_schur > 0 else np.inf
        consistent = cert.residual_sq >= cert.lower_bound - cert.residual_tolerance
        if not (cert.certified and consistent):  # one raise site: hypothesis reports a single failure
            raise Violation(f"{m} centres: λ_min(S_U) = {cert.lambda_min_schur:.3g} against its rounding bound "
                            f"{cert.schur_tolerance:.3g} ({cert.uncovered} uncovered points); residual "
                            f"{cert.residual_sq:.3g} against the lower bound {cert.lower_bound:.3g}",
                            tolerance_over_bound=ratio, residual_sq=cert.residual_sq)
        return {"tolerance_over_bound": ratio}

    return property_outcome(search(ctx, kernel_domain(), prop, fraction=0.15, label="certificate"))


def prediction_gap(model_a, model_b, probes: np.ndarray) -> tuple[float, float]:
    """max |f_a − f_b| over probe inputs, and its rounding scale u·(Σ|a| + Σ|b|)."""
    gap = float(np.max(np.abs(model_a.predict(probes) - model_b.predict(probes))))
    scale = unit_roundoff() * (np.sum(np.abs(model_a.coefficients)) + np.sum(np.abs(model_b.coefficients)))
    return gap, scale


@checks.add("n-points-suffice", Kind.CONSTRUCTION)
def n_points_suffice(ctx, relabel=labels_reproducing) -> Outcome:
    """The bound is tight: on the same n inputs, labels ỹ = (K + λ'I)α make kernel ridge with a
    different strength λ' return the same f. Compared at 50 probe points: |f − f̃| ≤
    10·n·κ(K + λ'I)·u·(Σ|α| + Σ|α̃|) (a backward-stable solve)."""

    def prop(problem):
        X, y, gamma, lam = problem
        model = kernel_ridge_fit(X, y, lam, gamma)
        other = 0.1 + lam / 2
        distilled = kernel_ridge_fit(X, relabel(X, model.coefficients, other, gamma), other, gamma)
        probes = ctx.rng("probes", X.shape).uniform(-3, 3, size=(50, X.shape[1]))
        gap, scale = prediction_gap(model, distilled, probes)
        gram = gaussian_gram(X, X, gamma)
        kappa = max(np.linalg.cond(gram + lam * np.eye(len(y))), np.linalg.cond(gram + other * np.eye(len(y))))
        tolerance = 10 * len(y) * kappa * scale
        if gap > tolerance:
            raise Violation(f"relabelled fit differs by {gap:.3g} > {tolerance:.3g}", gap_over_tolerance=gap / tolerance)
        return {"gap_over_tolerance": gap / tolerance}

    return property_outcome(search(ctx, kernel_domain(), prop, fraction=0.25, label="suffice"))


def exact_compression(X, y, gamma, lam, compress, coefficients_floor=0.0):
    """Fit, compress, refit on the compressed set; the Violation says compression was exact."""
    model = kernel_ridge_fit(X, y, lam, gamma)
    compressed = compress(model, lam, coefficients_floor)
    refit = kernel_ridge_fit(compressed.X, compressed.y, compressed.lam, gamma)
    probes = np.vstack([X, X + 0.37, X - 0.61])
    gap, scale = prediction_gap(model, refit, probes)
    gram = gaussian_gram(X, X, gamma)
    effective = np.linalg.eigvalsh(gram + lam * np.eye(len(y)))
    # condition number over the nonzero spectrum (K is singular when inputs repeat and λ = 0)
    kappa = effective[-1] / effective[effective > 10 * len(y) * unit_roundoff() * effective[-1]][0]
    tolerance = 10 * len(y) * kappa * scale
    if compressed.X.shape[0] < X.shape[0] and gap <= tolerance:
        raise Violation(f"{compressed.X.shape[0]} points reproduce the {X.shape[0]}-point fit (gap {gap:.2g})",
                        points=compressed.X.shape[0], original=X.shape[0], gap=gap, tolerance=tolerance)
    return {"gap": gap}


@checks.add("duplicated-inputs", Kind.COUNTEREXAMPLE)
def duplicated_inputs(ctx, compress=compress_kernel_model) -> Outcome:
    """Drop 'distinct inputs': hypothesis draws data with one input repeated (labels free);
    merging the repeated centres (adding their coefficients) and relabelling gives n − 1 points
    whose fit equals the original at the data and at shifted probes, within 10·n·κ·u·Σ|α|."""

    def prop(problem):
        X, y, gamma, lam = problem
        return exact_compression(X, y, gamma, lam, compress)

    return counterexample_outcome(search(ctx, kernel_domain(duplicate=True), prop, fraction=0.1,
                                         label="duplicate"), "distinct inputs")


RIDGE_STRENGTHS = [0.0, 1e-2, 1.0]


def zero_coefficient_example(X: np.ndarray, gamma: float, alpha: np.ndarray, zeros, lam: float):
    """(X, y, γ, λ) with y = (K + λI)α after setting the entries ``zeros`` of α to 0."""
    alpha = np.array(alpha, dtype=float)
    alpha[list(zeros)] = 0.0
    return X, labels_reproducing(X, alpha, lam, gamma), gamma, lam


@st.composite
def zero_coefficient_problem(draw):
    """Separated inputs (theorems.strategies.separated_inputs), α ∈ [−1, 1]ⁿ with 1 … n − 1 of its
    entries set to 0, λ ∈ {0, 10⁻², 1}."""
    X, gamma = draw(separated_inputs())
    n = X.shape[0]
    alpha = draw(arrays(np.float64, (n,), elements=st.floats(-1.0, 1.0, width=64)))
    zeros = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n - 1, unique=True))
    return zero_coefficient_example(X, gamma, alpha, zeros, draw(st.sampled_from(RIDGE_STRENGTHS)))


def zero_coefficient_domain() -> Domain:
    """d ∈ {1, 2, 3}, n ∈ {2 … 6}, γ ∈ {½, 1, 2}, the number of zero coefficients (1 and n − 1 at
    the ends, a fraction between) and λ ∈ {0, 10⁻², 1}; inputs, α and which entries vanish drawn."""

    def build(params, rng):
        d, n, gamma, zero_fraction, lam = params
        X, gamma = build_separated_inputs((d, n, gamma), rng, duplicate=False)
        count = 1 + int(round(zero_fraction * (n - 2)))
        return zero_coefficient_example(X, gamma, rng.uniform(-1.0, 1.0, n), rng.permutation(n)[:count], lam)

    parameters = tuples(integers(1, 3), integers(2, 6), sampled([0.5, 1.0, 2.0]), interval(0.0, 1.0, points=3),
                        sampled(RIDGE_STRENGTHS))
    return parametric(zero_coefficient_problem(), parameters, build,
                      description="(X, y = (K + λI)α, γ, λ): n ≤ 6 separated inputs in d ≤ 3, 1 … n − 1 zeros in α")


@checks.add("zero-coefficient", Kind.COUNTEREXAMPLE)
def zero_coefficient(ctx, compress=compress_kernel_model) -> Outcome:
    """Drop 'no αᵢ = 0': hypothesis draws α with some zero entries and sets y = (K + λI)α (y in
    the span of fewer sections); dropping the centres whose fitted |αᵢ| is at rounding level
    (10·n·κ(K + λI)·u·‖α‖) leaves fewer points with the same fit."""

    def prop(args):
        X, y, gamma, lam = args
        assume(np.any(y != 0))  # α = 0 (every drawn entry zero): the zero function, nothing to compress
        fitted = kernel_ridge_fit(X, y, lam, gamma).coefficients
        floor = zero_tolerance(gaussian_gram(X, X, gamma), lam, fitted)
        return exact_compression(X, y, gamma, lam, compress, floor)

    return counterexample_outcome(search(ctx, zero_coefficient_domain(), prop, fraction=0.1, label="zero"), "no αᵢ = 0")


@checks.add("longley", Kind.REAL_DATA, needs=(dataset("longley"),))
def longley(ctx, points_short=1, attempt=best_centres) -> Outcome:
    """statsmodels' ``longley`` (16 years × 6 predictors), predictors and response standardised,
    γ = 1/d (unit-variance inputs), λ = 10⁻²: every fitted αᵢ is nonzero beyond rounding, and for
    the best 15 centres a BFGS search finds, λ_min(S_U) exceeds its rounding bound — so no exact
    distillation of this fit has fewer than 16 points."""
    raw = load_statsmodels("longley")
    X = (raw.X - raw.X.mean(0)) / raw.X.std(0)
    y = (raw.y - raw.y.mean()) / raw.y.std()
    gamma, lam = 1.0 / X.shape[1], 1e-2
    model = kernel_ridge_fit(X, y, lam, gamma)
    floor = zero_tolerance(gaussian_gram(X, X, gamma), lam, model.coefficients)
    centres = attempt(X, model.coefficients, X.shape[0] - points_short, gamma, ctx.rng("longley"))
    cert = projection_certificate(X, model.coefficients, centres, gamma)
    holds = bool(np.min(np.abs(model.coefficients)) > floor and cert.certified)
    return Outcome.decide(holds, None if holds else {"lambda_min": cert.lambda_min_schur, "tolerance": cert.schur_tolerance},
                          "" if holds else "longley: the best attempt is not certified to miss f",
                          centres=len(centres), lambda_min=cert.lambda_min_schur, tolerance=cert.schur_tolerance,
                          residual_sq=cert.residual_sq)


THEOREM = register(
    Theorem(
        id="izzo-zou/theorem-2",
        title="Gaussian kernel (ridge) regression cannot be distilled below n points",
        source="Izzo & Zou, A Theoretical Study of Dataset Distillation, Theorem 2",
        claim=("If the inputs x₁ … xₙ are distinct and the fitted coefficients α = (K + λI)⁻¹y have no zero "
               "entry, every dataset on which Gaussian kernel (ridge) regression returns the same function "
               "has at least n points; the squared RKHS distance from f to the span of any m < n distinct centres "
               "is α_UᵀS_Uα_U ≥ λ_min(S_U)‖α_U‖² > 0, with U the data points that are not centres and S_U "
               "the Schur complement of the centres' block in the joint Gram matrix of U and the centres."),
        statement=statement,
        assumptions=(
            Assumption("distinct inputs", "x₁ … xₙ are pairwise distinct (probability 1 under a density)"),
            Assumption("no αᵢ = 0", "every fitted coefficient is nonzero (probability 1 when y has a density)"),
            Assumption("gaussian-kernel", "k(x, z) = exp(−γ‖x − z‖²), γ > 0; kernel ridge with λ ≥ 0 on both sides"),
        ),
        checks=checks.freeze(),
        construction=projection_certificate,
        conventions="k = exp(−γ‖x−z‖²), γ = 1 in the paper; unnormalised squared loss, λ absolute; α = K⁺y at λ = 0",
    )
)
