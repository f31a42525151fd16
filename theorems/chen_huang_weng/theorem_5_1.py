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
from hypothesis import strategies as st

from constructions.feature_maps import LeakyReLUNetwork, RandomFourierFeatures
from constructions.krr import accuracy, fit_ridge_full_lambda
from constructions.krr_distill import MODES, distill_krr, distill_model, label_matrix, ridge_operator
from empirical.krr_table3 import TABLE3_MAPS, fashion_mnist, fit_with_validation
from theorems import Assumption, Checks, Kind, Outcome, Theorem, Violation, register, search
from theorems.chen_huang_weng._common import CONVENTIONS, SOURCE, condition
from theorems.requirements import dataset
from theorems.search import counterexample_outcome, property_outcome
from theorems.tolerances import recovery_tolerance, unit_roundoff


def statement():
    return [sp.Eq(sp.Symbol("G_λS(φ(X_S))"), sp.Symbol("W Y_S⁺ + Z(I − Y_S Y_S⁺)")),
            sp.Implies(sp.Symbol("φ surjective"), sp.Eq(sp.Symbol("m_min"), sp.Symbol("k")))]


def map_condition(feature_map) -> float:
    """How much evaluating φ after φ⁻¹ can amplify rounding: ∏κ(W_l)/α for a network, κ(A) for RFF."""
    if isinstance(feature_map, LeakyReLUNetwork):
        return float(np.prod([condition(w) for w in feature_map.weights])) / feature_map.slope ** len(feature_map.weights)
    return condition(feature_map.A)


def retrained_error_ratio(W, result, feature_map) -> float:
    """‖W_S − W‖ / bound, W_S retrained here on φ(recovered X_S) with the returned labels and λ_S.

    Bound: ``recovery_tolerance`` for F_S = φ(X_S) times the map's own amplification (the round trip
    φ(φ⁻¹(F)) perturbs F by ≈ size·u·κ_map relative), plus the ridge retraining term when λ_S > 0.
    """
    F_S = feature_map(result.X)
    W_s = fit_ridge_full_lambda(F_S, result.Y, result.lam_s)
    G = ridge_operator(F_S, result.lam_s)
    amplification = np.linalg.norm(G, 2) * np.linalg.norm(result.Y, 2) / np.linalg.norm(W, 2)
    tol = recovery_tolerance(condition(F_S) * map_condition(feature_map), amplification, max(F_S.shape))
    if result.lam_s > 0:
        tol *= 1 + np.linalg.norm(F_S, 2) ** 2 / result.lam_s
    return float(np.linalg.norm(W_s - W) / np.linalg.norm(W)) / tol


@st.composite
def small_krr(draw, map_kind: str):
    """Data (n×d), one-hot labels, a surjective map, λ, λ_S fraction, ipc, mode."""
    k = draw(st.integers(min_value=2, max_value=3))
    d = draw(st.integers(min_value=k + 1, max_value=6))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n = 8 * k
    X = rng.normal(size=(n, d))
    labels = np.arange(n) % k
    if map_kind == "leaky":
        feature_map = LeakyReLUNetwork.seeded(d, (d,) * draw(st.integers(1, 2)), seed=seed, slope=draw(st.sampled_from([0.1, 0.5])))
    else:
        feature_map = RandomFourierFeatures.seeded(d, draw(st.integers(k, d)), seed=seed, scale=draw(st.sampled_from([0.5, 1.0, 2.0])))
    lam = draw(st.sampled_from([1e-2, 1.0]))
    ipc = draw(st.integers(1, 2))
    mode = draw(st.sampled_from(sorted(MODES)))
    lam_s = draw(st.sampled_from([0.0, 1e-4]))
    return X, label_matrix(labels, k), feature_map, lam, lam_s, ipc, mode, seed


def _recovery_check(ctx, distill, map_kind, label):
    def prop(args):
        X, Y, feature_map, lam, lam_s, ipc, mode, seed = args
        W = fit_ridge_full_lambda(feature_map(X), Y, lam)
        try:
            result = distill(X, Y, feature_map, ipc, lam, lam_s=lam_s, mode=mode, seed=seed)
        except ValueError as error:
            if "exceeds Theorem 4.1's bound" in str(error):
                return None  # λ_S above the bound for this draw: Theorem 4.1 says no set exists
            raise
        if result.X.shape[0] != ipc * Y.shape[1]:
            raise Violation(f"returned {result.X.shape[0]} points, expected {ipc * Y.shape[1]}")
        ratio = retrained_error_ratio(W, result, feature_map)
        if ratio > 1:
            raise Violation(f"model retrained on the recovered X_S differs from W by {ratio:.3g}× the bound",
                            error_over_bound=ratio)
        return {"error_over_bound": ratio}

    return property_outcome(search(ctx, small_krr(map_kind), prop, fraction=0.5, label=label))


checks = Checks()


@checks.add("leaky-relu-recovery", Kind.PROPERTY)
def leaky_relu_recovery(ctx, distill=distill_krr) -> Outcome:
    """Square LeakyReLU networks (1–2 layers, α ∈ {0.1, 0.5}), both modes, λ_S ∈ {0, 10⁻⁴}, ipc ∈ {1, 2}:
    retraining on φ(recovered X_S) gives W within the derived bound (``retrained_error_ratio``)."""
    return _recovery_check(ctx, distill, "leaky", "leaky")


@checks.add("rff-recovery", Kind.PROPERTY)
def rff_recovery(ctx, distill=distill_krr) -> Outcome:
    """Random Fourier features with p ≤ d: the same, including the scaling into the cosine's range
    (labels and λ_S rescaled), retrained on φ(recovered X_S)."""
    return _recovery_check(ctx, distill, "rff", "rff")


@checks.add("not-surjective", Kind.COUNTEREXAMPLE)
def not_surjective(ctx, widen=1) -> Outcome:
    """Drop surjectivity: a LeakyReLU layer A ∈ ℝ^{p×d} with p = d + ``widen``. With m = k points,
    one-hot Y_S = I and λ_S = 0, the only admissible features are F_S = W⁺ (Theorem 4.1, Z has no
    room), and a row f is in the image iff σ⁻¹(f) ∈ Range(A). The search exhibits W where some row's
    σ⁻¹(f) is farther from Range(A) than rounding (10·p·u·‖σ⁻¹(f)‖/α): no X_S exists."""

    @st.composite
    def problem(draw):
        k = draw(st.integers(2, 3))
        d = draw(st.integers(k, 4))
        seed = draw(st.integers(0, 2**32 - 1))
        rng = np.random.default_rng(seed)
        network = LeakyReLUNetwork.seeded(d, (d + widen,), seed=seed, slope=0.1)
        return network, rng.normal(size=(d + widen, k))

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

    return counterexample_outcome(search(ctx, problem(), prop, fraction=0.1, label="wide"), "φ surjective")


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
