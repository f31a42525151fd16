"""Chen, Huang & Weng, Theorem 6.2 (differential privacy through the free part Z), as the paper states it.

Setting (rows are examples; the paper's D, Y_S⁺, I_m − Y_S⁺Y_S are our Gᵀ, (Y_S⁺)ᵀ, P). Theorem 4.1
with λ = 0: W = X⁺Y, and every distilled set that retrains to W is X_S = G⁺ with
G = W Y_S⁺ + Zᵀ P, P = I_m − Y_S Y_S⁺ (m > k, so P ≠ 0). Row i of the paper's D = Gᵀ is

    Dᵢ = X⁺vᵢ + (P Z)ᵢ,   vᵢ = Y (Y_S⁺)_{:,i} ∈ ℝⁿ,

and with Z_{jl} ~ N(0, σ²) i.i.d. the noise (P Z)ᵢ is N(0, σ²‖Pᵢ‖² I_d). Hypotheses: ‖xⱼ‖ ≤ B,
σ_min(X) > σ₀, Y_S fixed independently of X, 0 < ε, δ < 1. The paper's claim: if

    σ ≥ maxᵢ 2√(ln(1.25/δ)) · B · ‖vᵢ‖ / (σ₀² ε ‖Pᵢ‖),

then each row Dᵢ is (ε, δ)-DP with respect to X (neighbours: X' differs from X in one row, Y fixed).

Row i is a Gaussian mechanism with standard deviation σ‖Pᵢ‖, so the classical calibration
σ‖Pᵢ‖ ≥ √(2 ln(1.25/δ))Δᵢ/ε makes the formula assume the sensitivity

    Δᵢ = √2 · B‖vᵢ‖/σ₀²   (2√(ln(1.25/δ)) = √2 · √(2 ln(1.25/δ))).

What holds (checked in :mod:`.theorem_6_2_replacement`): for replacement neighbours
‖X − X'‖₂ = ‖xⱼ − xⱼ'‖ ≤ 2B and Wedin's bound for full-column-rank matrices gives
‖X⁺vᵢ − X'⁺vᵢ‖ ≤ 2B‖vᵢ‖/(σ_min(X)σ_min(X')), attained by an example alone in its class along the weakest
direction. The paper's Δᵢ is √2 too small there, and the exact privacy loss at the paper's σ exceeds δ
(checks ``row-sensitivity`` and ``row-privacy`` come back falsified, deterministically, on
:func:`outlier_class_neighbours`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from constructions.krr import fit_ridge_full_lambda
from constructions.krr_distill import admissible_operator, features_from_operator
from theorems import Assumption, Checks, Kind, Outcome, Theorem, Violation, register, search
from theorems.chen_huang_weng._common import CONVENTIONS, SOURCE, condition, recovery_ratio
from theorems.chen_huang_weng._privacy import exact_delta, exact_delta_rounding, gaussian_noise_scale
from theorems.domains import Domain, integers, interval, parametric, sampled, tuples
from theorems.searching import property_outcome
from theorems.tolerances import unit_roundoff

#: (ε, δ) pairs at which the privacy of each row is judged
PRIVACY_GRID = tuple((epsilon, delta) for epsilon in (0.1, 0.5, 0.9) for delta in (1e-5, 1e-3))


def statement():
    """The paper's σ, and the sensitivity Δᵢ it implies through the classical calibration."""
    B, s0, eps, delta, v, p = sp.symbols("B sigma_0 epsilon delta ‖v_i‖ ‖P_i‖", positive=True)
    sigma = 2 * sp.sqrt(sp.log(sp.Rational(5, 4) / delta)) * B * v / (s0**2 * eps * p)
    implied = sp.simplify(sigma * p * eps / sp.sqrt(2 * sp.log(sp.Rational(5, 4) / delta)))
    return [sp.Ge(sp.Symbol("σ"), sigma), sp.Eq(sp.Symbol("Δ_i"), implied)]


def _pinv_labels(Y_S) -> np.ndarray:
    Y_S = np.asarray(Y_S, dtype=float)
    m, k = Y_S.shape
    if m <= k:
        raise ValueError(f"Theorem 6.2 needs m > k = {k} distilled points, got m = {m}")
    if np.linalg.matrix_rank(Y_S) < k:
        raise ValueError(f"Theorem 6.2 needs rank Y_S = k = {k}, got rank {np.linalg.matrix_rank(Y_S)}")
    return np.linalg.pinv(Y_S)


def row_label_weights(Y, Y_S) -> np.ndarray:
    """V = Y Y_S⁺ (n×m): column i is vᵢ, the weights of the examples in row i's mean X⁺vᵢ."""
    return np.asarray(Y, dtype=float) @ _pinv_labels(Y_S)


def free_row_norms(Y_S) -> np.ndarray:
    """‖Pᵢ‖ for P = I − Y_S Y_S⁺ (the factor by which row i receives the noise); zero rows are refused."""
    pinv = _pinv_labels(Y_S)
    norms = np.linalg.norm(np.eye(len(pinv.T)) - np.asarray(Y_S, dtype=float) @ pinv, axis=1)
    if np.min(norms) <= 10 * len(norms) * unit_roundoff():
        raise ValueError(f"row {int(np.argmin(norms))} of I − Y_S Y_S⁺ is zero: that row gets no noise (σ = ∞)")
    return norms


def paper_noise_scale(Y, Y_S, B: float, sigma_0: float, epsilon: float, delta: float) -> float:
    """The paper's σ = maxᵢ 2√(ln(1.25/δ)) B‖vᵢ‖/(σ₀² ε ‖Pᵢ‖)."""
    if not (0 < epsilon < 1 and 0 < delta < 1):
        raise ValueError(f"need 0 < ε < 1 and 0 < δ < 1, got ε = {epsilon}, δ = {delta}")
    weights = np.linalg.norm(row_label_weights(Y, Y_S), axis=0)
    return float(np.max(2 * np.sqrt(np.log(1.25 / delta)) * B * weights / (sigma_0**2 * epsilon * free_row_norms(Y_S))))


def implied_sensitivity(sigma: float, Y_S, epsilon: float, delta: float) -> np.ndarray:
    """Δᵢ = σε‖Pᵢ‖/√(2 ln(1.25/δ)): the shift of row i's mean that noise σ covers by the classical calibration."""
    return sigma * epsilon * free_row_norms(Y_S) / np.sqrt(2 * np.log(1.25 / delta))


def row_means(X, Y, Y_S) -> np.ndarray:
    """M (m×d) with row i = X⁺vᵢ: the deterministic part of the paper's D."""
    return (np.linalg.pinv(np.asarray(X, dtype=float)) @ row_label_weights(Y, Y_S)).T


def private_rows(X, Y, Y_S, epsilon: float, delta: float, B: float, sigma_0: float, rng: np.random.Generator):
    """The paper's mechanism: D = (W Y_S⁺ + Zᵀ P)ᵀ with Z_{jl} ~ N(0, σ²), σ = :func:`paper_noise_scale`, and
    the distilled points X_S = (Dᵀ)⁺. Returns (D, X_S, σ)."""
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    if np.max(np.linalg.norm(X, axis=1)) > B * (1 + 1e-12):
        raise ValueError(f"an example has norm above B = {B}")
    if not np.linalg.svd(X, compute_uv=False)[-1] > sigma_0:
        raise ValueError(f"σ_min(X) is not above σ₀ = {sigma_0}")
    sigma = paper_noise_scale(Y, Y_S, B, sigma_0, epsilon, delta)
    G = admissible_operator(fit_ridge_full_lambda(X, Y, 0.0), Y_S, rng.normal(scale=sigma, size=(X.shape[1], len(Y_S))))
    return G.T, features_from_operator(G).F, sigma


@dataclass(frozen=True)
class Neighbours:
    """X and X' (differing in one row, labels Y fixed), the distilled labels Y_S, B and σ₀ < σ_min of both."""

    X: np.ndarray
    X_other: np.ndarray
    Y: np.ndarray
    Y_S: np.ndarray
    B: float
    sigma_0: float


def _one_hot_labels(k: int, per_class: int, class_scales) -> np.ndarray:
    """r = ``per_class`` rows per class, class c's rows scaled by class_scales[c] (soft labels)."""
    return np.repeat(np.eye(k) * np.asarray(class_scales, dtype=float)[:, None], per_class, axis=0)


def outlier_class_neighbours(k: int, d: int, per_class: int, slack: float, rotation) -> Neighbours:
    """The worst case for replacement. Example 0 is B·e₀ and alone in class 0; the other 2(d − 1) examples
    are two copies of the unit vectors e₁ … e_{d−1} (classes 1 … k − 1 in turn), so σ_min(X) = B = 1 along e₀.
    The neighbour flips example 0 to −B·e₀. Y_S has ``per_class`` rows per class, the rows of classes ≥ 1
    scaled by t = 2√(max class size) so that class 0's rows set the paper's σ. Row i of class 0 has
    vᵢ = e₀/r, so its mean moves by ‖2e₀/r‖ = 2B‖vᵢ‖/σ_min²; σ₀ = (1 − slack)·B. Rotated by ``rotation``."""
    rest = np.tile(np.eye(d)[1:], (2, 1))
    X = np.vstack([np.eye(d)[:1], rest])
    labels = np.concatenate([[0], 1 + np.arange(len(rest)) % (k - 1)])
    X_other = X.copy()
    X_other[0] = -X[0]
    t = 2 * np.sqrt(np.bincount(labels).max())
    Y_S = _one_hot_labels(k, per_class, [1.0] + [t] * (k - 1))
    return Neighbours(X @ rotation, X_other @ rotation, np.eye(k)[labels], Y_S, 1.0, 1.0 - slack)


def random_neighbours(rng: np.random.Generator, k: int, d: int, n: int, per_class: int, max_condition: float,
                      weakest: bool, slack: float) -> Neighbours:
    """Random data (κ ≤ ``max_condition``, every class present, B = max row norm); one random row replaced by a
    point of norm B (minus X's weakest direction, or random); Y_S one-hot with random class scales in [1, 3]."""
    U, _ = np.linalg.qr(rng.normal(size=(n, d)))
    V, _ = np.linalg.qr(rng.normal(size=(d, d)))
    X = (U * np.geomspace(1.0, 1.0 / max_condition, d)) @ V.T
    B = float(np.max(np.linalg.norm(X, axis=1)))
    row = int(rng.integers(n))
    weak = np.linalg.svd(X)[2][-1]
    direction = (-1.0 if X[row] @ weak >= 0 else 1.0) * weak if weakest else rng.normal(size=d)
    X_other = X.copy()
    X_other[row] = B * direction / np.linalg.norm(direction)
    labels = rng.permutation(np.arange(n) % k)
    Y_S = _one_hot_labels(k, per_class, rng.uniform(1.0, 3.0, size=k))
    smallest = min(np.linalg.svd(X, compute_uv=False)[-1], np.linalg.svd(X_other, compute_uv=False)[-1])
    return Neighbours(X, X_other, np.eye(k)[labels], Y_S, B, (1.0 - slack) * smallest)


def neighbour_pair_example(params, rng: np.random.Generator) -> list[Neighbours]:
    """Two pairs of neighbours from the parameters (k, d, r, n_fraction, κ, weakest): the worst case
    :func:`outlier_class_neighbours` (so every example contains it, whatever the seed) and
    :func:`random_neighbours` of the same k, d, r with n = d + 2 + round(n_fraction·(10 − d)) ∈ [d + 2, 12],
    κ(X) = κ and the replacement along the weakest direction or at random. Both use σ₀ = (1 − slack)·σ_min
    with slack log-uniform in [10⁻³, 10⁻²], and a random rotation of the outlier pair."""
    k, d, per_class, n_fraction, kappa, weakest = params
    slack = float(10.0 ** rng.uniform(-3.0, -2.0))
    rotation = np.linalg.qr(rng.normal(size=(d, d)))[0]
    n = d + 2 + int(round(n_fraction * (10 - d)))
    random_pair = random_neighbours(rng, k, d, n, per_class, kappa, weakest, slack)
    return [outlier_class_neighbours(k, d, per_class, slack, rotation), random_pair]


@st.composite
def neighbour_pairs(draw):
    """:func:`neighbour_pair_example` from hypothesis's draws of the parameters and of the entries' seed."""
    params = (draw(st.integers(2, 3)), draw(st.integers(2, 4)), draw(st.integers(2, 3)), draw(st.floats(0.0, 1.0)),
              draw(st.floats(1.0, 10.0)), draw(st.booleans()))
    return neighbour_pair_example(params, np.random.default_rng(draw(st.integers(0, 2**32 - 1))))


def neighbour_domain() -> Domain:
    """k ∈ {2, 3}, d ∈ {2, 3, 4}, r ∈ {2, 3} distilled rows per class, n ∈ [d + 2, 12], κ(X) ∈ [1, 10], the
    replacement along X's weakest direction or at random: the grid holds every corner (k, d, r, n at both ends,
    κ = 1 and κ = 10, both kinds of replacement) and each axis's values with the others at their midpoints."""
    parameters = tuples(integers(2, 3), integers(2, 4), integers(2, 3), interval(0.0, 1.0, points=3),
                        interval(1.0, 10.0, points=3, log=True), sampled([True, False]))
    return parametric(neighbour_pairs(), parameters, neighbour_pair_example,
                      description="two neighbour pairs: k ≤ 3, d ≤ 4, r ≤ 3, n ≤ 12, κ(X) ≤ 10")


def within_hypotheses(pair: Neighbours) -> bool:
    """One-hot labels, ‖xⱼ‖ ≤ B in X and X', which differ in exactly one row, and σ_min of both above σ₀."""
    one_hot = bool(np.all((pair.Y == 0) | (pair.Y == 1)) and np.all(pair.Y.sum(axis=1) == 1))
    bounded = all(np.max(np.linalg.norm(A, axis=1)) <= pair.B * (1 + 10 * unit_roundoff()) for A in (pair.X, pair.X_other))
    one_row = int(np.sum(np.any(pair.X != pair.X_other, axis=1))) == 1
    conditioned = all(np.linalg.svd(A, compute_uv=False)[-1] > pair.sigma_0 for A in (pair.X, pair.X_other))
    return one_hot and bounded and one_row and conditioned


def row_shifts(pair: Neighbours) -> tuple[np.ndarray, np.ndarray]:
    """(‖Mᵢ − M'ᵢ‖ per row, its rounding bound). The pseudo-inverses are backward stable, so each mean carries
    an error ≤ 10·size·u·κ·‖vᵢ‖/σ_min (κ, σ_min of X or X'); the bound is the sum for the two."""
    shifts = np.linalg.norm(row_means(pair.X, pair.Y, pair.Y_S) - row_means(pair.X_other, pair.Y, pair.Y_S), axis=1)
    weights = np.linalg.norm(row_label_weights(pair.Y, pair.Y_S), axis=0)
    size = max(pair.X.shape)
    per_unit = sum(condition(A) / np.linalg.svd(A, compute_uv=False)[-1] for A in (pair.X, pair.X_other))
    return shifts, 10 * size * unit_roundoff() * per_unit * weights


def sensitivity_search(ctx, sensitivity, label: str, attained: bool = False) -> Outcome:
    """Property: on every pair from :func:`neighbour_pairs`, each row's shift ≤ ``sensitivity``(pair) + rounding;
    with ``attained``, also that the outlier-class pair (the first) reaches the bound up to that rounding, so a
    bound that is merely valid but not the sensitivity itself fails."""

    def prop(pairs):
        worst = 0.0
        for index, pair in enumerate(pairs):
            shifts, rounding = row_shifts(pair)
            bound = np.asarray(sensitivity(pair), dtype=float)
            ratio = shifts / bound
            exceeded = np.flatnonzero(~(shifts <= bound + rounding))
            i = int(exceeded[0]) if exceeded.size else int(np.argmax(ratio))
            if exceeded.size:
                raise Violation(f"row {i}'s mean moves by {shifts[i]:.6g} > the sensitivity {bound[i]:.6g}",
                                shift=shifts[i], sensitivity=bound[i], shift_over_sensitivity=ratio[i])
            if attained and index == 0 and not (shifts[i] >= bound[i] - rounding[i]):
                raise Violation(f"the worst case moves row {i} by {shifts[i]:.6g} < the sensitivity {bound[i]:.6g}: "
                                "not attained", shift=shifts[i], sensitivity=bound[i], shift_over_sensitivity=ratio[i])
            worst = max(worst, float(ratio[i]))
        return {"shift_over_sensitivity": worst}

    return property_outcome(search(ctx, neighbour_domain(), prop, fraction=0.25, label=label))


def privacy_search(ctx, noise_scale, label: str) -> Outcome:
    """Property: with σ = ``noise_scale``(Y, Y_S, B, σ₀, ε, δ), every row's exact δ(ε) at its observed shift (noise
    σ‖Pᵢ‖) is ≤ δ plus its rounding, for every (ε, δ) in :data:`PRIVACY_GRID`."""

    def prop(pairs):
        worst = 0.0
        for pair in pairs:
            shifts, _ = row_shifts(pair)
            for epsilon, delta in PRIVACY_GRID:
                sigma = noise_scale(pair.Y, pair.Y_S, pair.B, pair.sigma_0, epsilon, delta)
                for shift, scale in zip(shifts, sigma * free_row_norms(pair.Y_S)):
                    achieved = exact_delta(shift, scale, epsilon)
                    if not (achieved <= delta + exact_delta_rounding(shift, scale, epsilon)):
                        raise Violation(f"(ε = {epsilon}, δ = {delta:g}) a row's exact δ is {achieved:.4g}",
                                        epsilon=epsilon, delta=delta, achieved_delta=achieved,
                                        achieved_over_delta=achieved / delta)
                    worst = max(worst, achieved / delta)
        return {"achieved_delta_over_delta": worst}

    return property_outcome(search(ctx, neighbour_domain(), prop, fraction=0.25, label=label))


checks = Checks()


@checks.add("gaussian-calibration", Kind.PROPERTY)
def gaussian_calibration(ctx, scale=gaussian_noise_scale) -> Outcome:
    """The step the proof relies on: for shifts Δ ∈ [10⁻³, 10³], ε ∈ [0.01, 0.99], δ ∈ [10⁻¹², 0.5], noise
    s = ``scale``(Δ, ε, δ) gives exact δ(ε) ≤ δ at shift Δ (Balle & Wang's profile, plus its rounding)."""

    def prop(args):
        shift, epsilon, log_delta = args
        delta = 10.0**log_delta
        s = scale(shift, epsilon, delta)
        achieved = exact_delta(shift, s, epsilon)
        if not (achieved <= delta + exact_delta_rounding(shift, s, epsilon)):
            raise Violation(f"exact δ {achieved:.4g} > {delta:.4g}", achieved_over_delta=achieved / delta)
        return {"achieved_delta_over_delta": achieved / delta}

    # the shift spans six decades: its grid is log-spaced so that each decade gets grid points
    problems = tuples(interval(1e-3, 1e3, log=True), interval(0.01, 0.99), interval(-12.0, np.log10(0.5)))
    return property_outcome(search(ctx, problems, prop, label="calibration"))


@checks.add("row-sensitivity", Kind.PROPERTY)
def row_sensitivity(ctx, noise_scale=paper_noise_scale) -> Outcome:
    """The sensitivity the paper's σ assumes, Δᵢ = σε‖Pᵢ‖/√(2 ln(1.25/δ)) = √2B‖vᵢ‖/σ₀² for the row that sets σ,
    against the observed shift of each row's mean on replacement neighbours (:func:`neighbour_pairs`).
    Falsified: the outlier-class pair moves a row by √2(1 − slack)² times Δᵢ (see the module docstring)."""

    def sensitivity(pair):
        sigma = noise_scale(pair.Y, pair.Y_S, pair.B, pair.sigma_0, 0.5, 1e-5)
        return implied_sensitivity(sigma, pair.Y_S, 0.5, 1e-5)

    return sensitivity_search(ctx, sensitivity, "row-sensitivity")


@checks.add("row-privacy", Kind.PROPERTY)
def row_privacy(ctx, noise_scale=paper_noise_scale) -> Outcome:
    """The paper's conclusion itself: with its σ, each row's exact δ(ε) at the observed shift is ≤ δ over
    :data:`PRIVACY_GRID`. Falsified: on the outlier-class pair, ε = 0.5, δ = 10⁻⁵ give δ(ε) ≈ 1.3·10⁻⁵."""
    return privacy_search(ctx, noise_scale, "row-privacy")


def _noise_band(samples: int, rows: int, dims: int) -> tuple[float, float]:
    """Two-sided χ²(samples·dims) quantiles at level 10⁻⁹/rows each side (Bonferroni over the rows)."""
    level = 1e-9 / rows
    from scipy.stats import chi2  # scipy.stats costs about a second of start-up: loaded only here

    return float(chi2.ppf(level, samples * dims)), float(chi2.isf(level, samples * dims))


@checks.add("mechanism-rows", Kind.CONSTRUCTION)
def mechanism_rows(ctx, mechanism=private_rows) -> Outcome:
    """The construction on fixed random data (n = 12, d = 4, k = 3, two one-hot rows per class): (a) X_S = D⁺
    retrains to W within the rounding bound of Theorem 4.1 (``recovery_ratio``), so the released set does
    reproduce the model; (b) over 400 releases, Σ‖Dᵢ − X⁺vᵢ‖²/(σ²‖Pᵢ‖²) of every row lies in the two-sided
    χ²(400·d) band at level 10⁻⁹/m: row i carries noise N(0, σ²‖Pᵢ‖² I), as the calibration assumes."""
    rng = ctx.rng("data")
    k, d, n = 3, 4, 12
    X = rng.normal(size=(n, d))
    X /= np.max(np.linalg.norm(X, axis=1))
    Y = np.eye(k)[np.arange(n) % k]
    Y_S = _one_hot_labels(k, 2, np.ones(k))
    sigma_0 = 0.99 * np.linalg.svd(X, compute_uv=False)[-1]
    D, X_S, sigma = mechanism(X, Y, Y_S, 0.5, 1e-5, 1.0, sigma_0, rng)
    W = fit_ridge_full_lambda(X, Y, 0.0)
    recovery = recovery_ratio(W, fit_ridge_full_lambda(X_S, Y_S, 0.0), X_S, D.T, Y_S)
    means, norms = row_means(X, Y, Y_S), free_row_norms(Y_S)
    samples = 400
    energy = sum(np.linalg.norm(mechanism(X, Y, Y_S, 0.5, 1e-5, 1.0, sigma_0, rng)[0] - means, axis=1) ** 2
                 for _ in range(samples)) / (sigma * norms) ** 2
    low, high = _noise_band(samples, len(Y_S), d)
    in_band = bool(np.all((low <= energy) & (energy <= high)))
    holds = recovery <= 1 and in_band
    note = "" if holds else f"recovery {recovery:.3g}× its bound; row noise energies {np.round(energy).tolist()} vs band [{low:.0f}, {high:.0f}]"
    return Outcome.decide(holds, None, note, recovery_over_bound=recovery, energy_min=float(energy.min()),
                          energy_max=float(energy.max()), band_low=low, band_high=high)


THEOREM = register(
    Theorem(
        id="chen-huang-weng/theorem-6.2",
        title="Differentially private distilled rows (Gaussian free part Z), as the paper states it",
        source=f"{SOURCE}, Theorem 6.2",
        claim=("In Theorem 4.1's setting with λ = 0, ‖xⱼ‖ ≤ B, σ_min(X) > σ₀, Y_S independent of X and m > k, "
               "Z_{jl} ~ N(0, σ²) with σ ≥ maxᵢ 2√(ln(1.25/δ))·B·‖[Y_S⁺]ᵢY‖/(σ₀²ε‖[I − Y_S⁺Y_S]ᵢ‖), ε, δ ∈ (0, 1), "
               "makes each row of the distilled D (ε, δ)-DP with respect to X."),
        statement=statement,
        assumptions=(
            Assumption("‖xⱼ‖ ≤ B", "bounded examples"),
            Assumption("σ_min(X) > σ₀", "the data and every neighbour are well conditioned"),
            Assumption("m > k", "the distilled set has a free part P = I − Y_S Y_S⁺ ≠ 0"),
            Assumption("Y_S independent of X", "the distilled labels are fixed before seeing the data"),
        ),
        checks=checks.freeze(),
        construction=private_rows,
        conventions=CONVENTIONS + "; λ = 0; neighbours replace one row of X (labels fixed)",
        status="refuted",
        refuted_by=("row-sensitivity", "row-privacy"),
    )
)
