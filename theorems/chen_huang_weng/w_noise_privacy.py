"""The project's own private-distillation mechanism: Gaussian noise on the model W (not the paper's).

Chen, Huang & Weng's Theorem 6.2 (:mod:`.theorem_6_2`) adds the noise through the free part Z of the
distilled set. This module registers a different, simpler mechanism of our own and its proof; it is
not the paper's claim.

Setting (rows are examples). Linear least squares (λ = 0), one-hot labels, X ∈ ℝ^{n×d} with
‖xᵢ‖ ≤ B and σ_min(X) ≥ σ₀ > 0; neighbouring datasets replace one example (x, y) by (x', y') and
both satisfy the hypotheses. The mechanism releases the distilled set built (Theorem 4.1, m > k,
Gaussian Z) from W̃ = W + N, N with i.i.d. N(0, s²) entries; the distilled set is post-processing
of W̃, so it (and each of its rows) is (ε, δ)-DP when W̃ is.

Sensitivity (our derivation). With A = XᵀX, b = XᵀY:
W − W' = A⁻¹[(b − b') + (A' − A)W'], ‖A⁻¹‖ ≤ 1/σ₀², ‖b − b'‖_F ≤ 2B, and
‖(A' − A)W'‖_F ≤ ‖x'‖‖W'ᵀx'‖ + ‖x‖‖W'ᵀx‖ ≤ 2B²‖W'‖₂ ≤ 2B²√n/σ₀ (‖Y'‖₂ ≤ √n), so

    Δ = ‖W − W'‖_F ≤ (2B + 2B²√n/σ₀)/σ₀².

Gaussian mechanism (see :mod:`._privacy`): s ≥ Δ√(2 ln(1.25/δ))/ε gives (ε, δ)-DP for 0 < ε < 1.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from constructions.krr import fit_ridge_full_lambda
from constructions.krr_distill import admissible_operator, features_from_operator
from theorems import Assumption, Checks, Kind, Outcome, Theorem, Violation, register, search
from theorems.chen_huang_weng._common import CONVENTIONS, SOURCE, condition
from theorems.chen_huang_weng._privacy import exact_delta, exact_delta_rounding, gaussian_noise_scale
from theorems.domains import Domain, integers, interval, parametric, sampled, tuples
from theorems.outcome import Verdict
from theorems.searching import property_outcome
from theorems.tolerances import unit_roundoff


def statement():
    B, s0, n = sp.symbols("B sigma_0 n", positive=True)
    eps, delta = sp.symbols("epsilon delta", positive=True)
    sensitivity = (2 * B + 2 * B**2 * sp.sqrt(n) / s0) / s0**2
    return [sp.Le(sp.Symbol("‖W − W'‖_F"), sensitivity),
            sp.Ge(sp.Symbol("s"), sensitivity * sp.sqrt(2 * sp.log(sp.Rational(5, 4) / delta)) / eps)]


def sensitivity_bound(B: float, sigma_0: float, n: int) -> float:
    """Δ = (2B + 2B²√n/σ₀)/σ₀² (see the module docstring)."""
    return (2 * B + 2 * B**2 * np.sqrt(n) / sigma_0) / sigma_0**2


def private_distillation(X, Y, m: int, epsilon: float, delta: float, B: float, sigma_0: float,
                         rng: np.random.Generator):
    """The mechanism: W̃ = W + N(0, s²) with s = Δ√(2 ln(1.25/δ))/ε, then Theorem 4.1's X_S = G⁺ with
    m > k points (one-hot labels cycling over the classes, Gaussian Z). Returns (X_S, Y_S, s)."""
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    if np.max(np.linalg.norm(X, axis=1)) > B * (1 + 1e-12):
        raise ValueError(f"an example has norm above B = {B}")
    if np.linalg.svd(X, compute_uv=False)[-1] < sigma_0:
        raise ValueError(f"σ_min(X) is below σ₀ = {sigma_0}: the sensitivity bound does not apply")
    k = Y.shape[1]
    if m <= k:
        raise ValueError(f"the mechanism needs m > k = {k} distilled points, got m = {m}")
    s = gaussian_noise_scale(sensitivity_bound(B, sigma_0, X.shape[0]), epsilon, delta)
    W_noisy = fit_ridge_full_lambda(X, Y, 0.0) + rng.normal(scale=s, size=(X.shape[1], k))
    Y_S = np.eye(k)[np.arange(m) % k]
    F_S, _ = features_from_operator(admissible_operator(W_noisy, Y_S, rng.normal(size=(X.shape[1], m))))
    return F_S, Y_S, s


def neighbour_example(params, rng: np.random.Generator):
    """(X, Y, X', Y', B) from the parameters (k, d, n_fraction, κ, weakest): n = d + 2 + round(n_fraction·(10 − d))
    ∈ [d + 2, 12] rows with Gaussian singular vectors and singular values from 1 down to 1/κ, B the largest row
    norm, random labels; X' replaces row 0 by a point of norm B (along X's weakest direction, or random) with
    the next label."""
    k, d, n_fraction, kappa, weakest = params
    n = d + 2 + int(round(n_fraction * (10 - d)))
    U, _ = np.linalg.qr(rng.normal(size=(n, d)))
    V, _ = np.linalg.qr(rng.normal(size=(d, d)))
    X = (U * np.geomspace(1.0, 1.0 / kappa, d)) @ V.T
    B = float(np.max(np.linalg.norm(X, axis=1)))
    labels = rng.integers(0, k, size=n)
    direction = np.linalg.svd(X)[2][-1] if weakest else rng.normal(size=d)
    X_other = X.copy()
    X_other[0] = B * direction / np.linalg.norm(direction)
    labels_other = labels.copy()
    labels_other[0] = (labels[0] + 1) % k
    return X, np.eye(k)[labels], X_other, np.eye(k)[labels_other], B


@st.composite
def neighbours(draw):
    """:func:`neighbour_example` from hypothesis's draws of the parameters and of the entries' seed."""
    params = (draw(st.integers(2, 3)), draw(st.integers(2, 4)), draw(st.floats(0.0, 1.0)), draw(st.floats(1.0, 10.0)),
              draw(st.booleans()))
    return neighbour_example(params, np.random.default_rng(draw(st.integers(0, 2**32 - 1))))


def neighbour_domain() -> Domain:
    """k ∈ {2, 3}, d ∈ {2, 3, 4}, n ∈ [d + 2, 12], κ(X) ∈ [1, 10], the replacement along the weakest direction
    or at random: the grid holds every corner (k, d, n at both ends, κ = 1 and κ = 10, both replacements) and
    each axis's values with the others at their midpoints."""
    parameters = tuples(integers(2, 3), integers(2, 4), interval(0.0, 1.0, points=3),
                        interval(1.0, 10.0, points=3, log=True), sampled([True, False]))
    return parametric(neighbours(), parameters, neighbour_example,
                      description="(X, Y, X', Y', B): k ≤ 3, d ≤ 4, d + 2 ≤ n ≤ 12, κ(X) ≤ 10")


def observed_change(X, Y, X_other, Y_other) -> tuple[float, float]:
    """(‖W − W'‖_F, σ₀ = min(σ_min(X), σ_min(X')))."""
    W, W_other = fit_ridge_full_lambda(X, Y, 0.0), fit_ridge_full_lambda(X_other, Y_other, 0.0)
    sigma_0 = min(np.linalg.svd(X, compute_uv=False)[-1], np.linalg.svd(X_other, compute_uv=False)[-1])
    return float(np.linalg.norm(W - W_other)), float(sigma_0)


checks = Checks()


@checks.add("sensitivity-bound", Kind.PROPERTY)
def sensitivity_check(ctx, sensitivity=sensitivity_bound) -> Outcome:
    """On neighbouring datasets (adversarial replacement along X's weakest direction, κ ≤ 10) the observed
    ‖W − W'‖_F never exceeds the Δ used to calibrate the noise (slack 10·n·u·κ² relative for the two solves)."""

    def prop(args):
        X, Y, X_other, Y_other, B = args
        change, sigma_0 = observed_change(X, Y, X_other, Y_other)
        bound = sensitivity(B, sigma_0, X.shape[0])
        slack = 1 + 10 * X.shape[0] * unit_roundoff() * max(condition(X), condition(X_other)) ** 2
        if not (change <= bound * slack):
            raise Violation(f"observed change {change:.4g} exceeds the bound {bound:.4g}", change=change, bound=bound)
        return {"change_over_bound": change / bound}

    return property_outcome(search(ctx, neighbour_domain(), prop, fraction=0.5, label="sensitivity"))


@checks.add("gaussian-mechanism-privacy", Kind.PROPERTY)
def mechanism_check(ctx, scale=gaussian_noise_scale) -> Outcome:
    """For ε ∈ {0.1, 0.5, 0.9}, δ ∈ {10⁻⁵, 10⁻³}: with the noise s = ``scale``(Δ, ε, δ), the exact privacy
    loss of the Gaussian mechanism at the observed shift ‖W − W'‖_F, δ(ε) (Balle & Wang), is ≤ δ
    (plus the rounding of δ(ε), see ``exact_delta_rounding``)."""

    def prop(args):
        X, Y, X_other, Y_other, B = args
        change, sigma_0 = observed_change(X, Y, X_other, Y_other)
        worst = 0.0
        for epsilon in (0.1, 0.5, 0.9):
            for delta in (1e-5, 1e-3):
                s = scale(sensitivity_bound(B, sigma_0, X.shape[0]), epsilon, delta)
                achieved = exact_delta(change, s, epsilon)
                if not (achieved <= delta + exact_delta_rounding(change, s, epsilon)):
                    raise Violation(f"(ε = {epsilon}) the mechanism's δ is {achieved:.3g} > {delta}",
                                    epsilon=epsilon, delta=delta, achieved=achieved)
                worst = max(worst, achieved / delta)
        return {"achieved_delta_over_delta": worst}

    return property_outcome(search(ctx, neighbour_domain(), prop, fraction=0.25, label="mechanism"))


def ill_conditioned_neighbours(condition_number: float, extra_rows: int):
    """A fixed pair of neighbours with κ(X) = ``condition_number`` (d = 2, n = 2 + extra_rows, B = 1).

    X has rows (0, t), then 1 + extra_rows copies of (1, 0)/√(1 + extra_rows) and a zero row, so
    σ_max = 1 and σ_min = t = 1/κ; the lone example along the weak direction carries class 1, and the
    neighbour replaces it by (0, 1) with class 0. W's weak-direction row is y₀/t before and y₀'
    after, so ‖W − W'‖_F ≥ 1/t − 1 = κ − 1."""
    strong = 1 + extra_rows
    X = np.vstack([[0.0, 1.0 / condition_number], np.tile([1.0 / np.sqrt(strong), 0.0], (strong, 1)), [0.0, 0.0]])
    labels = np.array([1] + [0] * strong + [1])
    X_other, labels_other = X.copy(), labels.copy()
    X_other[0], labels_other[0] = [0.0, 1.0], 0
    return X, np.eye(2)[labels], X_other, np.eye(2)[labels_other], 1.0


@checks.add("ill-conditioned-data", Kind.COUNTEREXAMPLE)
def ill_conditioned(ctx, max_condition=1e4) -> Outcome:
    """Drop 'σ_min(X) > σ₀': calibrate with the nominal σ₀ = ‖X‖₂/10 (what a κ ≤ 10 promise would give)
    while the data have κ = ``max_condition``. On the constructed neighbours of
    ``ill_conditioned_neighbours`` (n = 4, 6, 8) the change ‖W − W'‖_F ≥ κ − 1 exceeds the nominal Δ
    on every size, so without the assumption the noise no longer covers the sensitivity. (With κ ≤ 10 the
    assumption holds and the change stays below Δ.)"""
    cases = []
    for extra_rows in (1, 3, 5):
        X, Y, X_other, Y_other, B = ill_conditioned_neighbours(max_condition, extra_rows)
        change, _ = observed_change(X, Y, X_other, Y_other)
        nominal = sensitivity_bound(B, np.linalg.norm(X, 2) / 10, X.shape[0])
        cases.append((change, nominal, X.shape[0]))
    exceeded = [change > nominal for change, nominal, _ in cases]
    change, nominal, n = min(cases, key=lambda case: case[0] / case[1])
    figures = {"worst_change_over_nominal": change / nominal, "rows": n, "cases": len(cases)}
    if all(exceeded):
        return Outcome(Verdict.VERIFIED, figures, None,
                       f"without 'σ_min(X) > σ₀': change {change:.4g} > nominal Δ {nominal:.4g} (n = {n}) on every case")
    return Outcome.falsified(note=f"the nominal Δ covered the change on {exceeded.count(False)} of {len(cases)} cases",
                             **figures)


THEOREM = register(
    Theorem(
        id="chen-huang-weng/w-noise-privacy",
        title="Project variant (not the paper's mechanism): Gaussian noise on the model W, then distillation",
        source=f"this project, after {SOURCE}, Section 6 (the paper's own mechanism is chen-huang-weng/theorem-6.2)",
        claim=("With ‖xᵢ‖ ≤ B, σ_min(X) ≥ σ₀, m > k and Gaussian noise on W of scale ≥ Δ√(2 ln(1.25/δ))/ε, "
               "Δ = (2B + 2B²√n/σ₀)/σ₀², the distilled set is (ε, δ)-DP; the observed change of W on "
               "neighbouring datasets never exceeds Δ."),
        statement=statement,
        assumptions=(
            Assumption("‖xᵢ‖ ≤ B", "bounded examples"),
            Assumption("σ_min(X) > σ₀", "the data (and every neighbour) are well conditioned"),
            Assumption("m > k", "the distilled set has a Gaussian free part Z"),
        ),
        checks=checks.freeze(),
        construction=private_distillation,
        conventions=CONVENTIONS + "; λ = 0; neighbours replace one example",
    )
)
