"""Chen, Huang & Weng, Theorem 4.1: distilled data for linear ridge regression, exactly characterised.

Statement (rows are examples; the paper's D is our Gᵀ). Let W ∈ ℝ^{p×k} be the trained model and
Y_S ∈ ℝ^{m×k} the distilled labels. The model trained on (X_S, Y_S) with ridge λ_S is
W_S = G_{λS}(X_S) Y_S, G_λ(X) = Xᵀ(XXᵀ + λI)⁻¹ (X⁺ when λ = 0).

* m < k: for W of rank k no X_S works (rank W_S ≤ m < k).
* m ≥ k, rank Y_S = k: W_S = W iff G_{λS}(X_S) = G := W Y_S⁺ + Z(I − Y_S Y_S⁺) for some Z. With
  the reduced SVD G = U diag(σ'ᵢ) Vᵀ:
  λ_S = 0: X_S = G⁺;  λ_S > 0: a solution exists iff λ_S ≤ 1/(4σ'₁²), and then
  X_S = V diag(σᵢ) Uᵀ with σᵢ = (1 ± √(1 − 4λ_Sσ'ᵢ²))/(2σ'ᵢ).

Why: G_λ(X) has the singular vectors of Xᵀ and singular values σ/(σ² + λ), which never exceed
1/(2√λ); solving σ/(σ² + λ) = σ' for σ is the quadratic σ'σ² − σ + λσ' = 0.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from constructions.krr import fit_ridge_full_lambda
from constructions.krr_distill import admissible_operator, features_from_operator, lambda_s_bound, ridge_operator
from theorems import Assumption, Checks, Kind, Outcome, Theorem, Violation, register, search
from theorems.chen_huang_weng._common import CONVENTIONS, SOURCE, operator_problem, recovery_ratio
from theorems.search import counterexample_outcome, property_outcome
from theorems.tolerances import unit_roundoff

SIGMA, SIGMA_P, LAM = sp.symbols("sigma sigma_prime lambda_S", positive=True)


def statement():
    """σ/(σ² + λ_S) = σ' ⇔ σ = (1 ± √(1 − 4λ_Sσ'²))/(2σ'), real iff λ_S ≤ 1/(4σ'²)."""
    roots = claimed_roots(SIGMA_P, LAM)
    return [sp.Eq(SIGMA / (SIGMA**2 + LAM), SIGMA_P), sp.Eq(sp.Symbol("sigma_±"), roots[0]),
            sp.Le(LAM, 1 / (4 * SIGMA_P**2))]


def claimed_roots(sigma_prime, lam):
    """The two singular values of X_S that give singular value σ' of G_{λS}(X_S)."""
    disc = sp.sqrt(1 - 4 * lam * sigma_prime**2)
    return (1 + disc) / (2 * sigma_prime), (1 - disc) / (2 * sigma_prime)


checks = Checks()


@checks.add("singular-value-roots", Kind.SYMBOLIC)
def singular_value_roots(ctx, roots=claimed_roots) -> Outcome:
    """sympy: both claimed roots satisfy σ/(σ² + λ_S) = σ' identically, they are all the solutions of
    the quadratic, and the largest value of σ/(σ² + λ_S) over σ > 0 is 1/(2√λ_S) (so a solution exists
    iff λ_S ≤ 1/(4σ'²))."""
    candidates = roots(SIGMA_P, LAM)
    residuals = [sp.simplify(sp.together(c / (c**2 + LAM) - SIGMA_P)) for c in candidates]
    solutions = set(sp.solve(sp.Eq(SIGMA_P * SIGMA**2 - SIGMA + LAM * SIGMA_P, 0), SIGMA))
    same_set = {sp.simplify(s) for s in solutions} == {sp.simplify(c) for c in candidates}
    ratio = SIGMA / (SIGMA**2 + LAM)
    critical = sp.solve(sp.diff(ratio, SIGMA), SIGMA)
    peak = sp.simplify(ratio.subs(SIGMA, critical[0])) if critical else None
    holds = all(r == 0 for r in residuals) and same_set and peak is not None and sp.simplify(peak - 1 / (2 * sp.sqrt(LAM))) == 0
    return Outcome.decide(holds, None if holds else {"residuals": [str(r) for r in residuals], "peak": str(peak)},
                          "" if holds else "the claimed roots do not solve σ/(σ²+λ_S) = σ'", roots=len(candidates))


@checks.add("exact-recovery", Kind.PROPERTY)
def exact_recovery(ctx, construct=features_from_operator) -> Outcome:
    """For random W (p×k), labels Y_S (m×k, m ≥ k, rank k), Z, λ_S ∈ {0} ∪ t·1/(4σ'₁²) with t ≤ 0.9
    and either root, the constructed X_S retrained with λ_S gives W_S = W within
    10·size·(κ(X_S) + κ(Y_S))·u·‖G‖‖Y_S‖/‖W‖ (``recovery_tolerance``), and G_{λS}(X_S) = G."""

    @st.composite
    def problem(draw):
        W, Y_S, Z = draw(operator_problem())
        t = draw(st.sampled_from([0.0, 1e-3, 0.3, 0.9]))
        root = draw(st.sampled_from(["+", "-"]))
        return W, Y_S, Z, t, root

    def prop(args):
        W, Y_S, Z, t, root = args
        G = admissible_operator(W, Y_S, Z)
        lam_s = t * lambda_s_bound(G)
        if root == "-" and lam_s == 0:
            root = "+"  # the '−' branch is σ = 0 when λ_S = 0: no points at all
        X_S, lam_s = construct(G, lam_s, root=root)
        W_s = fit_ridge_full_lambda(X_S, Y_S, lam_s)
        # near the bound the two roots merge: dσ/dσ' grows like 1/√(1 − t)
        ratio = recovery_ratio(W, W_s, X_S, G, Y_S, lam_s) * np.sqrt(max(1.0 - t, 1e-12))
        if ratio > 1:
            raise Violation(f"W_S differs from W by {ratio:.3g}× the tolerance", error_over_tolerance=ratio)
        return {"error_over_tolerance": ratio}

    return property_outcome(search(ctx, problem(), prop, label="recovery"))


@checks.add("necessity", Kind.PROPERTY)
def necessity(ctx, bound=lambda_s_bound) -> Outcome:
    """The 'only if' direction: for ANY X_S and λ_S > 0, G = G_{λS}(X_S) satisfies λ_S ≤ 1/(4σ'₁²)
    (so no X_S exists above the bound) and every singular value of X_S is one of the two roots for
    its σ'ᵢ (so the construction lists all solutions). X_S is drawn with singular values around √λ_S,
    where the bound is tight; slack 20·size·κ_sys·u relative on the bound, and on the roots the perturbation
    bound derived next to the comparison (δ/(2r), or √δ at the double root r ≈ 0)."""

    @st.composite
    def problem(draw):
        m = draw(st.integers(min_value=1, max_value=5))
        p = draw(st.integers(min_value=m, max_value=7))
        lam = draw(st.sampled_from([1e-2, 1.0, 1e2]))
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        U, _ = np.linalg.qr(rng.normal(size=(m, m)))
        V, _ = np.linalg.qr(rng.normal(size=(p, m)))
        singular = np.sqrt(lam) * np.exp(draw(st.lists(st.floats(-2, 2), min_size=m, max_size=m)))
        return (U * singular) @ V.T, lam, singular

    def prop(args):
        X_S, lam, singular = args
        G = ridge_operator(X_S, lam)
        # G comes from a solve with κ_sys = (σ_max(X_S)² + λ)/(σ_min(X_S)² + λ): its singular values err by
        # ≈ size·κ_sys·u relative, so the bound 1/(4σ'₁²) errs by twice that (×10, the safety factor).
        size, values = max(X_S.shape), np.linalg.svd(X_S, compute_uv=False)
        kappa_sys = (values.max() ** 2 + lam) / (values.min() ** 2 + lam)
        slack = 20 * size * kappa_sys * unit_roundoff()
        allowed = bound(G)
        if lam > allowed * (1 + slack):
            raise Violation(f"λ_S = {lam:.6g} exceeds the claimed bound {allowed:.6g} yet X_S exists",
                            lam_s=lam, bound=allowed)
        primes = np.linalg.svd(G, compute_uv=False)
        root = np.sqrt(np.clip(1 - 4 * lam * primes**2, 0, None))
        # the '−' root (1 − r)/(2σ') written as 2λσ'/(1 + r): equal, without the cancellation of 1 − r
        roots = np.concatenate([(1 + root) / (2 * primes), 2 * lam * primes / (1 + root)])
        miss = max(np.min(np.abs(roots - value)) / value for value in singular)
        # Rounding: G comes from a solve with κ_sys = (σ_max(X_S)² + λ)/(σ_min(X_S)² + λ), so each σ'ᵢ errs
        # by ≈ size·κ_sys·u·‖G‖, and evaluating 4λσ'ᵢ² adds 3 roundings: 1 − 4λσ'ᵢ² errs by
        # δᵢ = 10·4λσ'ᵢ·(2·size·κ_sys·‖G‖ + 3σ'ᵢ)·u (10: the project's safety factor). Then r = √(1 − 4λσ'²)
        # errs by δ/(2r), or by √δ at the double root (r ≤ √δ), and σ = (1 ± r)/(2σ') by that much relative.
        delta = 40 * lam * primes * (2 * size * kappa_sys * primes.max() + 3 * primes) * unit_roundoff()
        root_error = np.where(root > np.sqrt(delta), delta / (2 * np.maximum(root, np.sqrt(delta))), np.sqrt(delta))
        tolerance = float(root_error.max()) + 10 * size * unit_roundoff()
        if miss > tolerance:
            raise Violation("a singular value of X_S is not a root of the quadratic", miss=miss, tolerance=tolerance)
        return {"bound_over_lambda": allowed / lam}

    return property_outcome(search(ctx, problem(), prop, label="necessity"))


@checks.add("above-bound", Kind.COUNTEREXAMPLE)
def above_bound(ctx, factor=1.01) -> Outcome:
    """Drop 'λ_S ≤ 1/(4σ'₁²)': at λ_S = factor × bound no X_S reproduces W. With m = k, G = W Y_S⁻¹ is
    the only admissible operator and every G_{λS}(X_S) has norm ≤ 1/(2√λ_S) < ‖G‖₂, so for ANY X_S
    ‖W_S − W‖ ≥ σ_min(Y_S)(‖G‖₂ − 1/(2√λ_S)) =: floor. The search exhibits a case where the floor
    exceeds rounding, and the clipped construction (built for the bound, trained with λ_S) misses by
    at least the floor."""

    def prop(args):
        W, Y_S, Z = args
        G = admissible_operator(W, Y_S, Z)
        lam_s = factor * lambda_s_bound(G)
        X_S, _ = features_from_operator(G, lam_s, clip=True)
        W_s = fit_ridge_full_lambda(X_S, Y_S, lam_s)
        top = np.linalg.norm(G, 2)
        floor = np.linalg.svd(Y_S, compute_uv=False)[-1] * (top - 1 / (2 * np.sqrt(lam_s)))
        rounding = 10 * max(G.shape) * unit_roundoff() * top * np.linalg.norm(Y_S, 2)
        miss = np.linalg.norm(W_s - W)
        if floor > rounding and miss >= floor - rounding:
            raise Violation(f"λ_S = {factor}× bound: W_S misses W by {miss:.3g} ≥ {floor:.3g} (any X_S)",
                            miss=miss, floor=floor)
        return None

    return counterexample_outcome(search(ctx, operator_problem(extra=(0, 0)), prop, fraction=0.2, label="above"),
                                  "λ_S ≤ 1/(4σ'₁²)")


@checks.add("fewer-than-k", Kind.COUNTEREXAMPLE)
def fewer_than_k(ctx, points_short=1) -> Outcome:
    """Drop 'm ≥ k': with m = k − ``points_short`` points, W_S = G_{λS}(X_S) Y_S has rank ≤ m, so by
    Eckart–Young every X_S misses W by at least σ_k(W); the search exhibits W with σ_k(W) above
    rounding, and the best attempt (G = W Y_S⁺, X_S = G⁺) misses by at least σ_k(W)."""

    def prop(args):
        W, Y_S, _ = args
        k = W.shape[1]
        m = k - points_short
        if m < 1:
            return None
        Y_small = Y_S[:m]
        G = W @ np.linalg.pinv(Y_small)
        X_S, _ = features_from_operator(G) if np.linalg.norm(G) > 0 else (np.zeros((m, W.shape[0])), 0.0)
        W_s = fit_ridge_full_lambda(X_S, Y_small, 0.0)
        sigma_k = np.linalg.svd(W, compute_uv=False)[k - 1]
        rounding = 10 * max(W.shape) * unit_roundoff() * np.linalg.norm(W, 2)
        miss = np.linalg.norm(W_s - W)
        if sigma_k > rounding and miss >= sigma_k - rounding:
            raise Violation(f"{m} < k = {k} points miss W by {miss:.3g} ≥ σ_k(W) = {sigma_k:.3g}",
                            k=k, points=m, miss=miss, sigma_k=sigma_k)
        return None

    return counterexample_outcome(search(ctx, operator_problem(), prop, fraction=0.2, label="fewer"), "m ≥ k")


THEOREM = register(
    Theorem(
        id="chen-huang-weng/theorem-4.1",
        title="Distilled data for linear ridge regression: necessary and sufficient conditions",
        source=f"{SOURCE}, Theorem 4.1",
        claim=("With m ≥ k distilled points and labels of rank k, W_S = W iff G_{λS}(X_S) = W Y_S⁺ + Z(I − Y_S Y_S⁺); "
               "for λ_S = 0 this is X_S = G⁺, for λ_S > 0 it is solvable iff λ_S ≤ 1/(4σ'₁²) with "
               "σᵢ = (1 ± √(1 − 4λ_Sσ'ᵢ²))/(2σ'ᵢ); with m < k no X_S works for W of rank k."),
        statement=statement,
        assumptions=(
            Assumption("m ≥ k", "at least as many distilled points as classes"),
            Assumption("rank Y_S = k", "the distilled labels have full column rank"),
            Assumption("λ_S ≤ 1/(4σ'₁²)", "the distilled ridge is below the bound set by the top singular value of G"),
        ),
        checks=checks.freeze(),
        construction=features_from_operator,
        conventions=CONVENTIONS,
    )
)
