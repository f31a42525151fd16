"""Chen, Huang & Weng, Theorem 6.1: the analytic distilled set and KIP's loss.

Statement (rows are examples). KIP minimises over (X_S, Y_S)

    L(X_S, Y_S) = ‖K_XS (K_SS + λ_S I)⁻¹ Y_S − Y‖²_F,   K_XS = F F_Sᵀ, K_SS = F_S F_Sᵀ,

which is the training loss ‖F W_S − Y‖² of the model W_S = G_{λS}(F_S) Y_S retrained on the distilled
set. With φ(X) = F of full rank and λ = 0 (so W = F⁺Y):

* n ≤ p (F has full row rank): W interpolates, F W = Y, so the set of Theorem 5.1 (W_S = W) has
  L = 0;
* n ≥ p (F has full column rank): L(X_S, Y_S) = ‖F(W_S − W)‖² + ‖FW − Y‖², so the least possible
  loss ‖FW − Y‖² is reached iff W_S = W — the Theorem 5.1 condition is necessary (and zero loss is
  possible only when Y ∈ Range(F)).

Why: the residual FW − Y is orthogonal to Range(F) when W = F⁺Y (λ = 0), hence Pythagoras, and F
injective turns F(W_S − W) = 0 into W_S = W.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from constructions.krr import fit_ridge_full_lambda
from constructions.krr_distill import admissible_operator, features_from_operator
from theorems import Assumption, Checks, Kind, Outcome, Theorem, Violation, register, search
from theorems.chen_huang_weng._common import CONVENTIONS, SOURCE, condition
from theorems.domains import Domain, integers, interval, parametric, tuples
from theorems.searching import counterexample_outcome, property_outcome
from theorems.strategies import with_condition
from theorems.tolerances import unit_roundoff


def statement():
    return [sp.Eq(sp.Symbol("L(X_S, Y_S)"), sp.Symbol("‖F(W_S − W)‖²") + sp.Symbol("‖FW − Y‖²")),
            sp.Implies(sp.Symbol("n ≤ p, λ = 0"), sp.Eq(sp.Symbol("L(analytic set)"), 0))]


def kip_loss(F, Y, F_S, Y_S, lam_s: float) -> float:
    """‖K_XS (K_SS + λ_S I)⁻¹ Y_S − Y‖²_F in kernel form (no W formed)."""
    K_xs, K_ss = F @ F_S.T, F_S @ F_S.T
    if lam_s == 0:
        predictions = K_xs @ np.linalg.pinv(K_ss) @ Y_S
    else:
        predictions = K_xs @ np.linalg.solve(K_ss + lam_s * np.eye(K_ss.shape[0]), Y_S)
    return float(np.linalg.norm(predictions - Y) ** 2)


def analytic_set(F, Y, lam: float, rng):
    """Theorem 5.1's distilled features for φ = identity on the features: one point per class."""
    W = fit_ridge_full_lambda(F, Y, lam)
    Y_S = np.eye(Y.shape[1])
    F_S, lam_s = features_from_operator(admissible_operator(W, Y_S))
    return F_S, Y_S, lam_s, W


MAX_CONDITION = 30.0
"""The largest κ(F) the checks draw."""


def kip_example(params, rng: np.random.Generator, wide: bool):
    """(F, Y, rng) from the parameters (k, size_fraction, extra, κ): wide, n = k + round(size_fraction·(8 − k))
    and p = n + extra (n ≤ p, equality at extra = 0); tall, p = k + round(size_fraction·(6 − k)) and
    n = p + extra (n ≥ p). F has Gaussian singular vectors and singular values from 1 down to 1/κ (full rank),
    Y is one-hot with every class present; ``rng`` is returned for the checks' own draws."""
    k, size_fraction, extra, kappa = params
    if wide:
        n = k + int(round(size_fraction * (8 - k)))
        p = n + extra
    else:
        p = k + int(round(size_fraction * (6 - k)))
        n = p + extra
    F = with_condition(rng.normal(size=(n, p)), kappa)
    labels = np.concatenate([np.arange(k), rng.integers(0, k, size=n - k)])
    return F, np.eye(k)[labels], rng


@st.composite
def kip_problem(draw, wide: bool):
    """:func:`kip_example` from hypothesis's draws of the parameters and of the entries' seed."""
    params = (draw(st.integers(2, 3)), draw(st.floats(0.0, 1.0)), draw(st.integers(0, 3 if wide else 8)),
              draw(st.floats(1.0, MAX_CONDITION)))
    return kip_example(params, np.random.default_rng(draw(st.integers(0, 2**32 - 1))), wide)


def kip_domain(wide: bool) -> Domain:
    """k ∈ {2, 3}; wide: k ≤ n ≤ 8, p − n ∈ {0, …, 3}; tall: k ≤ p ≤ 6, n − p ∈ {0, …, 8}; κ(F) ∈ [1, 30].
    The grid holds every corner (square F, the smallest and largest sizes, κ = 1 and κ = 30) and each
    axis's values with the others at their midpoints."""
    parameters = tuples(integers(2, 3), interval(0.0, 1.0, points=3), integers(0, 3 if wide else 8, points=3),
                        interval(1.0, MAX_CONDITION, points=3, log=True))
    shape = "n ≤ p ≤ n + 3, n ≤ 8" if wide else "p ≤ n ≤ p + 8, p ≤ 6"
    return parametric(kip_problem(wide), parameters, lambda params, rng: kip_example(params, rng, wide),
                      description=f"(F, Y): {shape}, k ∈ {{2, 3}}, κ(F) ≤ {MAX_CONDITION:g}")


def _loss_scale(F, Y) -> float:
    """Rounding scale of a loss value: (10·size·u·κ(F)·‖Y‖)² plus cross terms ≈ 10·size·u·κ(F)‖Y‖²."""
    return 10 * max(F.shape) * unit_roundoff() * condition(F) ** 2 * np.linalg.norm(Y) ** 2


checks = Checks()


@checks.add("zero-loss-when-n-le-p", Kind.PROPERTY)
def zero_loss(ctx, construct=analytic_set) -> Outcome:
    """n ≤ p, λ = 0: the analytic set's KIP loss is 0 within 10·size·u·κ(F)²·‖Y‖² (rounding of the kernel solve)."""

    def prop(args):
        F, Y, rng = args
        F_S, Y_S, lam_s, _ = construct(F, Y, 0.0, rng)
        loss = kip_loss(F, Y, F_S, Y_S, lam_s)
        tol = _loss_scale(F, Y) * condition(F_S) ** 2
        if not (loss <= tol):
            raise Violation(f"KIP loss {loss:.3g} > {tol:.3g} for the analytic set", loss=loss, tolerance=tol)
        return {"loss_over_tolerance": loss / tol}

    return property_outcome(search(ctx, kip_domain(True), prop, fraction=0.25, label="wide"))


@checks.add("minimal-loss-iff-equal-model", Kind.PROPERTY)
def minimal_loss(ctx, construct=analytic_set) -> Outcome:
    """n ≥ p, λ = 0: the analytic set attains the floor ‖FW − Y‖², and for a random other set (perturbed
    features) L − floor equals ‖F(W_S − W)‖² > 0 (Pythagoras; slack from the loss rounding scale)."""

    def prop(args):
        F, Y, rng = args
        F_S, Y_S, lam_s, W = construct(F, Y, 0.0, rng)
        floor = float(np.linalg.norm(F @ W - Y) ** 2)
        slack = _loss_scale(F, Y) * condition(F_S) ** 2
        attained = kip_loss(F, Y, F_S, Y_S, lam_s)
        other = F_S + 0.1 * rng.normal(size=F_S.shape)
        W_other = fit_ridge_full_lambda(other, Y_S, 0.0)
        excess = kip_loss(F, Y, other, Y_S, 0.0) - floor
        predicted = float(np.linalg.norm(F @ (W_other - W)) ** 2)
        if not (abs(attained - floor) <= slack and abs(excess - predicted) <= slack * condition(other) ** 2):
            raise Violation("the analytic set misses the floor or the Pythagorean split fails",
                            attained=attained, floor=floor, excess=excess, predicted=predicted)
        return {"attained_minus_floor_over_slack": abs(attained - floor) / slack}

    return property_outcome(search(ctx, kip_domain(False), prop, fraction=0.25, label="tall"))


@checks.add("ridge-loss-positive", Kind.COUNTEREXAMPLE)
def ridge_loss_positive(ctx, lam=1.0) -> Outcome:
    """Drop 'λ = 0': with λ > 0 and n ≤ p the analytic set still reproduces W (the ridge model), but that
    model does not interpolate, so the KIP loss is positive: the search exhibits a loss above rounding."""

    def prop(args):
        F, Y, rng = args
        F_S, Y_S, lam_s, _ = analytic_set(F, Y, lam, rng)
        loss = kip_loss(F, Y, F_S, Y_S, lam_s)
        tol = _loss_scale(F, Y) * condition(F_S) ** 2
        if loss > tol:
            raise Violation(f"λ = {lam}: KIP loss {loss:.3g} > 0", loss=loss, tolerance=tol)
        return None

    return counterexample_outcome(search(ctx, kip_domain(True), prop, fraction=0.1, label="ridge"), "λ = 0")


THEOREM = register(
    Theorem(
        id="chen-huang-weng/theorem-6.1",
        title="The analytic distilled set and KIP's loss",
        source=f"{SOURCE}, Theorem 6.1",
        claim=("With φ(X) of full rank and λ = 0, the Theorem 5.1 set zeroes the KIP loss when n ≤ p, and "
               "reaching the least KIP loss requires W_S = W when n ≥ p."),
        statement=statement,
        assumptions=(
            Assumption("λ = 0", "the original model is the minimum-norm least-squares fit"),
            Assumption("φ(X) full rank", "the features have full row (n ≤ p) or column (n ≥ p) rank"),
        ),
        checks=checks.freeze(),
        construction=kip_loss,
        conventions=CONVENTIONS + "; KIP loss unnormalised, over the whole training set",
    )
)
