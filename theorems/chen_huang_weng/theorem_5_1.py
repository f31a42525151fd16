"""Chen, Huang & Weng, Theorem 5.1: KRR with a surjective feature map needs one point per class.

Statement (rows are examples). Theorem 4.1 holds with the features F_S = φ(X_S) in place of X_S: the
model retrained on (X_S, Y_S) equals W iff G_{λS}(φ(X_S)) = W Y_S⁺ + Z(I − Y_S Y_S⁺). When φ is
surjective (onto ℝ^p, or onto a box that the features are first scaled into), X_S = φ⁻¹(F_S)
exists, so m = k points (one per class) suffice. Two surjective maps:

* a LeakyReLU network with square full-rank layers: invert σ (σ⁻¹(t) = min(t, t/α)) and solve
  each linear layer;
* random Fourier features √(2/p)cos(Ax + b) with p ≤ d, rank A = p: x = A⁺(arccos(√(p/2)f) − b),
  after scaling F_S by c ≤ 1 into [−√(2/p), √(2/p)]^p (Y_S ↦ cY_S, λ_S ↦ c²λ_S leave W_S unchanged).

Every accuracy here is measured by retraining on φ(X_S) of the RECOVERED X_S.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import assume, strategies as st

from constructions.feature_maps import IdentityMap, LeakyReLUNetwork, RandomFourierFeatures
from constructions.krr import accuracy, fit_ridge_full_lambda
from constructions.krr_distill import MODES, construct_distilled, distill_krr, distill_model, label_matrix
from empirical.krr_table3 import TABLE3_MAPS, fashion_mnist, fit_with_validation
from theorems import Assumption, Checks, Kind, Outcome, Theorem, Violation, register, search
from theorems.chen_huang_weng._common import (CONVENTIONS, SOURCE, classes_and_width_domain, condition, recovery_ratio,
                                             retrain)
from theorems.chen_huang_weng.theorem_4_1 import expected_singular_values
from theorems.domains import Domain, integers, interval, parametric, sampled, tuples
from theorems.requirements import dataset
from theorems.searching import counterexample_outcome, property_outcome, within
from theorems.tolerances import recovery_tolerance, unit_roundoff


def statement():
    return [sp.Eq(sp.Symbol("G_λS(φ(X_S))"), sp.Symbol("W Y_S⁺ + Z(I − Y_S Y_S⁺)")),
            sp.Implies(sp.Symbol("φ surjective"), sp.Eq(sp.Symbol("m_min"), sp.Symbol("k")))]


def map_condition(feature_map) -> float:
    """How much evaluating φ after φ⁻¹ can amplify rounding: ∏κ(W_l)/α for a network, κ(A) for RFF."""
    if isinstance(feature_map, LeakyReLUNetwork):
        return float(np.prod([condition(w) for w in feature_map.weights])) / feature_map.slope ** len(feature_map.weights)
    return condition(feature_map.A)


def retraining_tolerance(F_S, Y_S, lam_s: float, W_s: np.ndarray, G: np.ndarray, feature_map) -> tuple[float, float]:
    """(relative bound on ‖W_S − W_S,exact‖/‖W_S‖, κ_sys) for a model retrained on F_S = φ(recovered X_S).

    Three roundings (size = the largest of m, p and the input dimension d, since the preimage solves
    a p×d system): the round trip φ(φ⁻¹(F)) perturbs F_S by ≈ size·u·κ_map relative, which G_{λS}(F_S)
    amplifies by κ(F_S) (``recovery_tolerance``); retraining through the normal equations (``fit_ridge_full_lambda``)
    adds size·u·κ_sys with κ_sys = (s_max² + λ_S)/(s_min² + λ_S) the condition of the Gram matrix solved
    (λ_S > 0; at λ_S = 0 it is a least-squares solve, covered by κ(F_S)); and an operator error becomes a
    model error amplified by ‖G‖‖Y_S‖/‖W_S‖. Together 10·size·u·(κ(F_S)·κ_map + κ_sys)·‖G‖‖Y_S‖/‖W_S‖.
    """
    values = np.linalg.svd(F_S, compute_uv=False)
    kappa_sys = (values[0] ** 2 + lam_s) / (values[-1] ** 2 + lam_s) if lam_s > 0 else 0.0
    amplification = np.linalg.norm(G, 2) * np.linalg.norm(Y_S, 2) / max(np.linalg.norm(W_s, 2), np.finfo(float).tiny)
    size = max(*F_S.shape, feature_map.d)  # the preimage solves a p×d system: its inner products run over d
    return recovery_tolerance(condition(F_S) * map_condition(feature_map) + kappa_sys, amplification, size), kappa_sys


#: Where the derived tolerance reaches 10⁻² the check could not tell W_S = W from W_S off by 10× the
#: tolerance, or (near 1) from W_S = 0, so such a draw cannot confirm the theorem and counts against the
#: distilled set: on the problems drawn here (κ(layer) ≤ 3, κ(Y_S), κ(G) ≤ a few hundred) the tolerance
#: stays below about 2·10⁻⁵ (``tolerance`` in the figures), so only an ill-conditioned F_S reaches it.
LARGEST_TOLERANCE = 1e-2


def check_report(result, W, feature_map, points: int, Y_S, lam_s: float, bound: float | None, slack: float,
                 clipped: bool, label_rule) -> dict:
    """Every field a user reads, against this check's own computation; returns the figures.

    ``points``: m = ipc·k; ``Y_S``: the labels asked for (None on the pipeline, where ``label_rule``
    says what they must be); ``lam_s``: the λ_S asked for (before range scaling); ``bound``: Theorem 4.1's
    bound for Y_S when the check knows G (``slack``: its relative rounding, ``operator_bound``), else None;
    ``clipped``: whether λ_S was above the bound with clip asked.
    """
    if not (result.X.shape == (points, feature_map.d) and result.Y.shape == (points, W.shape[1])
            and result.report.points == points):
        raise Violation(f"expected {points} points of dimension {feature_map.d}, got X {result.X.shape}, Y "
                        f"{result.Y.shape} and report.points = {result.report.points}", points=result.report.points)
    F_S = feature_map(result.X)
    c = result.report.scale
    _check_scale(F_S, c, feature_map)
    label_rule(result.Y / c)
    if Y_S is not None and not np.allclose(result.Y, c * Y_S, rtol=4 * unit_roundoff(), atol=0):
        raise Violation("the returned labels are not c·Y_S", scale=c)
    _check_ridge_fields(result, W, lam_s, bound, slack, clipped)
    return _check_model_fields(result, W, F_S, feature_map)


def _check_scale(F_S, c: float, feature_map) -> None:
    """c = 1 for an unbounded map; for a bounded one 0 < c ≤ 1, φ(X_S) inside the box and touching it when
    c < 1 (the scaling is the largest that fits). φ(φ⁻¹(F)) reproduces F within 10·size·u·κ_map relative
    (× π, the largest angle, for RFF)."""
    largest = float(np.max(np.abs(F_S)))
    slack = 10 * max(F_S.shape) * unit_roundoff() * map_condition(feature_map) * np.pi
    if feature_map.bound is None:
        fits = c == 1
    else:
        fits = 0 < c <= 1 and largest <= feature_map.bound * (1 + slack) and (
            c == 1 or largest >= feature_map.bound * (1 - slack))
    if not fits:
        raise Violation(f"scale c = {c:.6g} does not fit the features into the range (max |φ(X_S)| = {largest:.6g})",
                        scale=c)


def _check_ridge_fields(result, W, lam_s: float, bound: float | None, slack: float, clipped: bool) -> None:
    """λ_S returned = c²λ_S (c² × the bound when clipped) and flagged as such; report.lam_s_bound = c² × the
    check's bound, or, where the check cannot know Z, between λ_S and c²/(4‖W Y_S⁺‖₂²): G restricted to
    Range(Y_S) is W Y_S⁺, so ‖G‖₂ ≥ ‖W Y_S⁺‖₂ for every Z."""
    u, c, m = unit_roundoff(), result.report.scale, result.Y.shape[0]
    # the construction's bound comes from its own SVD or QR of G, the check's from another: two computations of
    # 1/(4σ'₁²) differ by up to 60·size·u (measured, see constructions.krr_distill.bound_rounding), so 100·size·u
    construction_slack = 100 * max(W.shape[0], m) * u
    target = c**2 * (bound if clipped else lam_s)
    target_slack = (slack + construction_slack) if clipped else 4 * u  # c² rounds twice
    if not (abs(result.lam_s - target) <= target_slack * target and result.report.lam_s == result.lam_s
            and result.report.clipped == clipped):
        raise Violation(f"λ_S returned {result.lam_s:.6g} (report {result.report.lam_s:.6g}, clipped = "
                        f"{result.report.clipped}), expected c²·{'bound' if clipped else 'λ_S'} = {target:.6g} "
                        f"(clipped = {clipped})", lam_s=result.lam_s, expected=target)
    if bound is not None:
        bound_ok = abs(result.report.lam_s_bound - c**2 * bound) <= (slack + construction_slack) * c**2 * bound
    else:
        labels = result.Y / c
        ceiling = c**2 / (4 * np.linalg.norm(W @ np.linalg.pinv(labels), 2) ** 2)
        bound_ok = result.lam_s <= result.report.lam_s_bound <= ceiling * (1 + 20 * m * u * condition(labels))
    if not bound_ok:
        raise Violation(f"report.lam_s_bound = {result.report.lam_s_bound:.8g} disagrees with Theorem 4.1's bound"
                        + (f" c²/(4σ'₁²) = {c**2 * bound:.8g}" if bound is not None else ""),
                        lam_s_bound=result.report.lam_s_bound)


def _check_model_fields(result, W, F_S, feature_map) -> dict:
    """Retrain on φ(X_S) by the SVD (``retrain``) and compare W_s, relative_error and cosine with it
    (``retraining_tolerance``; the cosine moves by at most twice the relative change of W_S)."""
    W_s, G = retrain(F_S, result.Y, result.lam_s)
    tolerance, kappa_sys = retraining_tolerance(F_S, result.Y, result.lam_s, W_s, G, feature_map)
    if not (tolerance <= LARGEST_TOLERANCE):
        raise Violation(f"the distilled features are too ill-conditioned to confirm W_S (tolerance {tolerance:.3g})",
                        tolerance=tolerance, kappa_sys=kappa_sys, kappa_features=condition(F_S),
                        kappa_map=map_condition(feature_map), lam_s=result.lam_s)
    W_norm, Ws_norm = np.linalg.norm(W), np.linalg.norm(W_s)
    error = float(np.linalg.norm(W_s - W) / W_norm)
    cos = float(np.sum(W * W_s) / (W_norm * Ws_norm))
    # the field is also its definition ‖W_s − W‖/‖W‖ for the W_s returned beside it (two norms and a quotient
    # of the same numbers: 4·(p·k)·u relative); the retraining tolerance alone cannot tell 0 from ~10⁻¹⁵
    reported = float(np.linalg.norm(result.W_s - W) / W_norm)
    if not (np.linalg.norm(result.W_s - W_s) <= tolerance * Ws_norm
            and abs(result.report.relative_error - reported) <= 4 * W.size * unit_roundoff() * reported
            and abs(result.report.relative_error - error) <= tolerance * Ws_norm / W_norm
            and abs(result.report.cosine - cos) <= 2 * tolerance):
        raise Violation("report.relative_error, report.cosine or W_s disagrees with retraining on φ(X_S)",
                        relative_error=result.report.relative_error, expected_relative_error=reported,
                        cosine=result.report.cosine, expected_cosine=cos)
    return {"error": error, "tolerance": tolerance, "kappa_sys": kappa_sys}


def one_hot_rule(ipc: int):
    """Noise mode: row i is the one-hot label of class i // ipc."""

    def rule(labels):
        expected = np.repeat(np.eye(labels.shape[1]), ipc, axis=0)
        if not np.allclose(labels, expected, rtol=0, atol=4 * unit_roundoff()):
            raise Violation("noise-mode labels are not one-hot, ipc per class in class order")
    return rule


def real_points_rule(F, Y, W, ipc: int):
    """Real mode: row i is φ(x̂)W for a training point x̂ of class i // ipc (within the rounding of the product,
    10·p·u·‖φ(x̂)‖‖W‖, plus the division by c)."""
    classes = np.argmax(Y, axis=1)
    candidates = F @ W
    slack = 10 * F.shape[1] * unit_roundoff() * np.linalg.norm(F, axis=1) * np.linalg.norm(W, 2)

    def rule(labels):
        for i, row in enumerate(labels):
            distance = np.linalg.norm(candidates - row, axis=1)
            own = classes == i // ipc
            if not np.any(distance[own] <= 4 * slack[own] + 4 * unit_roundoff() * np.linalg.norm(row)):
                raise Violation(f"real-mode label {i} is not φ(x̂)W for a training point of class {i // ipc}",
                                row=i, distance=float(distance[own].min()))
    return rule


def conditioned_network(d: int, layers: int, rng, slope: float) -> LeakyReLUNetwork:
    """Square layers Q₁ diag(s) Q₂ with s ∈ [1, 3] (κ ≤ 3 each; Gaussian square layers have heavy-tailed
    κ, which would let ``map_condition`` alone push the tolerance past what the check can decide)."""
    def layer():
        Q1, Q2 = np.linalg.qr(rng.normal(size=(d, d)))[0], np.linalg.qr(rng.normal(size=(d, d)))[0]
        return (Q1 * np.exp(rng.uniform(0, np.log(3), size=d))) @ Q2 / np.sqrt(d)
    return LeakyReLUNetwork(tuple(layer() for _ in range(layers)), slope)


#: The values drawn for the maps' slope (LeakyReLU) and scale (RFF), the training ridge λ and t = λ_S/bound,
#: the ends first.
SLOPES, RFF_SCALES, RIDGES, FRACTIONS_OF_BOUND = [0.1, 0.5], [0.5, 2.0, 1.0], [1e-2, 1.0], [0.0, 1.0, 1e-3, 0.5]


def krr_example(k: int, d: int, seed: int, make_map, lam: float, ipc: int, mode: str, t: float):
    """Data (n = 8k rows, d columns, from ``seed``), one-hot labels, the map ``make_map(rng)`` makes from the
    same generator after the data, and the rest of :func:`small_krr`'s tuple."""
    rng = np.random.default_rng(seed)
    n = 8 * k
    X = rng.normal(size=(n, d))
    return X, label_matrix(np.arange(n) % k, k), make_map(rng), lam, ipc, mode, seed, t


@st.composite
def small_krr(draw, map_kind: str):
    """Data (n×d), one-hot labels, a surjective map, λ, ipc, mode and t = λ_S/bound."""
    k = draw(st.integers(min_value=2, max_value=3))
    d = draw(st.integers(min_value=k + 1, max_value=6))
    seed = draw(st.integers(0, 2**32 - 1))
    if map_kind == "leaky":
        layers, slope = draw(st.integers(1, 2)), draw(st.sampled_from(SLOPES))
        make_map = lambda rng: conditioned_network(d, layers, rng, slope)  # noqa: E731
    else:
        p, scale = draw(st.integers(k, d)), draw(st.sampled_from(RFF_SCALES))
        make_map = lambda rng: RandomFourierFeatures.seeded(d, p, seed=seed, scale=scale)  # noqa: E731
    lam = draw(st.sampled_from(RIDGES))
    ipc = draw(st.integers(1, 2))
    mode = draw(st.sampled_from(sorted(MODES)))
    return krr_example(k, d, seed, make_map, lam, ipc, mode, draw(st.sampled_from(FRACTIONS_OF_BOUND)))


def krr_axes() -> list[Domain]:
    """k, d ∈ [k + 1, 6] (a fraction), the map's size (layers 1–2; RFF p ∈ [k, d]) and shape (slope; scale) as
    fractions of their ranges, λ, ipc and mode: each at its ends and one interior value."""
    fraction = interval(0.0, 1.0, points=3)
    return [integers(2, 3), fraction, fraction, fraction, sampled(RIDGES), integers(1, 2), sampled(sorted(MODES))]


def krr_parameters() -> Domain:
    """:func:`krr_axes` and t = λ_S/bound (t = 1: the bound, up to its rounding)."""
    return tuples(*krr_axes(), sampled(FRACTIONS_OF_BOUND))


def build_krr(map_kind: str, params, rng: np.random.Generator):
    """:func:`small_krr`'s example from :func:`krr_parameters` (the data's seed drawn from ``rng``)."""
    k, d_fraction, size, shape, lam, ipc, mode, t = params
    d = k + 1 + int(round(d_fraction * (5 - k)))
    seed = int(rng.integers(0, 2**32 - 1))
    if map_kind == "leaky":
        layers, slope = 1 + int(round(size)), SLOPES[int(round(shape * (len(SLOPES) - 1)))]
        make_map = lambda map_rng: conditioned_network(d, layers, map_rng, slope)  # noqa: E731
    else:
        p, scale = k + int(round(size * (d - k))), sorted(RFF_SCALES)[int(round(shape * (len(RFF_SCALES) - 1)))]
        make_map = lambda map_rng: RandomFourierFeatures.seeded(d, p, seed=seed, scale=scale)  # noqa: E731
    return krr_example(k, d, seed, make_map, lam, ipc, mode, t)


def krr_domain(map_kind: str) -> Domain:
    """The domain of :func:`small_krr`: the grid of :func:`krr_parameters`, data and weights drawn."""
    return parametric(small_krr(map_kind), krr_parameters(), lambda params, rng: build_krr(map_kind, params, rng),
                      description=f"{map_kind} map, k ∈ {{2, 3}}, k < d ≤ 6, λ, ipc ∈ {{1, 2}}, both modes, t ∈ [0, 1]")


def model_problem(X, Y, F, W, ipc: int, mode: str, rng) -> tuple[np.ndarray, np.ndarray]:
    """Labels and Z for ``distill_model``, built here: noise — one-hot, ipc per class, Z ~ N(0, 1); real —
    ipc training points per class, soft labels φ(x̂)W and Z = φ(X̂)⁺ (any Z is admissible)."""
    k = Y.shape[1]
    if mode == "noise":
        return np.repeat(np.eye(k), ipc, axis=0), rng.normal(size=(W.shape[0], ipc * k))
    classes = np.argmax(Y, axis=1)
    picked = np.concatenate([rng.choice(np.flatnonzero(classes == c), size=ipc, replace=False) for c in range(k)])
    return F[picked] @ W, np.linalg.pinv(F[picked])


def admissible(W, Y_S, Z, pinv=None) -> np.ndarray:
    """G = W Y_S⁺ + Z(I − Y_S Y_S⁺), formed here directly (the projector whole), not by the construction;
    ``pinv`` is Y_S⁺ when the caller already has it."""
    pinv = np.linalg.pinv(Y_S) if pinv is None else pinv
    return W @ pinv + Z @ (np.eye(Y_S.shape[0]) - Y_S @ pinv)


def operator_bound(W, Y_S, Z) -> tuple[float, float]:
    """Theorem 4.1's bound 1/(4‖G‖₂²) for G = :func:`admissible` (W, Y_S, Z), and its relative rounding: G is
    formed within size·u·(κ(Y_S)‖W‖‖Y_S⁺‖ + ‖Z‖) (the pseudo-inverse errs by κ(Y_S)·u relative), and the
    bound doubles a relative error of ‖G‖; ×20 for the two computations compared (here and in the
    construction) and the project's safety factor 10."""
    pinv = np.linalg.pinv(Y_S)
    G = admissible(W, Y_S, Z, pinv)
    top = np.linalg.norm(G, 2)
    spread = condition(Y_S) * np.linalg.norm(W, 2) * np.linalg.norm(pinv, 2) + np.linalg.norm(Z, 2)
    return 1.0 / (4.0 * top**2), 40 * max(G.shape) * unit_roundoff() * spread / top


def confirmable(W, Y_S, Z, lam_s: float, feature_map) -> bool:
    """Whether Theorem 4.1's exact F_S for these inputs could be confirmed at all: its retraining tolerance
    (``retraining_tolerance``) ≤ :data:`LARGEST_TOLERANCE`. Decided from the data before the subject runs,
    with this check's own SVD of G = U diag(σ') Vᵀ: F_S = V diag(σ) Uᵀ, σᵢ = (1 + √(1 − 4λσ'ᵢ²))/(2σ'ᵢ)
    at λ = min(λ_S, 1/(4σ'₁²)) (a clipped λ_S is the bound; a bounded map's scaling c leaves κ and
    ‖G‖‖Y_S‖ unchanged). A draw that fails it is one where even the exact distilled set is too
    ill-conditioned for a float64 retraining to tell W_S = W from W_S = 0 (κ(G) ≈ 1.8·10⁴, κ_sys ≈ 2.7·10⁸
    on the soft labels of a real-mode draw that clipped-report met at thorough seed 50): outside what this
    check can decide, not a failure of the subject."""
    G = admissible(W, Y_S, Z)
    U, singular, Vt = np.linalg.svd(G, full_matrices=False)
    singular = singular[singular > singular[0] * max(G.shape) * unit_roundoff()]
    lam = min(lam_s, 1.0 / (4.0 * singular[0] ** 2))
    sigma = (1.0 + np.sqrt(np.maximum(1.0 - 4.0 * lam * singular**2, 0.0))) / (2.0 * singular)
    F_S = (Vt[: sigma.size].T * sigma) @ U[:, : sigma.size].T
    return retraining_tolerance(F_S, Y_S, lam, W, G, feature_map)[0] <= LARGEST_TOLERANCE


def _recovery_check(ctx, distill, distill_step, map_kind, label):
    """Each draw runs two paths. 'pipeline': ``distill_krr`` end to end, at λ_S = t·1/(4‖W‖₂²) in noise
    mode with ipc = 1 (Y_S = I, m = k, so G = W and the check knows the bound) and at the default λ_S = 0
    otherwise (G depends on the construction's own draws). 'model': ``distill_model`` with labels and Z
    built here (``model_problem``), so λ_S = t × the check's bound in both modes."""

    def attempt(call, t):
        try:
            return call()
        except ValueError as refusal:  # λ_S ≤ bound was decided from the data: inside the domain
            raise Violation(f"the construction refused an input inside the theorem's domain: {refusal}",
                            t=t) from refusal

    def prop(args):
        X, Y, feature_map, lam, ipc, mode, seed, t = args
        F = feature_map(X)
        W = fit_ridge_full_lambda(F, Y, lam)
        k = Y.shape[1]
        rule = one_hot_rule(ipc) if mode == "noise" else real_points_rule(F, Y, W, ipc)
        # the model path's labels and Z, built here; a draw whose exact set could not be confirmed is discarded
        Y_S, Z = model_problem(X, Y, F, W, ipc, mode, np.random.default_rng(seed))
        model_bound, model_slack = operator_bound(W, Y_S, Z)
        model_lam_s = t * model_bound * (1 - model_slack)  # t = 1: the boundary, up to G's rounding
        assume(confirmable(W, Y_S, Z, model_lam_s, feature_map))
        # pipeline; noise with ipc = 1: G = W·I⁺ = W up to a few u
        known = mode == "noise" and ipc == 1
        bound, slack = operator_bound(W, np.eye(k), np.zeros((W.shape[0], k))) if known else (None, 0.0)
        lam_s = t * bound * (1 - slack) if bound is not None and t > 0 else 0.0
        pipeline = attempt(lambda: distill(X, Y, feature_map, ipc, lam, mode=mode, seed=seed) if lam_s == 0 else
                           distill(X, Y, feature_map, ipc, lam, lam_s=lam_s, mode=mode, seed=seed), t)
        runs = [(pipeline, None, lam_s, bound, slack)]
        runs.append((attempt(lambda: distill_step(W, feature_map, Y_S, lam_s=model_lam_s, reference=Z), t), Y_S,
                     model_lam_s, model_bound, model_slack))
        worst = {}
        for result, labels, asked, known_bound, bound_slack in runs:
            figures = check_report(result, W, feature_map, ipc * k, labels, asked, known_bound, bound_slack, False, rule)
            within(figures["error"], figures["tolerance"], "the model retrained on the recovered X_S differs from "
                   "W by more than the tolerance", kappa_sys=figures["kappa_sys"])
            for key, value in (("error_over_tolerance", figures["error"] / figures["tolerance"]),
                               ("tolerance", figures["tolerance"]), ("kappa_sys", figures["kappa_sys"])):
                worst[key] = max(worst.get(key, value), value)
        return worst

    return property_outcome(search(ctx, krr_domain(map_kind), prop, fraction=0.3, label=label))


checks = Checks()


@checks.add("leaky-relu-recovery", Kind.PROPERTY)
def leaky_relu_recovery(ctx, distill=distill_krr, distill_step=distill_model) -> Outcome:
    """Square LeakyReLU networks (1–2 layers, α ∈ {0.1, 0.5}), both modes, ipc ∈ {1, 2}, λ_S = t × the
    bound the check computes from the data (t ∈ {0, 10⁻³, 0.5, 1}; the default λ_S at t = 0): the
    construction accepts, every report field matches this check's own computation (``check_report``),
    and retraining on φ(recovered X_S) gives W within the derived tolerance (``retraining_tolerance``)."""
    return _recovery_check(ctx, distill, distill_step, "leaky", "leaky")


@checks.add("rff-recovery", Kind.PROPERTY)
def rff_recovery(ctx, distill=distill_krr, distill_step=distill_model) -> Outcome:
    """Random Fourier features with p ≤ d: the same, including the scaling into the cosine's range
    (labels, λ_S and its bound rescaled), retrained on φ(recovered X_S)."""
    return _recovery_check(ctx, distill, distill_step, "rff", "rff")


@checks.add("clipped-report", Kind.PROPERTY)
def clipped_report(ctx, distill_step=distill_model) -> Outcome:
    """λ_S = factor × the bound with ``clip=True``, factor ∈ {0.5, 1, 2, 8} (factor 1 less the bound's
    rounding, ``operator_bound``): at or below the bound the result is unclipped with the requested λ_S;
    above it λ_S is replaced by c² × the bound and flagged ``clipped`` in the report, and the set (built and
    trained with the bound) still reproduces W. Every report field is checked (``check_report``)."""

    kinds, factors = ["leaky", "rff"], [0.5, 8.0, 1.0, 2.0]  # the ends first

    @st.composite
    def problem(draw):
        return draw(small_krr(draw(st.sampled_from(kinds)))), draw(st.sampled_from(factors))

    # t is unused here (fixed at 0): the map kind and the factor take its place
    parameters = tuples(sampled(kinds), *krr_axes(), sampled(factors))
    domain = parametric(problem(), parameters,
                        lambda params, rng: (build_krr(params[0], (*params[1:-1], 0.0), rng), params[-1]),
                        description="either map, small_krr's parameters, λ_S = factor × bound with clip")

    def prop(args):
        (X, Y, feature_map, lam, ipc, mode, seed, _), factor = args
        F = feature_map(X)
        W = fit_ridge_full_lambda(F, Y, lam)
        Y_S, Z = model_problem(X, Y, F, W, ipc, mode, np.random.default_rng(seed))
        bound, slack = operator_bound(W, Y_S, Z)
        lam_s = factor * bound * (1 - slack) if factor <= 1 else factor * bound
        assume(confirmable(W, Y_S, Z, lam_s, feature_map))
        try:
            result = distill_step(W, feature_map, Y_S, lam_s=lam_s, reference=Z, clip=True)
        except ValueError as refusal:
            raise Violation(f"clip=True refused λ_S = {factor}× the bound: {refusal}", factor=factor) from refusal
        rule = one_hot_rule(ipc) if mode == "noise" else real_points_rule(F, Y, W, ipc)
        figures = check_report(result, W, feature_map, Y_S.shape[0], Y_S, lam_s, bound, slack, factor > 1, rule)
        within(figures["error"], figures["tolerance"], f"with clip=True (λ_S = {factor}× the bound) the retrained "
               "model differs from W by more than the tolerance", factor=factor)
        return {"error_over_tolerance": figures["error"] / figures["tolerance"], "tolerance": figures["tolerance"]}

    return property_outcome(search(ctx, domain, prop, fraction=0.3, label="clipped"))


def rank_deficient_model(p: int, k: int, rank: int, extra: str, rng) -> np.ndarray:
    """W (p×k) of rank ``rank`` ≤ k exactly: ``rank`` independent columns (κ ≤ 10, ‖W‖₂ = 1/4 so the bound is
    about 4), the other columns zero or exact copies of the first (products with 0/1 entries are exact)."""
    basis = np.linalg.qr(rng.normal(size=(p, rank)))[0] * np.exp(rng.uniform(0, np.log(10), rank))
    basis *= 0.25 / np.linalg.norm(basis, 2)
    selection = np.zeros((rank, k))
    selection[np.arange(rank), np.arange(rank)] = 1.0
    if extra == "repeat":
        selection[0, rank:] = 1.0
    return basis @ selection


@checks.add("rank-deficient-model", Kind.PROPERTY)
def rank_deficient_model_check(ctx, construct=construct_distilled, labels=label_matrix, distill_step=distill_model,
                               distill=distill_krr) -> Outcome:
    """Theorem 4.1/5.1 put no rank condition on W, and centred labels give one of rank < k: ``label_matrix``
    with ``centred=True`` must be the one-hot rows less the class frequencies (rows summing to 0, so
    W = G_λ(F)Y has W·1 = 0). For W of rank r ≤ k exactly (``rank_deficient_model``; k ≤ 4, identity map,
    one-hot Y_S = I so G = W; r = k is the full-rank control, which the construction serves by QR): with the defaults (λ_S = 0, no clip) X_S must be G⁺, of rank r with singular
    values 1/σ'ᵢ; at λ_S = 1 exactly the '+' roots; both retrain to W (``recovery_ratio``) and report the
    bound 1/(4σ'₁²) of this check's SVD (within 100·size·u: two SVDs differ by up to 60·size·u, see
    ``bound_rounding``). λ_S = 2 × bound (no clip: the default) and the '−' root at λ_S = 0 must be refused.
    ``distill_model`` and ``distill_krr`` (given W, noise mode, ipc = 1) keep the same defaults: λ_S = 0 unclipped
    when omitted, 2 × bound refused; ``distill_model``'s set at its defaults retrains to W within the rounding
    bound of the checked X_S = G⁺."""
    rng = ctx.rng("rank-deficient")
    u, cases = unit_roundoff(), 0
    classes = rng.permutation(np.arange(30) % 3)
    centred = labels(classes, 3, centred=True)
    one_hot = np.eye(3)[classes]
    within(float(np.max(np.abs(centred - (one_hot - one_hot.sum(axis=0) / classes.size)))), 4 * u,
           "label_matrix(centred=True) is not the one-hot rows less the class frequencies")
    for k in (2, 3, 4):
        p = k + 2
        for rank in range(1, k + 1):  # rank = k: full rank, the QR route for λ_S = 0
            for extra in ("zero", "repeat") if rank < k else ("none",):
                W, Y_S = rank_deficient_model(p, k, rank, extra, rng), np.eye(k)
                Z, feature_map = rng.normal(size=(p, k)), IdentityMap(p)
                bound = 1.0 / (4.0 * np.linalg.svd(W, compute_uv=False)[0] ** 2)
                for lam_s in (0.0, 1.0):
                    try:
                        built = construct(W, feature_map, Y_S, reference=Z) if lam_s == 0 else \
                            construct(W, feature_map, Y_S, lam_s=lam_s, reference=Z)
                    except ValueError as refusal:  # λ_S ≤ bound ≈ 4 by construction: inside the domain
                        raise Violation(f"rank-{rank} W (k = {k}) refused at λ_S = {lam_s}: {refusal}",
                                        rank=rank, k=k, lam_s=lam_s) from refusal
                    if not (built.lam_s == lam_s and not built.clipped):
                        raise Violation(f"asked for λ_S = {lam_s} (the default when 0), got {built.lam_s} "
                                        f"(clipped = {built.clipped})", lam_s=lam_s, used=built.lam_s)
                    within(abs(built.lam_s_bound - bound), 100 * p * u * bound,
                           f"reported bound {built.lam_s_bound!r}, 1/(4σ'₁²) = {bound!r}", rank=rank, k=k)
                    expected, tolerance = expected_singular_values(W, lam_s, "+")
                    actual = np.linalg.svd(built.X, compute_uv=False)
                    tolerance = tolerance + 10 * p * u * actual[0] / expected
                    miss = float(np.max(np.abs(actual[:rank] - expected) / expected / tolerance))
                    within(miss, 1.0, f"X_S's singular values are not those of Theorem 4.1 at λ_S = {lam_s} "
                           f"for a rank-{rank} G", rank=rank, k=k, lam_s=lam_s)
                    if rank < actual.size:
                        within(float(actual[rank]), 10 * p * u * actual[0],
                               f"X_S has rank > {rank} = rank G", rank=rank, k=k, lam_s=lam_s)
                    W_s, _ = retrain(built.X, built.Y, lam_s)
                    within(recovery_ratio(W, W_s, built.X, W, Y_S), 1.0, "W_S ≠ W for a rank-deficient W",
                           rank=rank, k=k, lam_s=lam_s)
                    if lam_s == 0:
                        checked_default = built.X  # X_S = G⁺, its singular values checked above
                    cases += 1
                stepped = distill_step(W, feature_map, Y_S, reference=Z)
                default = stepped.report
                if not (default.lam_s == 0 and not default.clipped):
                    raise Violation(f"distill_model's default λ_S is {default.lam_s} (clipped = {default.clipped}), "
                                    "not 0", lam_s=default.lam_s)
                # retrained on distill_model's set, held to the rounding bound of the checked X_S = G⁺ (never
                # to a bound computed from the subject's own output)
                W_step, _ = retrain(np.asarray(stepped.X, dtype=float), np.asarray(stepped.Y, dtype=float), 0.0)
                within(recovery_ratio(W, W_step, checked_default, W, Y_S), 1.0,
                       "distill_model's set (its defaults) does not retrain to W", rank=rank, k=k)
                X = rng.normal(size=(k, p))
                above = ((construct, (W, feature_map, Y_S), {"lam_s": 2 * bound, "reference": Z}),
                         (construct, (W, feature_map, Y_S), {"reference": Z, "root": "-"}),
                         (distill_step, (W, feature_map, Y_S), {"lam_s": 2 * bound, "reference": Z}),
                         (distill, (X, Y_S, feature_map, 1, 1.0), {"lam_s": 2 * bound, "W": W}))
                for call, positional, keywords in above:
                    try:
                        call(*positional, **keywords)
                    except ValueError:
                        cases += 1
                    else:
                        raise Violation(f"{call.__name__} accepted {keywords.get('root', '+')} root at λ_S = "
                                        f"{keywords.get('lam_s', 0.0):.6g} (no such X_S; the default is no clip)",
                                        rank=rank, k=k)
    return Outcome.verified(cases=cases)


@checks.add("not-surjective", Kind.COUNTEREXAMPLE)
def not_surjective(ctx, widen=1) -> Outcome:
    """Drop surjectivity: a LeakyReLU layer A ∈ ℝ^{p×d} with p = d + ``widen``. With m = k points,
    one-hot Y_S = I and λ_S = 0, the only admissible features are F_S = W⁺ (Theorem 4.1, Z has no
    room), and a row f is in the image iff σ⁻¹(f) ∈ Range(A). The search exhibits W where some row's
    σ⁻¹(f) is farther from Range(A) than rounding (10·p·u·‖σ⁻¹(f)‖/α): no X_S exists."""

    def example(k, d, seed):
        rng = np.random.default_rng(seed)
        network = LeakyReLUNetwork.seeded(d, (d + widen,), seed=seed, slope=0.1)
        return network, rng.normal(size=(d + widen, k))

    domain = classes_and_width_domain(example, 4, f"LeakyReLU d → d + {widen}, k ∈ {{2, 3}}, k ≤ d ≤ 4")

    def prop(args):
        network, W = args
        F_S = np.linalg.pinv(W)  # k×p, rows = required features
        pre = np.where(F_S > 0, F_S, F_S / network.slope)
        A = network.weights[0]
        basis = np.linalg.svd(A, full_matrices=False)[0]
        distance = np.linalg.norm(pre - (pre @ basis) @ basis.T, axis=1)
        rounding = 10 * A.shape[0] * unit_roundoff() * np.linalg.norm(pre, axis=1) / network.slope
        if np.any(distance > rounding):
            raise Violation("a required feature vector is outside the image of φ: no X_S exists",
                            distance=float(distance.max()), rounding=float(rounding.max()))
        return None

    return counterexample_outcome(search(ctx, domain, prop, fraction=0.05, label="wide"), "φ surjective")


FASHION_SUBSET = 20000


@checks.add("fashion-mnist", Kind.REAL_DATA, needs=(dataset("fashion-mnist"),))
def fashion_mnist_check(ctx, distill_step=distill_model) -> Outcome:
    """Fashion-MNIST, a seeded subset of 20 000 training images (the full set is in `verify reproduce
    chen-huang-weng/table-3`), all 10 000 test images. For linear, LeakyReLU and RFF maps, λ chosen on a
    seeded 95/5 validation split from 24 values; IPC 1 (10 points) in noise and real modes, λ_S = 0.
    Claim: the model retrained on φ(recovered X_S) has the original's test accuracy within 0.05
    points, and ‖W_S − W‖/‖W‖ ≤ 10⁻⁶."""
    X, labels, X_test, y_test = fashion_mnist()
    rng = ctx.rng("subset")
    subset = np.sort(rng.choice(X.shape[0], size=FASHION_SUBSET, replace=False))
    X, labels = X[subset], labels[subset]
    figures, worst_gap, worst_error = {}, 0.0, 0.0
    for name, build in TABLE3_MAPS.items():
        map_rng = ctx.rng(name)
        feature_map = build(X.shape[1], int(map_rng.integers(2**31)))
        model = fit_with_validation(feature_map, X, labels, 10, map_rng)
        F_test = feature_map(X_test)
        original = accuracy(F_test, y_test, model.W)
        train_Y = np.eye(10)[labels[model.train_index]]
        for mode, setup in MODES.items():
            Y_S, reference = setup(X[model.train_index], train_Y, feature_map, model.W, 1, 0.0, map_rng)
            result = distill_step(model.W, feature_map, Y_S, lam_s=0.0, reference=reference, rng=map_rng)
            W_s = fit_ridge_full_lambda(feature_map(result.X), result.Y, result.lam_s)
            distilled = accuracy(F_test, y_test, W_s)
            gap = abs(distilled - original)
            error = float(np.linalg.norm(W_s - model.W) / np.linalg.norm(model.W))
            worst_gap, worst_error = max(worst_gap, gap), max(worst_error, error)
            figures[f"{name}_{mode}_original_pct"] = round(100 * original, 2)
            figures[f"{name}_{mode}_distilled_pct"] = round(100 * distilled, 2)
    holds = worst_gap <= 0.0005 and worst_error <= 1e-6
    return Outcome.decide(holds, None if holds else {"worst_gap_pct": 100 * worst_gap, "worst_error": worst_error},
                          "" if holds else "distilled accuracy or model differs from the original",
                          worst_gap_pct=100 * worst_gap, worst_relative_error=worst_error, **figures)


THEOREM = register(
    Theorem(
        id="chen-huang-weng/theorem-5.1",
        title="KRR with surjective feature maps: one distilled point per class",
        source=f"{SOURCE}, Theorem 5.1",
        claim=("Theorem 4.1 holds in feature space; for a surjective φ (square full-rank LeakyReLU network, "
               "random Fourier features with p ≤ d and rank A = p) X_S = φ⁻¹(F_S) exists, so k points suffice."),
        statement=statement,
        assumptions=(
            Assumption("φ surjective", "every feature vector (in the map's range box) has a preimage"),
            Assumption("m ≥ k", "at least one distilled point per class"),
        ),
        checks=checks.freeze(),
        construction=distill_krr,
        conventions=CONVENTIONS + "; RFF b ~ U[0, π], A ~ N(0, 1/d); LeakyReLU slope 0.1, weights N(0, 1/fan_in)",
    )
)
