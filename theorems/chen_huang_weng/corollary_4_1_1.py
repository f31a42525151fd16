"""Chen, Huang & Weng, Corollary 4.1.1: realistic distilled data closest to real samples.

Statement (rows are examples; the paper's X̂⁺ is our R = G_{λS}(F̂)). Given real samples with features
F̂ ∈ ℝ^{m×p} and their operator R, among all admissible G (those with G Y_S = W, Theorem 4.1) the one
closest to R in Frobenius norm is

    G* = W Y_S⁺ + R(I − Y_S Y_S⁺),   with   ‖G − R‖² = ‖G* − R‖² + ‖G − G*‖²  for every admissible G.

With soft labels Y_S = F̂W (the least-squares labels for R), the part of the gap that the labels
control, W − R Y_S, is as small as any labels can make it: it equals (I − R F̂)W, the component of W
outside the real points' span. (The whole gap ‖(W − RY_S)Y_S⁺‖ also involves Y_S⁺ and is NOT
always smaller than with one-hot labels; we found random cases where it is larger.)

Why: the admissible set is the affine space G* + {H : H Y_S = 0}; G* − R = (W − RY_S)Y_S⁺ has rows in
Range(Y_Sᵀ) while every H has rows orthogonal to it, so Pythagoras applies.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from constructions.krr_distill import admissible_operator, ridge_operator
from theorems import Assumption, Checks, Kind, Outcome, Theorem, Violation, register, search
from theorems.chen_huang_weng._common import CONVENTIONS, SOURCE, build_operator, operator_parameters, operator_problem
from theorems.domains import parametric, tuples
from theorems.searching import property_outcome
from theorems.strategies import BOUNDED
from theorems.tolerances import unit_roundoff


def statement():
    return [sp.Eq(sp.Symbol("G*"), sp.Symbol("W Y_S⁺ + R(I − Y_S Y_S⁺)")),
            sp.Eq(sp.Symbol("‖G − R‖²"), sp.Symbol("‖G* − R‖²") + sp.Symbol("‖G − G*‖²"))]


def closest_admissible(W, Y_S, R):
    """G* = W Y_S⁺ + R(I − Y_S Y_S⁺)."""
    return admissible_operator(W, Y_S, R)


def soft_labels(F_hat, W):
    """Y_S = F̂ W: the labels the trained model gives the real points."""
    return F_hat @ W


@st.composite
def real_problem(draw):
    """(W, Y_S, F̂, H) with F̂ m×p real features (m ≤ p) and a random direction H (p×m)."""
    W, Y_S, _ = draw(operator_problem(extra=(0, 3)))
    m, p = Y_S.shape[0], W.shape[0]
    F_hat = draw(arrays(np.float64, (m, p), elements=BOUNDED)) + np.eye(m, p)
    H = draw(arrays(np.float64, (p, m), elements=BOUNDED))
    return W, Y_S, F_hat, H


def real_domain():
    """The domain of :func:`real_problem`: the grid of ``operator_problem`` (k, m, p, κ(W), κ(Y_S), scales),
    F̂ and H drawn with the same entries as the strategy draws."""

    def build(params, rng):
        W, Y_S, _ = build_operator(params, rng)
        m, p = Y_S.shape[0], W.shape[0]
        return W, Y_S, rng.uniform(-1.0, 1.0, (m, p)) + np.eye(m, p), rng.uniform(-1.0, 1.0, (p, m))

    return parametric(real_problem(), tuples(*operator_parameters(extra=(0, 3))), build,
                      description="(W, Y_S, F̂, H): operator_problem's grid, F̂ = I + U[−1, 1] entries")


checks = Checks()


@checks.add("closest-admissible", Kind.PROPERTY)
def closest_check(ctx, closest=closest_admissible) -> Outcome:
    """G* Y_S = W (admissible) and for a random admissible G = G* + H(I − Y_S Y_S⁺):
    ‖G − R‖² − ‖G* − R‖² − ‖G − G*‖² = 0 within 20·size·u·S·(sum of the distances), S = ‖G‖ + ‖R‖ + ‖G*‖
    (the rounding of the three squared distances), so no admissible
    G is closer (also checked for λ_S = 0 and λ_S = 1 operators R)."""

    def prop(args):
        W, Y_S, F_hat, H = args
        worst = 0.0
        for lam_s in (0.0, 1.0):
            R = ridge_operator(F_hat, lam_s)
            G_star = closest(W, Y_S, R)
            G = admissible_operator(W, Y_S, H) - admissible_operator(W, Y_S) + G_star
            size = max(G.shape)
            scale = np.linalg.norm(G_star, 2) * np.linalg.norm(Y_S, 2) + np.linalg.norm(W, 2)
            admissible = np.linalg.norm(G_star @ Y_S - W, 2) / scale
            # Y_S⁺ is computed with relative error ≈ κ(Y_S)·u; 10·size for the products around it
            if admissible > 10 * size * unit_roundoff() * np.linalg.cond(Y_S):
                raise Violation("G* is not admissible: G* Y_S ≠ W", error=admissible)
            far, near, step = (np.linalg.norm(G - R) ** 2, np.linalg.norm(G_star - R) ** 2, np.linalg.norm(G - G_star) ** 2)
            # each distance is computed with absolute error ≈ size·u·S, S = ‖G‖ + ‖R‖ + ‖G*‖, so each
            # square errs by ≈ 2·size·u·S·distance; 10× for the few operations in between
            S = np.linalg.norm(G) + np.linalg.norm(R) + np.linalg.norm(G_star)
            u_s = size * unit_roundoff() * S
            tol = 10 * (2 * u_s * (np.sqrt(far) + np.sqrt(near) + np.sqrt(step)) + 3 * u_s**2)
            gap = abs(far - near - step)
            if gap > tol or far < near - tol:
                raise Violation(f"an admissible G is closer to R than G* (gap {gap:.3g} > {tol:.3g})",
                                distance_star=np.sqrt(near), distance_other=np.sqrt(far))
            worst = max(worst, gap / tol if tol > 0 else 0.0)
        return {"pythagoras_gap_over_tolerance": worst}

    return property_outcome(search(ctx, real_domain(), prop, fraction=0.3, label="closest"))


@checks.add("soft-labels-minimise-residual", Kind.PROPERTY)
def soft_label_check(ctx, labels=soft_labels) -> Outcome:
    """With R = F̂⁺, the soft labels make W − R Y_S = (I − R F̂)W, and no other labels (one-hot, or
    the soft ones plus a random perturbation) leave a smaller residual ‖W − R Y‖ (slack 10·size·u·‖W‖)."""

    def prop(args):
        W, Y_S, F_hat, H = args
        R = ridge_operator(F_hat, 0.0)
        soft = labels(F_hat, W)
        residual = np.linalg.norm(W - R @ soft)
        slack = 10 * max(R.shape) * unit_roundoff() * np.linalg.norm(W) * max(1.0, np.linalg.norm(R, 2) * np.linalg.norm(F_hat, 2))
        others = [Y_S, soft + H[: soft.shape[0], : soft.shape[1]] if H.shape[0] >= soft.shape[0] else Y_S]
        for other in others:
            if np.linalg.norm(W - R @ other) < residual - slack:
                raise Violation("other labels leave a smaller residual than the soft labels",
                                soft=residual, other=np.linalg.norm(W - R @ other))
        projected = np.linalg.norm((W - R @ (F_hat @ W)) - (W - R @ soft))
        if projected > slack:
            raise Violation("W − R Y_S is not (I − R F̂)W", error=projected)
        return {"residual_over_norm_w": residual / np.linalg.norm(W)}

    return property_outcome(search(ctx, real_domain(), prop, fraction=0.1, label="soft"))


THEOREM = register(
    Theorem(
        id="chen-huang-weng/corollary-4.1.1",
        title="Realistic distilled data: the admissible operator closest to real samples",
        source=f"{SOURCE}, Corollary 4.1.1",
        claim=("Among all G with G Y_S = W, G* = W Y_S⁺ + R(I − Y_S Y_S⁺) is closest to the real samples' "
               "operator R; soft labels Y_S = F̂W minimise the label-controlled residual W − R Y_S."),
        statement=statement,
        assumptions=(Assumption("rank Y_S = k", "labels of full column rank, m ≥ k"),),
        checks=checks.freeze(),
        construction=closest_admissible,
        conventions=CONVENTIONS,
    )
)
