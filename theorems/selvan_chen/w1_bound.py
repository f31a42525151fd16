"""Selvan & Chen: a W1-close condensed set integrates every Lipschitz function almost alike.

Statement (Kantorovich–Rubinstein). For weighted empirical measures T = Σ aᵢδ_{xᵢ}, S = Σ bⱼδ_{yⱼ}
in ℝᵈ with the Euclidean distance, and every L-Lipschitz f,

    |E_T f − E_S f| ≤ L · W1(T, S),   W1 = min_π Σ πᵢⱼ ‖xᵢ − yⱼ‖  (π ≥ 0 with marginals a, b).

Proof: for any coupling π, E_T f − E_S f = Σ πᵢⱼ (f(xᵢ) − f(yⱼ)) ≤ L Σ πᵢⱼ ‖xᵢ − yⱼ‖. Tightness: POT's
exact solver returns dual potentials (u, v) with uᵢ + vⱼ ≤ ‖xᵢ − yⱼ‖ and Σaᵢuᵢ + Σbⱼvⱼ = W1; the
c-transform g(z) = min_j (‖z − yⱼ‖ − vⱼ) is 1-Lipschitz, g(xᵢ) ≥ uᵢ and g(yⱼ) ≤ −vⱼ, hence
E_T g − E_S g ≥ W1 and, with the bound, = W1. On the line W1 = ∫|F_T − F_S| (the quantile formula).

The assumption that matters: L must be a true Lipschitz constant of f; with half of it the tight
potential breaks the inequality for every pair with W1 > 0.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from constructions.discrepancy import distances, optimal_transport, wasserstein, wasserstein_1d
from theorems import Assumption, Checks, Kind, Outcome, Theorem, Violation, register, search
from theorems.domains import integers, parametric, sampled, tuples
from theorems.searching import counterexample_outcome, property_outcome
from theorems.selvan_chen._references import assignment_wasserstein, euclidean_cost, linprog_w1
from theorems.selvan_chen._strategies import (
    COORDINATE,
    build_weighted_pair,
    coordinates,
    entries,
    simplex_from,
    simplex_weights,
    weighted_pair,
    weighted_pair_axes,
    weighted_pair_domain,
)
from theorems.tolerances import unit_roundoff

# --- statement --------------------------------------------------------------------------------


def statement():
    L = sp.Symbol("L", positive=True)
    gap = sp.Abs(sp.Symbol("E_T f") - sp.Symbol("E_S f"))
    return [sp.LessThan(gap, L * sp.Symbol("W1(T, S)")),
            sp.Eq(sp.Symbol("E_T g − E_S g"), sp.Symbol("W1(T, S)"))]


# --- checks -----------------------------------------------------------------------------------
checks = Checks()


def coupling_marginals(plan: sp.Matrix) -> tuple[list, list]:
    """(a, b) = (row sums, column sums) of a coupling."""
    return [sum(plan.row(i)) for i in range(plan.rows)], [sum(plan.col(j)) for j in range(plan.cols)]


@checks.add("coupling-identity", Kind.SYMBOLIC)
def coupling_identity(ctx, sizes=((2, 2), (3, 2), (2, 4)), marginals=coupling_marginals) -> Outcome:
    """For a symbolic coupling π (n × m) with marginals a = π1, b = πᵀ1 and symbolic values fᵢ = f(xᵢ),
    gⱼ = f(yⱼ), sympy expands Σaᵢfᵢ − Σbⱼgⱼ − Σπᵢⱼ(fᵢ − gⱼ) to 0: the step that turns the integral gap
    into an average of differences, each bounded by L‖xᵢ − yⱼ‖."""
    for n, m in sizes:
        plan = sp.Matrix(n, m, lambda i, j: sp.Symbol(f"pi_{i}{j}"))
        f, g = sp.symbols(f"f0:{n}"), sp.symbols(f"g0:{m}")
        a, b = marginals(plan)
        gap = sum(a[i] * f[i] for i in range(n)) - sum(b[j] * g[j] for j in range(m))
        averaged = sum(plan[i, j] * (f[i] - g[j]) for i in range(n) for j in range(m))
        if sp.expand(gap - averaged) != 0:
            return Outcome.falsified({"n": n, "m": m, "remainder": str(sp.expand(gap - averaged))},
                                     "the integral gap is not the coupling average of differences")
    return Outcome.verified(sizes=len(sizes))


def transport_tolerance(X: np.ndarray, Y: np.ndarray, scale: float) -> float:
    """Rounding allowance for comparing a transport cost with integrals of f: the cost matrix
    entries carry relative error ≤ d·u (cdist), POT's exact simplex sums n + m − 1 basic entries,
    and the integrals sum n + m values of size ≤ ``scale``; each error ≤ (n + m + d)·u·scale, taken
    twice with a safety factor 10. Below the normal range (scale ≈ 10⁻³⁰⁸) rounding is absolute, and
    flush-to-zero (which a loaded library may switch on) rounds to 0: 10·tiny covers both."""
    return 20.0 * (X.shape[0] + Y.shape[0] + X.shape[1]) * unit_roundoff() * scale + 10.0 * np.finfo(float).tiny


@st.composite
def lipschitz_problem(draw):
    """A weighted pair and f(x) = Σ cₗ‖x − zₗ‖ + vᵀx with Lipschitz constant ≤ Σ|cₗ| + ‖v‖."""
    X, a, Y, b = draw(weighted_pair())
    d = X.shape[1]
    centres = draw(arrays(np.float64, (draw(st.integers(1, 3)), d), elements=COORDINATE))
    c = draw(arrays(np.float64, (centres.shape[0],), elements=COORDINATE))
    v = draw(arrays(np.float64, (d,), elements=COORDINATE))
    return X, a, Y, b, centres, c, v


def lipschitz_domain():
    """The domain of :func:`lipschitz_problem`: the weighted pair's parameters and 1–3 centres; the
    centres, cₗ and v drawn in the pair's entry regime (all zero: f = 0)."""

    def build(params, rng):
        X, a, Y, b = build_weighted_pair(params, rng)
        regime, count, d = params[3], params[5], X.shape[1]
        return (X, a, Y, b, coordinates(rng, (count, d), regime), coordinates(rng, (count,), regime),
                coordinates(rng, (d,), regime))

    return parametric(lipschitz_problem(), tuples(*weighted_pair_axes(), integers(1, 3)), build,
                      description="((X, a, Y, b), f = Σ cₗ‖x − zₗ‖ + vᵀx): n ≤ 8, m ≤ 6, d ≤ 3, 1–3 centres")


def c_transform_potential(transport, Y: np.ndarray):
    """g(z) = min_j (‖z − yⱼ‖ − vⱼ) from POT's dual vector v: 1-Lipschitz, attains W1."""
    return lambda Z: np.min(distances(Z, Y) - transport.v[None, :], axis=1)


def lipschitz_function(centres, c, v):
    return lambda Z: distances(Z, centres) @ c + Z @ v


@checks.add("bound", Kind.PROPERTY)
def bound(ctx, discrepancy=wasserstein) -> Outcome:
    """For random weighted T, S (n ≤ 8, m ≤ 6, d ≤ 3), |E_T f − E_S f| ≤ L · W1(T, S) (W1 from
    ``discrepancy``) + :func:`transport_tolerance` for two functions: f(x) = Σ cₗ‖x − zₗ‖ + vᵀx with
    L = Σ|cₗ| + ‖v‖, and the 1-Lipschitz c-transform of POT's dual potential (which makes the
    inequality tight, so an underestimated W1 is caught on every pair with W1 > 0)."""

    def prop(example):
        X, a, Y, b, centres, c, v = example
        transport = optimal_transport(X, Y, 1, weights_T=a, weights_S=b)
        functions = [(lipschitz_function(centres, c, v), float(np.abs(c).sum() + np.linalg.norm(v))),
                     (c_transform_potential(transport, Y), 1.0)]
        w1 = discrepancy(X, Y, 1, weights_T=a, weights_S=b)
        worst = 0.0
        for f, L in functions:
            gap = abs(a @ f(X) - b @ f(Y))
            rhs = L * w1
            scale = max(np.abs(f(X)).max(), np.abs(f(Y)).max(), L * distances(X, Y).max(), np.finfo(float).tiny)
            tol = transport_tolerance(X, Y, scale)
            if not gap <= rhs + tol:
                raise Violation(f"|E_T f − E_S f| = {gap:.4g} > L·W1 = {rhs:.4g}", gap=gap, bound=rhs, tolerance=tol)
            worst = max(worst, gap / (rhs + tol))
        return {"gap_over_bound": worst}

    return property_outcome(search(ctx, lipschitz_domain(), prop, fraction=0.5, label="bound"))


@checks.add("dual-tightness", Kind.PROPERTY)
def dual_tightness(ctx, solve=optimal_transport, potential=c_transform_potential) -> Outcome:
    """The c-transform g of the dual potential v returned by ``solve`` (POT) attains the bound:
    E_T g − E_S g equals W1(T, S) from an independent solver, the transport LP solved by HiGHS
    (:func:`theorems.selvan_chen._references.linprog_w1`), within :func:`transport_tolerance` plus
    HiGHS's own certificate (its marginal residual and dual feasibility tolerance, measured on its
    plan); and g is 1-Lipschitz on every pair of points of T ∪ S (checked). Since any 1-Lipschitz g
    gives E_T g − E_S g ≤ W1, only a tolerance that does not come from the duals under test can
    catch a wrong dual: a halved or perturbed v lowers the gap below W1."""

    def prop(example):
        X, a, Y, b = example
        transport = solve(X, Y, 1, weights_T=a, weights_S=b)
        g = potential(transport, Y)
        gap = float(a @ g(X) - b @ g(Y))
        w1, allowance = linprog_w1(X, a, Y, b)
        scale = max(distances(X, Y).max(), np.abs(transport.v).max(), np.finfo(float).tiny)
        rounding = transport_tolerance(X, Y, scale)
        tol = rounding + allowance
        Z = np.vstack([X, Y])
        values = g(Z)
        steepness = float((np.abs(values[:, None] - values[None, :]) - distances(Z, Z)).max())
        if not (abs(gap - w1) <= tol and steepness <= rounding):
            raise Violation(f"potential gives {gap:.6g} against the LP's W1 = {w1:.6g} (Lipschitz excess {steepness:.3g})",
                            gap=gap, w1=w1, tolerance=tol, lipschitz_excess=steepness)
        return {"error_over_tolerance": abs(gap - w1) / tol}

    return property_outcome(search(ctx, weighted_pair_domain(), prop, fraction=0.5, label="tight"))


ORDERS = (1.0, 2.0)


@st.composite
def equal_size_sets(draw):
    """Two uniform sets of the same size n ≤ 7 in ℝᵈ, d ∈ {2, 3} (where Euclidean and city-block
    distances differ), an order p ∈ {1, 2}, and a translation v."""
    d, n = draw(st.integers(2, 3)), draw(st.integers(1, 7))
    X = draw(arrays(np.float64, (n, d), elements=COORDINATE))
    Y = draw(arrays(np.float64, (n, d), elements=COORDINATE))
    v = draw(arrays(np.float64, (d,), elements=COORDINATE))
    return X, Y, v, draw(simplex_weights(n)), draw(st.sampled_from(ORDERS))


def equal_size_domain():
    """The domain of :func:`equal_size_sets`: d ∈ {2, 3}, n at its ends and middle, every entry
    regime (X, Y and v alike) and both orders."""

    def build(params, rng):
        d, n, regime, p = params
        return (coordinates(rng, (n, d), regime), coordinates(rng, (n, d), regime), coordinates(rng, (d,), regime),
                simplex_from(rng, n), p)

    return parametric(equal_size_sets(), tuples(integers(2, 3), integers(1, 7, points=3), entries(),
                                                sampled(list(ORDERS))), build,
                      description="(X, Y, v, a, p): n ≤ 7 points each in d ∈ {2, 3}, p ∈ {1, 2}")


@checks.add("euclidean-reference", Kind.PROPERTY)
def euclidean_reference(ctx, metric=distances, discrepancy=wasserstein) -> Outcome:
    """The ground metric and W_p against references that share nothing with the library:
    ``metric`` against the sympy formula √Σ(xₗ − yₗ)² entry by entry (within (d + 2)·u relative,
    times 10); W_p^p (``discrepancy``, p = 1, 2) between two uniform sets of equal size against the
    optimal assignment of ``linear_sum_assignment`` on the formula's costs; and the closed form
    W_p(T, T + v) = ‖v‖₂ for a weighted T and its translate (the translation is a coupling of cost
    ‖v‖, and ‖E_T x − E_S x‖ = ‖v‖ ≤ W1 ≤ W_p). Both W tolerances are :func:`transport_tolerance`, the
    translation's plus the rounding of forming T + v (relative to the points, not to ‖v‖)."""

    def prop(example):
        X, Y, v, a, p = example
        d = X.shape[1]
        reference = euclidean_cost(X, Y)
        metric_error = float(np.max(np.abs(metric(X, Y) - reference) / (10 * (d + 2) * unit_roundoff() * reference
                                                                         + np.finfo(float).tiny)))
        if not metric_error <= 1.0:
            raise Violation(f"the ground metric differs from √Σ(xₗ − yₗ)² by {metric_error:.3g}× the allowance",
                            error_over_tolerance=metric_error)
        assigned = assignment_wasserstein(X, Y, p) ** p
        exact = discrepancy(X, Y, p) ** p
        tol = transport_tolerance(X, Y, max(float(reference.max()) ** p, np.finfo(float).tiny))
        if not abs(exact - assigned) <= tol:
            raise Violation(f"W_{p:g}^{p:g} = {exact:.8g} but the optimal assignment costs {assigned:.8g}",
                            w_p_power=exact, assignment=assigned, tolerance=tol)
        shift = float(np.sqrt(np.sum(v**2)))
        translated = discrepancy(X, X + v, p, weights_T=a, weights_S=a)
        # the translate is rounded where it is formed: fl(x + v) is x + v moved by at most u‖x + v‖, so the
        # set actually compared is T + v with every point moved by at most ε = u·max‖x + v‖ (relative to the
        # points, not to ‖v‖: x = (1, 0), v = (10⁻³, 10⁻³) errs by 0.7u·1 on a cost of 1.4·10⁻³). Moving
        # points by ≤ ε moves W_p by ≤ ε and W_p^p by ≤ p(‖v‖ + ε)^{p−1}ε; factor 10 as elsewhere
        moved = unit_roundoff() * float(np.linalg.norm(X + v, axis=1).max())
        tol_shift = (transport_tolerance(X, X, max(float(euclidean_cost(X, X + v).max()) ** p, np.finfo(float).tiny))
                     + 10.0 * p * (shift + moved) ** (p - 1) * moved)
        if not abs(translated**p - shift**p) <= tol_shift:
            raise Violation(f"W_{p:g}(T, T + v) = {translated:.8g} but ‖v‖₂ = {shift:.8g}",
                            translated=translated, shift=shift, tolerance=tol_shift)
        return {"assignment_error_over_tolerance": abs(exact - assigned) / tol,
                "translation_error_over_tolerance": abs(translated**p - shift**p) / tol_shift}

    return property_outcome(search(ctx, equal_size_domain(), prop, fraction=0.5, label="euclid"))


@st.composite
def line_pair(draw):
    n, m = draw(st.integers(1, 10)), draw(st.integers(1, 10))
    x = draw(arrays(np.float64, (n,), elements=COORDINATE))
    y = draw(arrays(np.float64, (m,), elements=COORDINATE))
    return x, draw(simplex_weights(n)), y, draw(simplex_weights(m)), draw(st.sampled_from(ORDERS))


def line_pair_domain():
    """The domain of :func:`line_pair`: n, m ∈ 1…10 at their ends and middle, every entry regime,
    both orders."""

    def build(params, rng):
        n, m, regime, p = params
        return coordinates(rng, (n,), regime), simplex_from(rng, n), coordinates(rng, (m,), regime), simplex_from(rng, m), p

    return parametric(line_pair(), tuples(integers(1, 10, points=3), integers(1, 10, points=3), entries(),
                                          sampled(list(ORDERS))), build,
                      description="(x, a, y, b, p): n, m ≤ 10 weighted points on the line, p ∈ {1, 2}")


@checks.add("one-dimensional", Kind.CONSTRUCTION)
def one_dimensional(ctx, closed_form=wasserstein_1d) -> Outcome:
    """On the line, the library's quantile formula (∫₀¹|F⁻¹_T − F⁻¹_S|^p)^{1/p} equals POT's exact W_p
    (p = 1, 2) for weighted samples, compared as p-th powers within :func:`transport_tolerance` of
    the largest cost |x − y|^p. W_p^p is a sum of costs, so its rounding error ε is relative to the
    largest cost; W_p itself would carry ε^{1/p} where W_p = 0 (equal laws from different samples:
    POT's W_2 = 2·10⁻⁸ = √(4·10⁻¹⁶) at ci seed 3), which no tolerance linear in the scale allows."""

    def prop(example):
        x, a, y, b, p = example
        exact = wasserstein(x[:, None], y[:, None], p, weights_T=a, weights_S=b)
        formula = closed_form(x, y, a, b, p)
        scale = max(float(np.abs(x[:, None] - y[None, :]).max()) ** p, np.finfo(float).tiny)
        tol = transport_tolerance(x[:, None], y[:, None], scale)
        error = abs(exact**p - formula**p)
        if not error <= tol:
            raise Violation(f"closed form {formula:.6g} ≠ POT {exact:.6g}", exact=exact, formula=formula, tolerance=tol)
        return {"error_over_tolerance": error / tol}

    return property_outcome(search(ctx, line_pair_domain(), prop, fraction=0.5, label="line"))


@checks.add("wrong-lipschitz-constant", Kind.COUNTEREXAMPLE)
def wrong_lipschitz_constant(ctx, claimed_fraction=0.5) -> Outcome:
    """Drop 'L is a Lipschitz constant of f': applying the bound to the tight potential g (Lip 1)
    with L = ``claimed_fraction`` < 1 fails for every pair with W1 above the rounding allowance."""

    def prop(example):
        X, a, Y, b = example
        transport = optimal_transport(X, Y, 1, weights_T=a, weights_S=b)
        g = c_transform_potential(transport, Y)
        w1, gap = transport.distance, float(a @ g(X) - b @ g(Y))
        tol = transport_tolerance(X, Y, max(distances(X, Y).max(), np.finfo(float).tiny))
        if gap > claimed_fraction * w1 + tol:
            raise Violation(f"E_T g − E_S g = {gap:.4g} > {claimed_fraction}·W1 = {claimed_fraction * w1:.4g}",
                            gap=gap, w1=w1)
        return None

    return counterexample_outcome(search(ctx, weighted_pair_domain(), prop, fraction=0.25, label="wrong"),
                                  "L is a Lipschitz constant of f")


THEOREM = register(
    Theorem(
        id="selvan-chen/w1-bound",
        title="|E_T f − E_S f| ≤ Lip(f) · W1(T, S), tight at the optimal dual potential",
        source="Selvan & Chen, A Discrepancy-Based Perspective on Dataset Condensation (arXiv:2509.10367); "
               "Kantorovich–Rubinstein duality (Villani 2009, Remark 6.5)",
        claim=("For weighted empirical measures T, S in ℝᵈ and every L-Lipschitz f (Euclidean distance), "
               "|E_T f − E_S f| ≤ L·W1(T, S); the c-transform of POT's optimal dual potential attains equality."),
        statement=statement,
        assumptions=(
            Assumption("L is a Lipschitz constant of f", "|f(x) − f(y)| ≤ L‖x − y‖₂ for all x, y"),
            Assumption("Euclidean ground distance", "W1 is computed with the same norm as the Lipschitz constant"),
        ),
        checks=checks.freeze(),
        construction=optimal_transport,
        conventions="W1 with Euclidean ground cost; weights sum to one; exact network simplex (POT)",
    )
)
