"""Chen, Huang & Weng, Theorem 4.2: distilling only the labels, the points X_S being fixed.

Statement (rows are examples). Fix X_S ∈ ℝ^{m×p} and λ_S ≥ 0 and let G = G_{λS}(X_S) ∈ ℝ^{p×m}.
If m ≥ p and rank X_S = p, the labels

    Y_S = X_{λS} W,   X_{λS} := X_S + λ_S (X_S⁺)ᵀ,

give W_S = G Y_S = W exactly. If m < p (or rank X_S < p) exact recovery fails for a general W; the
least-squares labels Y_S = G⁺W are the best possible and leave the error
‖W_S − W‖ = ‖(I − P)W‖, P the orthogonal projector onto the row space of X_S.

Why: (X_SᵀX_S + λI)⁻¹X_Sᵀ(X_S + λX_S⁺ᵀ) = (X_SᵀX_S + λI)⁻¹(X_SᵀX_S + λI) = I when X_S⁺X_S = I;
in general Range(G) is the row space of X_S, so G Y can only reach P W.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from constructions.krr_distill import ridge_operator
from theorems import Assumption, Checks, Kind, Outcome, Theorem, Violation, register, search
from theorems.chen_huang_weng._common import CONVENTIONS, SCALES, SOURCE, condition
from theorems.domains import Domain, integers, interval, parametric, sampled, tuples
from theorems.searching import counterexample_outcome, property_outcome, within
from theorems.strategies import BOUNDED, conditioned_matrix, with_condition
from theorems.tolerances import normal_equation_error_bound, unit_roundoff


def statement():
    return [sp.Eq(sp.Symbol("Y_S"), sp.Symbol("(X_S + λ_S X_S⁺ᵀ) W")),
            sp.Eq(sp.Symbol("min_Y ‖G_λS(X_S) Y − W‖"), sp.Symbol("‖(I − P_rowspace(X_S)) W‖"))]


def exact_labels(X_S, W, lam_s):
    """Y_S = (X_S + λ_S X_S⁺ᵀ) W (Theorem 4.2, m ≥ p, rank X_S = p)."""
    return (X_S + lam_s * np.linalg.pinv(X_S).T) @ W


def least_squares_labels(X_S, W, lam_s):
    """Y_S = G⁺ W, the labels minimising ‖G Y − W‖_F."""
    return np.linalg.pinv(ridge_operator(X_S, lam_s)) @ W


checks = Checks()


@checks.add("inverse-identity", Kind.SYMBOLIC)
def inverse_identity(ctx, labels_matrix=lambda X, lam: X + lam * X.inv().T) -> Outcome:
    """sympy, for a symbolic invertible 2×2 X_S and symbolic λ_S: (X_SᵀX_S + λ_S I)⁻¹X_Sᵀ·X_{λS} = I exactly."""
    lam = sp.Symbol("lambda_S", positive=True)
    X = sp.Matrix(2, 2, sp.symbols("x0:4"))
    product = (X.T * X + lam * sp.eye(2)).inv() * X.T * labels_matrix(X, lam)
    residual = (product - sp.eye(2)).applyfunc(lambda e: sp.simplify(sp.factor(e)))
    exact = all(e == 0 for e in residual)
    return Outcome.decide(exact, None if exact else {"residual": str(residual)}, "" if exact else "G·X_λ ≠ I")


#: λ_S values drawn, the ends first.
RIDGES = [0.0, 10.0, 1e-2, 1.0]


@st.composite
def label_problem(draw, tall: bool):
    """(X_S m×p with κ(X_S) ≤ 100, W p×k, λ_S): m ∈ [p, p + 4] when ``tall``, else m ∈ [1, p − 1]; p ∈ [2, 6], k ≤ 4."""
    k = draw(st.integers(min_value=1, max_value=4))
    p = draw(st.integers(min_value=2, max_value=6))
    m = draw(st.integers(min_value=p, max_value=p + 4)) if tall else draw(st.integers(min_value=1, max_value=p - 1))
    X_S = draw(conditioned_matrix(m, p, 1e2))
    W = draw(arrays(np.float64, (p, k), elements=BOUNDED)) + np.eye(p, k)
    lam_s = draw(st.sampled_from(RIDGES))
    return X_S, W, lam_s


def label_domain(tall: bool) -> Domain:
    """The domain of :func:`label_problem`: k, p, m (a fraction of its range), κ(X_S) ∈ {1, 10, 100}, its
    scale and λ_S at their ends and interior; entries drawn as the strategy draws them."""

    def build(params, rng):
        k, p, m_fraction, kappa, scale, lam_s = params
        m = p + int(round(m_fraction * 4)) if tall else 1 + int(round(m_fraction * (p - 2)))
        X_S = with_condition(rng.uniform(-1.0, 1.0, (m, p)) + 1e-3 * np.eye(m, p), kappa, None, scale)
        return X_S, rng.uniform(-1.0, 1.0, (p, k)) + np.eye(p, k), lam_s

    parameters = tuples(integers(1, 4), integers(2, 6), interval(0.0, 1.0, points=3),
                        interval(1.0, 1e2, points=3, log=True), sampled(SCALES), sampled(RIDGES))
    return parametric(label_problem(tall), parameters, build,
                      description=f"(X_S, W, λ_S): p ≤ 6, {'p ≤ m ≤ p + 4' if tall else 'm < p'}, κ(X_S) ≤ 100")


def _bound(X_S, Y_S, W, lam_s):
    """Rounding bound of the retraining (normal equations) plus the relative error κ(X_S)² u in the labels."""
    smallest = np.linalg.eigvalsh(X_S.T @ X_S)[0] + lam_s
    retrain = normal_equation_error_bound(np.linalg.norm(X_S, 2), np.linalg.norm(Y_S), np.linalg.norm(W), smallest,
                                          max(X_S.shape))
    return retrain + 10 * max(X_S.shape) * unit_roundoff() * condition(X_S) ** 2 * np.linalg.norm(W)


@checks.add("exact-labels", Kind.PROPERTY)
def exact_labels_check(ctx, labels=exact_labels) -> Outcome:
    """For m ≥ p and rank X_S = p (κ ≤ 100), λ_S ∈ {0, 0.01, 1, 10}: the model retrained on
    (X_S, ``labels``) equals W within the rounding bound of the normal equations plus κ(X_S)²·u."""

    def prop(args):
        X_S, W, lam_s = args
        Y_S = labels(X_S, W, lam_s)
        W_s = ridge_operator(X_S, lam_s) @ Y_S
        error, bound = np.linalg.norm(W_s - W), _bound(X_S, Y_S, W, lam_s)
        within(error, bound, "W_S ≠ W beyond the rounding bound")
        # W = 0 (allowed: W is any p×k matrix) has bound 0 and, then, error 0
        return {"error_over_bound": error / bound if bound > 0 else 0.0}

    return property_outcome(search(ctx, label_domain(True), prop, fraction=0.5, label="exact"))


@checks.add("least-squares-error", Kind.PROPERTY)
def least_squares_check(ctx, labels=least_squares_labels) -> Outcome:
    """For m < p: the labels leave exactly the stated error ‖(I − P)W‖ (P onto the row space of X_S),
    and a random perturbation of them never does better (slack: the same rounding bound)."""

    def prop(args):
        X_S, W, lam_s = args
        Y_S = labels(X_S, W, lam_s)
        G = ridge_operator(X_S, lam_s)
        error = np.linalg.norm(G @ Y_S - W)
        basis = np.linalg.svd(X_S, full_matrices=False)[2]
        stated = np.linalg.norm(W - basis.T @ (basis @ W))
        slack = _bound(X_S, Y_S, W, lam_s) * max(1.0, condition(G))
        perturbed = np.linalg.norm(G @ (Y_S + 0.01 * np.roll(np.eye(*Y_S.shape), 1, 0)) - W)
        if not (abs(error - stated) <= slack and perturbed >= error - slack):
            raise Violation(f"error {error:.6g} ≠ stated {stated:.6g} or beaten by {perturbed:.6g}",
                            error=error, stated=stated, perturbed=perturbed)
        # W = 0 (allowed) has slack 0 and, then, error = stated = 0
        return {"error_minus_stated_over_slack": abs(error - stated) / slack if slack > 0 else 0.0}

    return property_outcome(search(ctx, label_domain(False), prop, fraction=0.25, label="lsq"))


@checks.add("too-few-points", Kind.COUNTEREXAMPLE)
def too_few_points(ctx, points_short=1) -> Outcome:
    """Drop 'm ≥ p, rank X_S = p': with m = p − ``points_short`` points, every label matrix leaves
    ‖W_S − W‖ ≥ ‖(I − P)W‖; the search exhibits W where that floor exceeds rounding."""

    def drop_points(example):
        X_S, W, lam_s = example
        m = X_S.shape[1] - points_short
        return X_S[:max(m, 0)] if m > 0 else X_S[:0], W, lam_s

    def prop(args):
        X_S, W, lam_s = args
        if X_S.shape[0] == 0:
            return None
        basis = np.linalg.svd(X_S, full_matrices=False)[2]
        rank = int(np.sum(np.linalg.svd(X_S, compute_uv=False) > 10 * max(X_S.shape) * unit_roundoff() * np.linalg.norm(X_S, 2)))
        floor = np.linalg.norm(W - basis[:rank].T @ (basis[:rank] @ W))
        Y_S = least_squares_labels(X_S, W, lam_s)
        miss = np.linalg.norm(ridge_operator(X_S, lam_s) @ Y_S - W)
        rounding = 10 * max(X_S.shape) * unit_roundoff() * np.linalg.norm(W) * condition(X_S) ** 2
        if floor > rounding and miss >= floor - rounding:
            raise Violation(f"{X_S.shape[0]} < p = {X_S.shape[1]} points: best labels miss W by {miss:.3g}",
                            points=X_S.shape[0], p=X_S.shape[1], floor=floor)
        return None

    return counterexample_outcome(search(ctx, label_domain(True).map(drop_points), prop, fraction=0.1, label="few"), "m ≥ p and rank X_S = p")


THEOREM = register(
    Theorem(
        id="chen-huang-weng/theorem-4.2",
        title="Label-only distillation with fixed points",
        source=f"{SOURCE}, Theorem 4.2",
        claim=("With X_S fixed, m ≥ p and rank X_S = p, labels Y_S = (X_S + λ_S X_S⁺ᵀ)W give W_S = W; for m < p "
               "the least-squares labels are optimal and leave the error ‖(I − P)W‖."),
        statement=statement,
        assumptions=(Assumption("m ≥ p and rank X_S = p", "the fixed points span the feature space"),),
        checks=checks.freeze(),
        construction=exact_labels,
        conventions=CONVENTIONS,
    )
)
