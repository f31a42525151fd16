"""Chen, Huang & Weng, Proposition 4.1: when the distilled points of Theorem 4.1 are full rank.

Statement (rows are examples). With m ≥ k, W ∈ ℝ^{p×k} and Y_S ∈ ℝ^{m×k} of rank k, m ≤ p, the operator
G = W Y_S⁺ + Z(I − Y_S Y_S⁺) — and hence X_S, which shares its rank — has full rank m whenever Z has
full rank and Range(W) ∩ Range(Z(I − Y_S Y_S⁺)) = {0}. A Gaussian Z satisfies both almost surely
(p ≥ m: a random (m−k)-dimensional subspace misses the fixed k-dimensional Range(W)).

Why: write Y_S Y_S⁺ = Q Qᵀ and I − Y_S Y_S⁺ = N Nᵀ with [Q N] orthogonal; then G [Q N] = [W Y_S⁺Q, Z N]
has rank k + (m − k) = m exactly when the two blocks are full rank with independent ranges.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from constructions.krr_distill import admissible_operator, features_from_operator
from theorems import Assumption, Checks, Kind, Outcome, Theorem, Violation, register, search
from theorems.chen_huang_weng._common import CONVENTIONS, SOURCE, build_operator, operator_parameters, operator_problem
from theorems.domains import parametric, tuples
from theorems.searching import counterexample_outcome, property_outcome
from theorems.tolerances import unit_roundoff


def statement():
    k, m = sp.symbols("k m", integer=True, positive=True)
    return [sp.Eq(sp.Symbol("rank(G)"), k + (m - k)), sp.Implies(sp.Symbol("Range(W) ∩ Range(Z N) = {0}"),
                                                               sp.Eq(sp.Symbol("rank(X_S)"), m))]


def gaussian_z(W, Y_S, rng):
    """Z with i.i.d. N(0, 1) entries."""
    return rng.normal(size=(W.shape[0], Y_S.shape[0]))


def z_inside_range_of_w(W, Y_S, rng):
    """Z = W A: its columns lie in Range(W), violating Range(W) ∩ Range(Z) = {0}."""
    return W @ rng.normal(size=(W.shape[1], Y_S.shape[0]))


def rank_floor(matrix: np.ndarray) -> float:
    """Smallest singular value that still counts as nonzero: 10·size·u·‖M‖₂."""
    return 10 * max(matrix.shape) * unit_roundoff() * np.linalg.norm(matrix, 2)


checks = Checks()


def _problem():
    """(W, Y_S, seed for Z) with m − k ∈ {1, 2, 3}: the grid of ``operator_problem`` (k, m, p, κ(W), κ(Y_S),
    scales), Z's seed drawn."""
    @st.composite
    def draw(draw):
        W, Y_S, _ = draw(operator_problem(extra=(1, 3)))
        return W, Y_S, draw(st.integers(0, 2**32 - 1))

    def build(params, rng):
        W, Y_S, _ = build_operator(params, rng)
        return W, Y_S, int(rng.integers(0, 2**32 - 1))

    return parametric(draw(), tuples(*operator_parameters(extra=(1, 3))), build,
                      description="(W, Y_S, seed): operator_problem with m − k ∈ {1, 2, 3}")


@checks.add("gaussian-z-full-rank", Kind.PROPERTY)
def gaussian_full_rank(ctx, sample_z=gaussian_z) -> Outcome:
    """For random W, Y_S (m > k, p ≥ m) and Z from ``sample_z`` (Gaussian), G and the constructed X_S
    have rank m: σ_m(X_S) exceeds 10·size·u·‖X_S‖₂."""

    def prop(args):
        W, Y_S, seed = args
        Z = sample_z(W, Y_S, np.random.default_rng(seed))
        X_S, _ = features_from_operator(admissible_operator(W, Y_S, Z))
        m = Y_S.shape[0]
        singular = np.linalg.svd(X_S, compute_uv=False)
        smallest = singular[m - 1] if singular.size >= m else 0.0
        if X_S.shape[0] < m or smallest <= rank_floor(X_S):
            raise Violation(f"X_S is rank-deficient (σ_m = {smallest:.3g})", sigma_m=smallest)
        return {"inverse_condition": singular[0] / smallest}

    return property_outcome(search(ctx, _problem(), prop, fraction=0.15, label="gauss"))


@checks.add("overlapping-ranges", Kind.COUNTEREXAMPLE)
def overlapping_ranges(ctx, sample_z=z_inside_range_of_w) -> Outcome:
    """Drop 'Range(W) ∩ Range(Z) = {0}': with Z = W A every column of G lies in Range(W), so
    rank X_S ≤ k < m; the search exhibits m > k where σ_m(G) is below rounding while σ_k(G) is not."""

    def prop(args):
        W, Y_S, seed = args
        Z = sample_z(W, Y_S, np.random.default_rng(seed))
        G = admissible_operator(W, Y_S, Z)
        singular = np.linalg.svd(G, compute_uv=False)
        m = Y_S.shape[0]
        if singular[m - 1] <= rank_floor(G):
            raise Violation(f"rank G < m = {m}: the distilled points are linearly dependent",
                            m=m, k=W.shape[1], sigma_m=singular[m - 1])
        return None

    return counterexample_outcome(search(ctx, _problem(), prop, fraction=0.1, label="overlap"),
                                  "Range(W) ∩ Range(Z) = {0}")


THEOREM = register(
    Theorem(
        id="chen-huang-weng/proposition-4.1",
        title="The distilled points of Theorem 4.1 are full rank for generic Z",
        source=f"{SOURCE}, Proposition 4.1",
        claim=("For m ≥ k and W, Y_S of rank k, X_S is full rank when Z is full rank with "
               "Range(W) ∩ Range(Z) = {0}; Gaussian Z works almost surely."),
        statement=statement,
        assumptions=(
            Assumption("rank W = rank Y_S = k", "model and labels of full rank k"),
            Assumption("Range(W) ∩ Range(Z) = {0}", "the free part Z adds directions W does not have"),
        ),
        checks=checks.freeze(),
        construction=admissible_operator,
        conventions=CONVENTIONS,
        status="theorem",
    )
)
