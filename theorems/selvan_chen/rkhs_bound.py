"""Selvan & Chen: an MMD-close condensed set integrates every RKHS function almost alike.

Statement. Let k be a positive-definite kernel with RKHS H, T = Σ aᵢ δ_{xᵢ}, S = Σ bⱼ δ_{yⱼ}. For every
f ∈ H,

    |E_T f − E_S f| ≤ ‖f‖_H · MMD_k(T, S),   MMD_k(T, S) = ‖μ_T − μ_S‖_H,

because E_P f = ⟨f, μ_P⟩_H (reproducing property) and Cauchy–Schwarz. Equality holds for the
normalised witness f* = (μ_T − μ_S)/‖μ_T − μ_S‖_H: E_T f* − E_S f* = MMD_k(T, S).

Functions are represented as f = Σ αₗ k(zₗ, ·), with ‖f‖²_H = αᵀK_zz α. The assumption that
matters: f lies in the RKHS of the kernel the MMD is measured with — f(x) = ‖x‖² lies in the RKHS
of the degree-2 polynomial kernel, not of the linear one, and two sets with equal means (linear
MMD 0) integrate it differently.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from constructions.discrepancy import LinearKernel, mmd, witness
from theorems import Assumption, Checks, Kind, Outcome, Theorem, Violation, register, search
from theorems.search import counterexample_outcome, property_outcome
from theorems.selvan_chen._strategies import COORDINATE, kernels, weighted_pair
from theorems.tolerances import unit_roundoff

# --- statement --------------------------------------------------------------------------------


def statement():
    f, muT, muS = sp.symbols("f μ_T μ_S")
    norm = sp.Function("‖·‖_H")
    return [
        sp.Eq(sp.Symbol("E_T f") - sp.Symbol("E_S f"), sp.Symbol("⟨f, μ_T − μ_S⟩_H")),
        sp.LessThan(sp.Abs(sp.Symbol("E_T f") - sp.Symbol("E_S f")), norm(f) * norm(muT - muS)),
        sp.Eq(sp.Symbol("E_T f* − E_S f*"), norm(muT - muS)),
    ]


# --- checks -----------------------------------------------------------------------------------
checks = Checks()


def witness_coefficients(a: list, b: list) -> list:
    """Coefficients of f* = μ_T − μ_S on the centres (x₁..xₙ, y₁..yₘ)."""
    return [*a, *(-w for w in b)]


@checks.add("witness-identity", Kind.SYMBOLIC)
def witness_identity(ctx, sizes=((2, 1), (2, 2), (3, 2)), coefficients=witness_coefficients) -> Outcome:
    """With symbolic weights and a symbolic symmetric Gram matrix k(zₚ, z_q) on the n + m points,
    sympy confirms E_T f* − E_S f* = ‖f*‖²_H = aᵀK_TT a − 2aᵀK_TS b + bᵀK_SS b exactly, using only
    the reproducing property f(z) = Σ cₚ k(zₚ, z) and ⟨k(u,·), k(v,·)⟩ = k(u, v)."""
    for n, m in sizes:
        size = n + m
        K = sp.Matrix(size, size, lambda p, q: sp.Symbol(f"k_{min(p, q)}{max(p, q)}"))
        a, b = list(sp.symbols(f"a0:{n}")), list(sp.symbols(f"b0:{m}"))
        c = sp.Matrix(coefficients(a, b))
        values = K * c  # f*(z_q) for every point
        gap = sum(a[i] * values[i] for i in range(n)) - sum(b[j] * values[n + j] for j in range(m))
        norm2 = (c.T * K * c)[0, 0]
        weights = sp.Matrix([*a, *(-w for w in b)])
        mmd2 = (weights.T * K * weights)[0, 0]
        if sp.expand(gap - norm2) != 0 or sp.expand(norm2 - mmd2) != 0:
            return Outcome.falsified({"n": n, "m": m, "gap_minus_norm2": str(sp.expand(gap - norm2))},
                                     "E_T f* − E_S f* ≠ ‖f*‖²_H = MMD²")
    return Outcome.verified(sizes=len(sizes))


def lagrange_remainder(u: sp.Matrix, v: sp.Matrix) -> sp.Expr:
    """‖u‖²‖v‖² − ⟨u, v⟩² − Σ_{i<j} (uᵢvⱼ − uⱼvᵢ)²: zero by Lagrange's identity."""
    d = u.shape[0]
    squares = sum((u[i] * v[j] - u[j] * v[i]) ** 2 for i in range(d) for j in range(i + 1, d))
    return (u.T * u)[0, 0] * (v.T * v)[0, 0] - (u.T * v)[0, 0] ** 2 - squares


@checks.add("cauchy-schwarz", Kind.SYMBOLIC)
def cauchy_schwarz(ctx, dimensions=(2, 3, 4), remainder=lagrange_remainder) -> Outcome:
    """The inequality's core in finite dimension: ‖u‖²‖v‖² − ⟨u,v⟩² is a sum of squares (Lagrange's
    identity, expanded by sympy for d = 2, 3, 4), so |⟨f, μ_T − μ_S⟩| ≤ ‖f‖‖μ_T − μ_S‖ for every
    finite expansion f = Σ αₗ k(zₗ, ·) (which lives in the span of finitely many features)."""
    for d in dimensions:
        u, v = sp.Matrix(sp.symbols(f"u0:{d}", real=True)), sp.Matrix(sp.symbols(f"v0:{d}", real=True))
        if sp.expand(remainder(u, v)) != 0:
            return Outcome.falsified({"d": d, "remainder": str(sp.expand(remainder(u, v)))},
                                     "‖u‖²‖v‖² − ⟨u,v⟩² is not the claimed sum of squares")
    return Outcome.verified(dimensions=len(dimensions))


def bound_tolerance(k, points: np.ndarray, coefficient_l1: float, norm: float) -> float:
    """Rounding allowance for |E_T f − E_S f| ≤ ‖f‖·MMD.

    Let κ = max |k(u, v)| over the points involved and N their number. E_T f − E_S f = αᵀ(K_zT a −
    K_zS b) is a sum of ≤ N² products of size ≤ ‖α‖₁κ: error ≤ N·u·2‖α‖₁κ (γ_N). MMD² is a sum of
    Gram terms of total size ≤ 4κ, so its error is ≤ N·u·4κ; under the square root an absolute
    error ε on MMD² moves MMD by at most √ε (the worst case is MMD ≈ 0). Each gets a factor 10."""
    kappa = float(np.abs(k.matrix(points, points)).max())
    eps = 10.0 * points.shape[0] * unit_roundoff()
    return eps * 2.0 * coefficient_l1 * kappa + norm * np.sqrt(eps * 4.0 * kappa)


@st.composite
def problem(draw):
    """A weighted pair (T, S), a kernel, and f = Σ αₗ k(zₗ, ·) with 1–4 centres."""
    X, a, Y, b = draw(weighted_pair())
    k = draw(kernels())
    centres = draw(arrays(np.float64, (draw(st.integers(1, 4)), X.shape[1]), elements=COORDINATE))
    alpha = draw(arrays(np.float64, (centres.shape[0],), elements=COORDINATE))
    return X, a, Y, b, k, centres, alpha


@checks.add("bound", Kind.PROPERTY)
def bound(ctx, discrepancy=mmd) -> Outcome:
    """For random weighted T, S (n ≤ 8, m ≤ 6, d ≤ 3), a Gaussian/Laplacian/polynomial/linear kernel
    and f = Σ αₗ k(zₗ, ·), |E_T f − E_S f| ≤ ‖f‖_H · MMD_k(T, S) + :func:`bound_tolerance`."""

    def prop(example):
        X, a, Y, b, k, centres, alpha = example
        gap = abs(alpha @ (k.matrix(centres, X) @ a - k.matrix(centres, Y) @ b))
        norm = float(np.sqrt(max(alpha @ k.matrix(centres, centres) @ alpha, 0.0)))
        rhs = norm * discrepancy(X, Y, k, weights_T=a, weights_S=b)
        tol = bound_tolerance(k, np.vstack([X, Y, centres]), float(np.abs(alpha).sum()), norm)
        if gap > rhs + tol:
            raise Violation(f"|E_T f − E_S f| = {gap:.3g} > ‖f‖·MMD = {rhs:.3g}", gap=gap, bound=rhs, tolerance=tol)
        return {"gap_over_bound": gap / (rhs + tol) if rhs + tol > 0 else 0.0}

    return property_outcome(search(ctx, problem(), prop, fraction=0.5, label="bound"))


@checks.add("witness-tightness", Kind.PROPERTY)
def witness_tightness(ctx, make_witness=witness) -> Outcome:
    """The normalised witness attains the bound: for f* = witness/‖witness‖_H (‖f*‖_H = 1),
    |E_T f* − E_S f* − MMD| ≤ :func:`bound_tolerance` divided by MMD (pairs with MMD below
    √tolerance are skipped: there the normalisation is rounding noise)."""
    tight = {"skipped": 0}

    def prop(example):
        X, a, Y, b = example[:4]
        k = example[4]
        w = make_witness(X, Y, k, weights_T=a, weights_S=b)
        value = mmd(X, Y, k, weights_T=a, weights_S=b)
        tol = bound_tolerance(k, np.vstack([X, Y]), 2.0, 1.0)
        if value <= np.sqrt(tol):
            tight["skipped"] += 1
            return {"near_zero_mmd": 1.0}
        if not w.rkhs_norm > 0:
            raise Violation(f"the witness has norm {w.rkhs_norm:.3g} although MMD = {value:.6g}", mmd=value)
        gap = (a @ w(X) - b @ w(Y)) / w.rkhs_norm
        error = abs(gap - value)
        allowed = tol / value + tol
        if error > allowed:
            raise Violation(f"the normalised witness gives {gap:.6g}, not MMD = {value:.6g}",
                            gap=gap, mmd=value, error_over_tolerance=error / allowed)
        return {"error_over_tolerance": error / allowed}

    result = search(ctx, problem(), prop, fraction=0.5, label="tight")
    return property_outcome(result, note=f"{tight['skipped']} near-identical pairs skipped")


def squared_norm(x: np.ndarray) -> np.ndarray:
    """f(x) = ‖x‖² = ⟨I, x⊗x⟩: norm ‖I‖_F = √d in the RKHS of (xᵀy)², not in the linear kernel's RKHS."""
    return np.einsum("ij,ij->i", x, x)


@checks.add("function-outside-rkhs", Kind.COUNTEREXAMPLE)
def function_outside_rkhs(ctx, f=squared_norm, claimed_norm=lambda d: float(np.sqrt(d))) -> Outcome:
    """Drop 'f ∈ H_k': measure MMD with the linear kernel but take f(x) = ‖x‖² (whose norm in the
    degree-2 polynomial RKHS is √d). With S = mean(T) + c·(T − mean(T)), c ≠ 1, the means agree
    (linear MMD = 0) yet E_T f ≠ E_S f, so |E_T f − E_S f| > √d · MMD_lin."""

    @st.composite
    def spread_pair(draw):
        X, a = draw(weighted_pair(min_points=2))[:2]
        return X, a, draw(st.sampled_from([0.0, 0.5, 2.0]))

    def prop(example):
        X, a, c = example
        centre = a @ X
        Y = centre + c * (X - centre)
        k = LinearKernel()
        gap = abs(a @ f(X) - a @ f(Y))
        rhs = claimed_norm(X.shape[1]) * mmd(X, Y, k, weights_T=a, weights_S=a)
        tol = bound_tolerance(k, np.vstack([X, Y]), 2.0, claimed_norm(X.shape[1]))
        if gap > rhs + tol:
            raise Violation(f"|E_T f − E_S f| = {gap:.3g} > {rhs:.3g} = claimed ‖f‖ · MMD_lin",
                            gap=gap, bound=rhs, tolerance=tol)
        return None

    return counterexample_outcome(search(ctx, spread_pair(), prop, fraction=0.5, label="outside"), "f in the RKHS of k")


THEOREM = register(
    Theorem(
        id="selvan-chen/rkhs-bound",
        title="|E_T f − E_S f| ≤ ‖f‖_H · MMD(T, S), tight at the witness",
        source="Selvan & Chen, A Discrepancy-Based Perspective on Dataset Condensation (arXiv:2509.10367); "
               "Gretton et al. (2012), Lemma 4",
        claim=("For every f in the RKHS H of k and weighted empirical measures T, S, the integrals differ by at "
               "most ‖f‖_H · MMD_k(T, S); the normalised witness (μ_T − μ_S)/‖μ_T − μ_S‖_H attains equality."),
        statement=statement,
        assumptions=(
            Assumption("positive-definite kernel", "k is a positive-definite kernel with RKHS H"),
            Assumption("f in the RKHS of k", "f ∈ H with the norm of the same kernel the MMD uses"),
        ),
        checks=checks.freeze(),
        construction=witness,
        conventions="MMD is the biased V-statistic between the weighted empirical measures; f = Σ αₗ k(zₗ, ·)",
    )
)
