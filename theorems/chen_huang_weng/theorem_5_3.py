"""Chen, Huang & Weng, Theorem 5.3 (deep linear networks), in the form this project can prove and check.

Setting (rows are examples). φ(x) = Πx with Π = W_L ⋯ W_1 ∈ ℝ^{p×d}, d < p, rank Π = d: injective,
its image is the subspace Range(Π). By the span lemma (Theorem 5.2) every retrained model W_S has
its columns in span φ(X_S) ⊆ Range(Π). What we check:

1. Range condition. A target W ∈ ℝ^{p×k} can be reproduced by some distilled set iff
   Range(W) ⊆ Range(Π). A *general* target (e.g. a model trained on other features) violates it and
   then no set of k points — nor of any size — works: "k points fail in general".
2. Construction. When the condition holds (always for W trained by KRR on φ(X): the ridge solution
   lies in Range(Π)), take G = W Y_S⁺ + P_Π Z(I − Y_S Y_S⁺) with P_Π the projector onto Range(Π),
   F_S from Theorem 4.1 and X_S = Π⁺F_S. This works with m = k points and, with m = k + 1, gives a
   family of full-rank sets indexed by Z — the role the (k+1)-th point plays in the paper's proof.
3. The (k+1)-th point must be chosen: an unprojected Z puts F_S outside Range(Π), where no X_S exists.

The stated H condition, checked as worded. With P_W = W W⁺ (paper: W⁺W) and W₁ the first layer,
H = [Π W₁⁺, P_W − I] ∈ ℝ^{p×(h₁+p)}. The proof's constructive step solves H [U; Z] = (Y_S W⁺)ᵀ: then
F_Sᵀ = Π W₁⁺U = (Y_S W⁺)ᵀ + (I − P_W)Z lies in Range(Π) and the model interpolates the distilled
labels, F_S W = Y_S (check ``h-system-interpolates``: always solvable when H has full row rank).
Interpolation is not recovery: retraining gives W_S = F_S⁺Y_S = F_S⁺F_S W, which equals W only when
Range(W) lies in the row space of F_S — impossible when Range(W) ⊄ Range(Π). The two stated conditions
(H of full rank, and the last p×p block of its right singular vectors of full rank) hold for such
targets (with a square first layer), so on their own they are not sufficient: check
``h-conditions-not-sufficient`` finds the counterexample. For KRR-trained W, k points already suffice
(``k-points-from-krr``), and the k + 1 family is characterised exactly by checks 2 and 3 above.

Findings, proved by a dimension count and checked in exact rational arithmetic (sympy):

* ``h-block-singular-at-paper-widths``: at the paper's widths (first layer h₁ = p > d) the bottom-right p×p
  block of V_H has rank d < p for every choice of weights, so the block condition never holds there.
* ``krr-targets-k-points-exact``: every KRR-trained W (any λ ≥ 0) has Range(W) ⊆ Range(Π), and then k points
  reproduce it exactly; "k points are not sufficient in general" has no instance among KRR-trained models.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from constructions.feature_maps import DeepLinearNetwork
from constructions.krr import fit_ridge_full_lambda
from constructions.krr_distill import admissible_operator, features_from_operator, label_matrix
from theorems import Assumption, Checks, Kind, Outcome, Theorem, Violation, register, search
from theorems.chen_huang_weng._common import CONVENTIONS, SOURCE, condition
from theorems.domains import Domain, integers, parametric, sampled, tuples
from theorems.searching import counterexample_outcome, property_outcome
from theorems.tolerances import recovery_tolerance, unit_roundoff


def statement():
    return [sp.Equivalent(sp.Symbol("∃ X_S: W_S = W"), sp.Symbol("Range(W) ⊆ Range(Π)")),
            sp.Eq(sp.Symbol("X_S"), sp.Symbol("Π⁺ F_S(W Y_S⁺ + P_Π Z (I − Y_S Y_S⁺))")),
            sp.Implies(sp.Symbol("rank H = p"), sp.Symbol("∃ X_S: φ(X_S) W = Y_S"))]


def range_projector(network: DeepLinearNetwork) -> np.ndarray:
    basis = np.linalg.svd(network.product, full_matrices=False)[0]
    return basis @ basis.T


def general_target(network: DeepLinearNetwork, Y_S, Z) -> np.ndarray:
    """A target W (p×k) not trained on these features: Gaussian, seeded from the drawn Z so a search replays it."""
    return np.random.default_rng(int(abs(Z[0, 0]) * 1e6)).normal(size=(network.p, Y_S.shape[1]))


def span_floor(W, W_s, network: DeepLinearNetwork) -> tuple[bool, float, float]:
    """(W_s misses W by at least the span-lemma floor ‖(I − P_Π)W‖, which exceeds rounding; floor; miss).

    Rounding of the projector and of the retrained model is 10·size·u·‖W‖·κ(Π)."""
    floor = float(np.linalg.norm(W - range_projector(network) @ W))
    miss = float(np.linalg.norm(W_s - W))
    rounding = 10 * max(W.shape) * unit_roundoff() * np.linalg.norm(W) * condition(network.product)
    return floor > rounding and miss >= floor - rounding, floor, miss


def distill_deep_linear(W, network: DeepLinearNetwork, Y_S, Z=None, lam_s: float = 0.0):
    """X_S = Π⁺F_S with F_S from G = P_Π(W Y_S⁺ + Z(I − Y_S Y_S⁺)) = W Y_S⁺ + P_Π Z(I − Y_S Y_S⁺) when Range(W) ⊆ Range(Π)."""
    projector = range_projector(network)
    # G Y_S = W needs no projection in exact arithmetic when Range(W) ⊆ Range(Π); P_Π removes rounding leaks
    G = projector @ admissible_operator(W, Y_S, Z)
    F_S, lam_s = features_from_operator(G, lam_s)
    # F_S comes from an SVD-based inverse of G, so it leaves Range(Π) by rounding of relative size
    # κ(G)·u, plus κ(Π)·u from the projector: the preimage accepts 10·size·(κ(G) + κ(Π))·u·‖F_S‖
    leak = 10 * max(F_S.shape) * (condition(G) + condition(network.product)) * unit_roundoff() * np.linalg.norm(F_S)
    return network.preimage(F_S, tol=leak), lam_s


def h_matrix(network: DeepLinearNetwork, W) -> np.ndarray:
    """H = [Π W₁⁺, P_W − I] (p × (h₁ + p)), P_W = W W⁺ the projector onto Range(W): the stated theorem's H in rows-are-examples form."""
    projector = W @ np.linalg.pinv(W)
    return np.hstack([network.product @ np.linalg.pinv(network.weights[0]), projector - np.eye(W.shape[0])])


def numerically_full_rank(matrix: np.ndarray) -> bool:
    """σ_min > max(shape)·eps·σ_max (numpy's matrix_rank rule) with rank min(shape)."""
    singular = np.linalg.svd(matrix, compute_uv=False)
    return singular.size == min(matrix.shape) and singular[-1] > max(matrix.shape) * np.finfo(float).eps * singular[0]


def h_conditions(network: DeepLinearNetwork, W) -> tuple[bool, bool]:
    """(H has full row rank p, the last p×p block of H's right singular vectors has full rank)."""
    H = h_matrix(network, W)
    p = H.shape[0]
    right = np.linalg.svd(H)[2].T
    return numerically_full_rank(H), numerically_full_rank(right[-p:, -p:])


def distill_via_h(W, network: DeepLinearNetwork, Y_S, free=None):
    """The H-system construction: [U; Z] = H⁺(Y_S W⁺)ᵀ + N·free (N a basis of ker H), X_S = (W₁⁺U)ᵀ.

    Returns (X_S, [U; Z], H). When H has full row rank the system is consistent, so φ(X_S) W = Y_S."""
    H = h_matrix(network, W)
    rhs = (Y_S @ np.linalg.pinv(W)).T
    solution = np.linalg.pinv(H) @ rhs
    if free is not None:
        _, singular, right_t = np.linalg.svd(H)
        rank = int(np.sum(singular > max(H.shape) * np.finfo(float).eps * singular[0]))
        kernel = right_t[rank:].T
        solution = solution + kernel @ free[: kernel.shape[1]]
    hidden = network.weights[0].shape[0]
    X_S = (np.linalg.pinv(network.weights[0]) @ solution[:hidden]).T
    return X_S, solution, H


def deep_linear_example(k: int, d: int, p: int, depth: int, seed: int, lam: float, extra_points: int,
                        square_first_layer: bool):
    """A deep linear network d → … → p (d < p), data, a KRR model on φ(X), labels Y_S (m = k + extra).
    ``square_first_layer``: widths d → d → p (→ p), so that W₁ is invertible and ΠW₁⁺ has full column rank."""
    rng = np.random.default_rng(seed)
    widths = (d,) + (p,) * (depth - 1) if square_first_layer else (p,) * depth
    network = DeepLinearNetwork.seeded(d, widths, seed=seed)
    X = rng.normal(size=(6 * k, d))
    F = network(X)
    # the dual form W = Fᵀ(FFᵀ + λI)⁻¹Y keeps W in Range(Π) up to rounding of one product (the primal
    # solve would leak rounding/λ into the complement of Range(Π))
    W = F.T @ np.linalg.solve(F @ F.T + lam * np.eye(F.shape[0]), label_matrix(np.arange(6 * k) % k, k))
    # the solve still leaks ≈ κ(FFᵀ + λI)·u outside Range(Π); project so the hypothesis holds to rounding
    W = range_projector(network) @ W
    Y_S = np.vstack([np.eye(k), rng.normal(size=(extra_points, k))])
    Z = rng.normal(size=(p, k + extra_points))
    return network, W, Y_S, Z


#: The training ridges drawn, and the depths (from 2 with a square first layer).
TRAINING_RIDGES = [1e-2, 1.0]


def _first_depth(square_first_layer: bool) -> int:
    return 2 if square_first_layer else 1


@st.composite
def deep_linear_problem(draw, extra_points: int = 0, square_first_layer: bool = False):
    """:func:`deep_linear_example` with k ∈ {2, 3}, k + extra ≤ d ≤ k + extra + 2, d < p ≤ d + 3, depth ≤ 3."""
    k = draw(st.integers(2, 3))
    d = draw(st.integers(k + extra_points, k + extra_points + 2))
    p = d + draw(st.integers(1, 3))
    depth = draw(st.integers(_first_depth(square_first_layer), 3))
    seed = draw(st.integers(0, 2**32 - 1))
    return deep_linear_example(k, d, p, depth, seed, draw(st.sampled_from(TRAINING_RIDGES)), extra_points,
                               square_first_layer)


def deep_linear_domain(extra_points: int = 0, square_first_layer: bool = False) -> Domain:
    """The domain of :func:`deep_linear_problem`: k, d − k − extra ∈ {0, 1, 2}, p − d ∈ {1, 2, 3}, the depth and
    the training ridge at their ends and interior; the weights' and data's seed drawn."""

    def build(params, rng):
        k, d_offset, gap, depth, lam = params
        d = k + extra_points + d_offset
        return deep_linear_example(k, d, d + gap, depth, int(rng.integers(0, 2**32 - 1)), lam, extra_points,
                                   square_first_layer)

    parameters = tuples(integers(2, 3), integers(0, 2), integers(1, 3), integers(_first_depth(square_first_layer), 3),
                        sampled(TRAINING_RIDGES))
    return parametric(deep_linear_problem(extra_points, square_first_layer), parameters, build,
                      description=f"deep linear d → … → p, d < p ≤ d + 3, k ∈ {{2, 3}}, m = k + {extra_points}")


def _error_ratio(W, X_S, network, Y_S, lam_s):
    """Relative ‖W_S − W‖ over 10·size·u·κ(F_S)κ(Π)·‖G‖‖Y_S‖/‖W‖: the preimage Π⁺ and the forward map
    perturb F_S by ≈ size·u·κ(Π) relative, which retraining amplifies as in Theorem 4.1."""
    F_S = network(X_S)
    W_s = fit_ridge_full_lambda(F_S, Y_S, lam_s)
    amplification = np.linalg.norm(np.linalg.pinv(F_S), 2) * np.linalg.norm(Y_S, 2) / np.linalg.norm(W, 2)
    tol = recovery_tolerance(condition(F_S) * condition(network.product), amplification, max(F_S.shape))
    return float(np.linalg.norm(W_s - W) / np.linalg.norm(W)) / tol


checks = Checks()


@checks.add("k-points-from-krr", Kind.PROPERTY)
def k_points_from_krr(ctx, distill=distill_deep_linear) -> Outcome:
    """W trained by ridge on deep linear features (depth 1–3, d < p): m = k points X_S = Π⁺F_S retrain to W
    within 10·size·u·κ(F_S)κ(Π)κ(Y_S) (relative)."""

    def prop(args):
        network, W, Y_S, _ = args
        X_S, lam_s = distill(W, network, Y_S)
        ratio = _error_ratio(W, X_S, network, Y_S, lam_s)
        if ratio > 1:
            raise Violation(f"k points miss W by {ratio:.3g}× the bound", error_over_bound=ratio)
        return {"error_over_bound": ratio}

    return property_outcome(search(ctx, deep_linear_domain(), prop, fraction=0.15, label="k"))


@checks.add("k-plus-one-family", Kind.PROPERTY)
def k_plus_one_family(ctx, distill=distill_deep_linear) -> Outcome:
    """m = k + 1 points with a random Z projected into Range(Π): W_S = W within the same bound, and the k + 1
    points are linearly independent (σ_{k+1}(X_S) above 10·size·u·‖X_S‖)."""

    def prop(args):
        network, W, Y_S, Z = args
        X_S, lam_s = distill(W, network, Y_S, Z)
        ratio = _error_ratio(W, X_S, network, Y_S, lam_s)
        singular = np.linalg.svd(X_S, compute_uv=False)
        independent = singular.size >= Y_S.shape[0] and singular[Y_S.shape[0] - 1] > 10 * max(X_S.shape) * unit_roundoff() * singular[0]
        if ratio > 1 or not independent:
            raise Violation(f"k+1 points: error {ratio:.3g}× bound, independent={independent}", error_over_bound=ratio)
        return {"error_over_bound": ratio}

    return property_outcome(search(ctx, deep_linear_domain(extra_points=1), prop, fraction=0.15, label="k1"))


@checks.add("target-outside-range", Kind.COUNTEREXAMPLE)
def target_outside_range(ctx, target_in_range=False) -> Outcome:
    """Drop 'Range(W) ⊆ Range(Π)' (a general target, not trained on these features): every W_S lies in
    Range(Π), so ‖W_S − W‖ ≥ ‖(I − P_Π)W‖ for any distilled set of any size; the search exhibits a
    target where this floor exceeds rounding and the k-point attempt misses by at least the floor."""

    def prop(args):
        network, _, Y_S, Z = args
        W = general_target(network, Y_S, Z)
        projector = range_projector(network)
        if target_in_range:
            W = projector @ W
        G = admissible_operator(W, Y_S)
        F_S, _ = features_from_operator(projector @ G)
        X_S = F_S @ np.linalg.pinv(network.product).T  # the least-squares preimage of the projected features
        below, floor, miss = span_floor(W, fit_ridge_full_lambda(network(X_S), Y_S, 0.0), network)
        if below:
            raise Violation(f"target outside Range(Π): every distilled set misses by ≥ {floor:.3g}", floor=floor, miss=miss)
        return None

    return counterexample_outcome(search(ctx, deep_linear_domain(), prop, fraction=0.05, label="outside"),
                                  "Range(W) ⊆ Range(Π)")


@checks.add("unprojected-extra-point", Kind.COUNTEREXAMPLE)
def unprojected_extra_point(ctx, project=False) -> Outcome:
    """Drop 'Z ∈ Range(Π)' for the (k+1)-th point: with a raw Gaussian Z the required features F_S leave
    Range(Π) by more than rounding, so no X_S has φ(X_S) = F_S (the preimage is refused)."""

    def prop(args):
        network, W, Y_S, Z = args
        projector = range_projector(network)
        G = admissible_operator(W, Y_S, projector @ Z if project else Z)
        F_S, _ = features_from_operator(G)
        outside = np.linalg.norm(F_S - F_S @ projector)
        rounding = 10 * max(F_S.shape) * unit_roundoff() * np.linalg.norm(F_S) * condition(G)
        if outside > rounding:
            raise Violation(f"features leave Range(Π) by {outside:.3g}: no preimage", outside=outside)
        return None

    return counterexample_outcome(search(ctx, deep_linear_domain(extra_points=1), prop, fraction=0.05, label="raw"),
                                  "Z ∈ Range(Π)")


def _interpolation_tolerance(W, Y_S, H, solution, network) -> float:
    """‖φ(X_S)W − Y_S‖ bound: the SVD solve of H is backward stable (residual ≈ size·u·‖H‖‖s‖), rebuilding
    F_S through W₁⁺ and Π adds size·u·‖Π‖‖W₁⁺‖‖U‖, multiplying by W scales both by ‖W‖, and W W⁺ = I
    holds to κ(W)·u; 10·size covers the inner products."""
    hidden = network.weights[0].shape[0]
    rebuild = np.linalg.norm(network.product, 2) * np.linalg.norm(np.linalg.pinv(network.weights[0]), 2) \
        * np.linalg.norm(solution[:hidden])
    size = max(H.shape)
    return 10 * size * unit_roundoff() * (condition(W) * np.linalg.norm(Y_S)
                                          + np.linalg.norm(W, 2) * (np.linalg.norm(H, 2) * np.linalg.norm(solution) + rebuild))


@checks.add("h-system-interpolates", Kind.PROPERTY)
def h_system_interpolates(ctx, construct=distill_via_h) -> Outcome:
    """The proof's constructive step, for general targets W (not only KRR-trained): when H has full row rank,
    the k + 1 points X_S from H[U; Z] = (Y_S W⁺)ᵀ (any kernel component) satisfy φ(X_S)W = Y_S within the
    bound of ``_interpolation_tolerance``."""

    def prop(args):
        network, _, Y_S, Z = args
        W = general_target(network, Y_S, Z)
        if not numerically_full_rank(h_matrix(network, W)):
            return None
        X_S, solution, H = construct(W, network, Y_S, free=Z)
        residual = np.linalg.norm(network(X_S) @ W - Y_S)
        ratio = residual / _interpolation_tolerance(W, Y_S, H, solution, network)
        if ratio > 1:
            raise Violation(f"φ(X_S)W misses Y_S by {ratio:.3g}× the bound", residual_over_bound=ratio)
        return {"residual_over_bound": ratio}

    return property_outcome(search(ctx, deep_linear_domain(extra_points=1, square_first_layer=True), prop,
                                   fraction=0.15, label="h"))


@checks.add("h-conditions-not-sufficient", Kind.COUNTEREXAMPLE)
def h_conditions_not_sufficient(ctx, target_in_range=False) -> Outcome:
    """The two stated H conditions without 'Range(W) ⊆ Range(Π)': the search finds a general target for which
    H has full rank and so does the last p×p block of its right singular vectors, yet the k + 1 points of the
    H construction retrain to W_S with ‖W_S − W‖ ≥ ‖(I − P_Π)W‖ > rounding (the span lemma's floor, which no
    distilled set of any size can beat)."""

    def prop(args):
        network, _, Y_S, Z = args
        W = general_target(network, Y_S, Z)
        if target_in_range:
            W = range_projector(network) @ W
        if not all(h_conditions(network, W)):
            return None
        X_S, _, _ = distill_via_h(W, network, Y_S)
        below, floor, miss = span_floor(W, fit_ridge_full_lambda(network(X_S), Y_S, 0.0), network)
        if below:
            raise Violation(f"both H conditions hold, yet the k + 1 points miss W by {miss:.3g} ≥ floor {floor:.3g}",
                            floor=floor, miss=miss)
        return None

    return counterexample_outcome(search(ctx, deep_linear_domain(extra_points=1, square_first_layer=True), prop,
                                         fraction=0.05, label="hcond"),
                                  "Range(W) ⊆ Range(Π)")


# ---- findings, in exact rational arithmetic -------------------------------------------------------------------
#
# (1) The stated block condition fails at the paper's widths. Let rank H = p. The vectors of ker H with Z = 0
# are exactly (U, 0) with ΠW₁⁺U = 0, so the projection of ker H onto its Z coordinates has rank
#     p − dim ker(ΠW₁⁺) = p − h₁ + rank(ΠW₁⁺) ≤ p − h₁ + d.
# At the paper's widths h₁ = p, ker H has dimension h₁ = p, so the last p right singular vectors are a basis of
# it and the block has rank p − (p − rank ΠW₁⁺) = rank ΠW₁⁺ ≤ d < p: singular for every weight choice.
# (2) KRR-trained targets never leave Range(Π): W = (FᵀF + λI)⁻¹FᵀY (λ > 0) or F⁺Y (λ = 0) with F = XΠᵀ has
# its columns in Range(Fᵀ) ⊆ Range(Π) (FᵀF + λI maps Range(Π) onto itself). Then k points already reproduce W,
# so "k points are not sufficient in general" has no instance among the models the paper distils.


def _exact_matrix(rng: np.random.Generator, rows: int, cols: int) -> sp.Matrix:
    """Integer entries in [−3, 3], redrawn until the matrix has full rank min(rows, cols)."""
    while True:
        matrix = sp.Matrix(rng.integers(-3, 4, size=(rows, cols)).tolist())
        if matrix.rank() == min(rows, cols):
            return matrix


def _full_column_pinv(A: sp.Matrix) -> sp.Matrix:
    return (A.T * A).inv() * A.T


def _product(weights) -> sp.Matrix:
    """Π = W_L ⋯ W₁."""
    product = weights[0]
    for weight in weights[1:]:
        product = weight * product
    return product


def exact_network(rng: np.random.Generator, d: int, widths: tuple[int, ...]) -> list[sp.Matrix]:
    """Integer weights W₁ (h₁×d), W₂, … of full rank, with rank Π = d (φ injective)."""
    while True:
        sizes = (d, *widths)
        weights = [_exact_matrix(rng, sizes[i + 1], sizes[i]) for i in range(len(widths))]
        if _product(weights).rank() == d:
            return weights


def exact_ridge(F: sp.Matrix, Y: sp.Matrix, lam) -> sp.Matrix:
    """W = (FᵀF + λI)⁻¹FᵀY for λ > 0, F⁺Y for λ = 0, in exact arithmetic."""
    if lam == 0:
        return F.pinv() * Y
    return (F.T * F + lam * sp.eye(F.shape[1])).inv() * F.T * Y


def _exact_krr_data(rng, product: sp.Matrix, k: int = 2, n: int = 5) -> tuple[sp.Matrix, sp.Matrix]:
    """(F = XΠᵀ, Y) for integer X (n×d) and one-hot Y cycling over k classes, X redrawn until rank FᵀY = k
    (then every ridge solution, any λ ≥ 0, has rank k: it is (FᵀF + λI)⁺FᵀY)."""
    Y = sp.Matrix([[1 if i % k == c else 0 for c in range(k)] for i in range(n)])
    while True:
        F = sp.Matrix(rng.integers(-3, 4, size=(n, product.shape[1])).tolist()) * product.T
        if (F.T * Y).rank() == k:
            return F, Y


def dimension_count(p: int, hidden: int, first_rank: int) -> sp.Integer:
    """Rank of ker H projected on its Z coordinates when rank H = p: p − h₁ + rank(ΠW₁⁺). At h₁ = p this is
    the rank of the bottom-right p×p block of V_H (its last p columns are then a basis of ker H)."""
    return sp.Integer(p - hidden + first_rank)


def exact_block_rank(weights, W: sp.Matrix) -> tuple[int, int, int]:
    """(rank H, rank(ΠW₁⁺), rank of ker H projected on its Z coordinates), exactly."""
    first = weights[0]
    first_part = _product(weights) * _full_column_pinv(first)
    H = first_part.row_join(W * _full_column_pinv(W) - sp.eye(W.shape[0]))
    kernel = sp.Matrix.hstack(*H.nullspace())
    return H.rank(), first_part.rank(), kernel[first.shape[0]:, :].rank()


@checks.add("h-block-singular-at-paper-widths", Kind.SYMBOLIC)
def h_block_singular_at_paper_widths(ctx, block_rank=dimension_count) -> Outcome:
    """Exact rational arithmetic (sympy) on integer networks at the paper's widths h₁ = p > d (d → p → p and
    d → p → p → p) with a KRR-trained target (λ = 1): H has full row rank p, ker H has dimension p (so the last
    p columns of V_H are a basis of it), and its Z-block has rank ``block_rank``(p, h₁, rank ΠW₁⁺) = d < p. The
    stated block condition therefore fails at these widths for every weight choice, not only in random draws."""
    rng = ctx.rng("networks")
    rows = []
    for d, widths in [(2, (3, 3)), (2, (4, 4)), (3, (4, 4)), (2, (3, 3, 3)), (3, (5, 5))]:
        weights = exact_network(rng, d, widths)
        W = exact_ridge(*_exact_krr_data(rng, _product(weights)), sp.Integer(1))
        h_rank, first_rank, z_rank = exact_block_rank(weights, W)
        p = widths[-1]
        rows.append({"d": d, "p": p, "rank_H": h_rank, "block_rank": z_rank, "predicted": block_rank(p, p, first_rank)})
    wrong = [r for r in rows if not (r["rank_H"] == r["p"] and r["block_rank"] == r["predicted"] < r["p"])]
    return Outcome.decide(not wrong, wrong or None,
                          "" if not wrong else "the block rank is not the predicted d < p",
                          cases=len(rows), singular=sum(r["block_rank"] < r["p"] for r in rows))


def _ridge_residual(F: sp.Matrix, Y: sp.Matrix, lam, W: sp.Matrix) -> sp.Matrix:
    """(FᵀF + λI)W − FᵀY, zero exactly for a ridge solution (for λ = 0, any least-squares solution)."""
    return (F.T * F + lam * sp.eye(F.shape[1])) * W - F.T * Y


@checks.add("krr-targets-k-points-exact", Kind.SYMBOLIC)
def krr_targets_k_points_exact(ctx, train=exact_ridge) -> Outcome:
    """Exact rational arithmetic (sympy), integer networks d = 2 → 3 → 3 and 2 → 3 → 4 → 4, λ ∈ {0, 1/2, 1}: the
    model W = ``train``(φ(X), Y, λ) solves the ridge normal equations (FᵀF + λI)W = FᵀY exactly (the independent
    reference), has rank k and satisfies (I − P_Π)W = 0, and the k = 2 points X_S = Π⁺F_S with F_S = (W Y_S⁻¹)⁺
    (Y_S = I) have φ(X_S) = F_S and retrain (λ_S = 0) to W exactly. So for every model the paper distils, k points
    suffice and the 'k points fail in general' case has no instance. (For λ = 0 the ridge solution is the
    minimum-norm one, W = F⁺Y; other least-squares solutions leave Range(Π) and are caught by the range test.)"""
    rng = ctx.rng("krr")
    failures, cases = [], 0
    for d, widths in [(2, (3, 3)), (2, (3, 4, 4))]:
        product = _product(exact_network(rng, d, widths))
        for lam in (sp.Integer(0), sp.Rational(1, 2), sp.Integer(1)):
            F, Y = _exact_krr_data(rng, product)
            W = train(F, Y, lam)
            cases += 1
            case = {"widths": widths, "lambda": str(lam)}
            if not (_ridge_residual(F, Y, lam, W).is_zero_matrix and W.rank() == Y.shape[1]):
                failures.append({**case, "failed": "W solves the ridge normal equations with rank k"})
                continue
            F_S = _full_column_pinv(W)  # (W Y_S⁻¹)⁺ with Y_S = I
            X_S = F_S * _full_column_pinv(product).T
            conditions = {"W in Range(Π)": ((sp.eye(product.shape[0]) - product * _full_column_pinv(product)) * W).is_zero_matrix,
                          "φ(X_S) = F_S": (X_S * product.T - F_S).is_zero_matrix,
                          "W_S = W": ((X_S * product.T).pinv() - W).is_zero_matrix}
            failures += [{**case, "failed": name} for name, ok in conditions.items() if not ok]
    return Outcome.decide(not failures, failures or None, "" if not failures else "a KRR target is not reproduced exactly",
                          cases=cases)


THEOREM = register(
    Theorem(
        id="chen-huang-weng/theorem-5.3",
        title="Deep linear feature maps: the range condition and the k / k+1-point constructions",
        source=f"{SOURCE}, Theorem 5.3 (our provable reading; see the module docstring)",
        claim=("For φ(x) = Πx with d < p, a target W is reproducible iff Range(W) ⊆ Range(Π); general targets fail "
               "with k (indeed any number of) points; for KRR-trained W, X_S = Π⁺F_S works with k points and with "
               "k + 1 points when the free part Z is projected into Range(Π). The stated H system yields k + 1 "
               "points that the model interpolates whenever H has full rank, but its two H conditions do not "
               "by themselves give W_S = W. Findings: at the paper's widths (h₁ = p > d) the block condition "
               "never holds, and every KRR-trained W lies in Range(Π), where k points suffice."),
        statement=statement,
        assumptions=(
            Assumption("Range(W) ⊆ Range(Π)", "the target is in the span of the network's image (true for KRR on φ(X))"),
            Assumption("Z ∈ Range(Π)", "the free direction of the extra point lies in the image"),
        ),
        checks=checks.freeze(),
        construction=distill_deep_linear,
        conventions=CONVENTIONS,
    )
)
