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
from theorems.chen_huang_weng._common import (CONVENTIONS, SOURCE, build_operator, operator_domain, operator_parameters,
                                              operator_problem, recovery_ratio, retrain)
from theorems.domains import integers, interval, parametric, sampled, tuples
from theorems.searching import counterexample_outcome, property_outcome, within
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


def independent_bound(G) -> float:
    """1/(4σ'₁²) as a caller computes it with its own SVD (not the construction's ``lambda_s_bound``): the
    larger of the bounds from the singular values of G and of Gᵀ (two LAPACK paths, no singular vectors).
    Each lies within the SVD's rounding of the true bound, so the construction must accept either; the
    larger sits above the construction's own bound on about half the operator grid, so a construction
    without a rounding band (or one narrower than the SVD's error) refuses it."""
    top = min(np.linalg.svd(G, compute_uv=False)[0], np.linalg.svd(G.T, compute_uv=False)[0])
    return 1.0 / (4.0 * top**2)


def root_error(primes: np.ndarray, lam: float, size: int, kappa: float = 1.0) -> np.ndarray:
    """Relative error of σ = (1 ± r)/(2σ'), r = √(1 − 4λσ'²), computed from σ'ᵢ known within
    size·κ·u·σ'₁ (an SVD, or a solve of condition κ): 1 − 4λσ'ᵢ² errs by 8λσ'ᵢ·dσ'ᵢ (the derivative of σ'² is
    2σ'), i.e. δᵢ = 10·8λσ'ᵢ(2·size·κ·σ'₁ + 3σ'ᵢ)·u (two SVDs and 3 roundings; 10 the project's safety factor;
    the factor 2 of the derivative was missing until the grid's σ' = (1, 1, 1) + 10⁻¹⁴ operator near the bound
    showed 1.7× that tolerance), so r errs by δ/(2r), or by √δ at the double root
    (r ≤ √δ), and σ by that much relative (both roots divide the error in r by 1 + r ≥ 1)."""
    root = np.sqrt(np.clip(1 - 4 * lam * primes**2, 0, None))
    delta = 80 * lam * primes * (2 * size * kappa * primes.max() + 3 * primes) * unit_roundoff()
    return np.where(root > np.sqrt(delta), delta / (2 * np.maximum(root, np.sqrt(delta))), np.sqrt(delta))


def expected_singular_values(G, lam_s: float, root: str) -> tuple[np.ndarray, np.ndarray]:
    """The singular values Theorem 4.1 fixes for X_S (nonzero ones, descending) and their relative
    rounding tolerance: σ = 1/σ' at λ_S = 0, else the requested root of σ'σ² − σ + λ_Sσ' = 0.
    σ' is known within size·u·σ'₁ (SVD backward error), i.e. size·u·σ'₁/σ'ᵢ relative (×10), in each of
    the two SVDs of G compared here (this check's and the construction's), hence the factor 2."""
    primes = np.linalg.svd(G, compute_uv=False)
    primes = primes[primes > primes[0] * max(G.shape) * np.finfo(float).eps]
    size = max(G.shape)
    relative = 2 * 10 * size * unit_roundoff() * primes[0] / primes
    if lam_s == 0:
        return np.sort(1 / primes)[::-1], relative
    r = np.sqrt(np.clip(1 - 4 * lam_s * primes**2, 0, None))
    values = (1 + r) / (2 * primes) if root == "+" else 2 * lam_s * primes / (1 + r)
    order = np.argsort(values)[::-1]
    return values[order], (relative + root_error(primes, lam_s, size))[order]


#: λ_S / bound on the exact-recovery grid: both ends first (0, and 1 — the bound itself, allowed with equality).
FRACTIONS_OF_BOUND = [0.0, 1.0, 1e-3, 0.3, 0.9]
ROOTS = ["+", "-"]


@checks.add("exact-recovery", Kind.PROPERTY)
def exact_recovery(ctx, construct=features_from_operator) -> Outcome:
    """For random W (p×k), labels Y_S (m×k, m ≥ k, rank k), Z and λ_S = t·1/(4σ'₁²) with the bound
    computed here from G, t ∈ {0, 10⁻³, 0.3, 0.9, 1} (t = 1: the boundary, which the theorem allows, exactly
    as ``independent_bound`` computes it — a caller's SVD may put it above the construction's own bound by
    the SVD's rounding, which the construction must accept; a dev seed-4 draw with σ' = (1, 1, 1) + 10⁻¹⁴
    had it 70 u above) and both
    roots (only '+' at λ_S = 0, called with the default λ_S and root): the construction must accept,
    return λ_S unchanged and unclipped, give X_S whose singular values are the REQUESTED root
    (``expected_singular_values``: the statement fixes the branch), and retrain to W_S = W within
    10·size·(κ(X_S) + κ(Y_S))·u·‖G‖‖Y_S‖/‖W‖ (``recovery_ratio``; retrained through the SVD)."""

    @st.composite
    def problem(draw):
        W, Y_S, Z = draw(operator_problem())
        t = draw(st.sampled_from(FRACTIONS_OF_BOUND))
        root = "+" if t == 0 else draw(st.sampled_from(ROOTS))
        return W, Y_S, Z, t, root

    def build(params, rng):
        t, root = params[7:]
        return (*build_operator(params, rng), t, "+" if t == 0 else root)

    domain = parametric(problem(), tuples(*operator_parameters(), sampled(FRACTIONS_OF_BOUND), sampled(ROOTS)), build,
                        description="(W, Y_S, Z) of operator_problem, λ_S = t × bound (t = 1: the bound itself), root")

    def prop(args):
        W, Y_S, Z, t, root = args
        G = admissible_operator(W, Y_S, Z)
        lam_s = t * independent_bound(G)  # t = 1: the bound as a caller computes it, not below it
        try:
            X_S, used = construct(G) if t == 0 else construct(G, lam_s, root=root)
        except ValueError as refusal:  # λ_S ≤ bound was decided above, from G: inside the domain
            raise Violation(f"the construction refused λ_S = {t}× the bound: {refusal}", t=t) from refusal
        if not (used == lam_s):
            raise Violation(f"asked for λ_S = {lam_s:.6g}, the construction used {used:.6g}", lam_s=lam_s, used=used)
        expected, tolerance = expected_singular_values(G, lam_s, root)
        actual = np.linalg.svd(X_S, compute_uv=False)
        # measuring X_S's singular values adds size·u·σ_max(X_S) absolute (×10)
        tolerance = tolerance + 10 * max(X_S.shape) * unit_roundoff() * actual[0] / expected
        miss = np.abs(actual[:expected.size] - expected) / expected
        root_miss = float(np.max(miss / tolerance))
        within(root_miss, 1.0, f"X_S's singular values are not the '{root}' root of Theorem 4.1", t=t)
        W_s, _ = retrain(X_S, Y_S, lam_s)  # by the SVD: normal equations break down once κ(X_S)² ≳ 1/u
        ratio = recovery_ratio(W, W_s, X_S, G, Y_S)
        within(ratio, 1.0, f"W_S differs from W by {ratio:.3g}× the tolerance", t=t)
        return {"error_over_tolerance": ratio, "root_miss_over_tolerance": root_miss}

    return property_outcome(search(ctx, domain, prop, fraction=0.5, label="recovery"))


@checks.add("bound-enforced", Kind.PROPERTY)
def bound_enforced(ctx, construct=features_from_operator) -> Outcome:
    """Above the bound no X_S exists, so the construction must say so: for λ_S = (1 + η)·1/(4σ'₁²),
    η ∈ {10⁻⁹, 10⁻⁴, 10⁻², 1} (all beyond the bound's rounding, 20·size·u), it raises ValueError by
    default, and with ``clip=True`` returns the bound (within 20·size·u relative) flagged ``clipped``,
    with G_{bound}(X_S) = G (its singular values are the '+' roots at the bound)."""

    overshoots = [1e-9, 1.0, 1e-4, 1e-2]  # the ends first

    @st.composite
    def problem(draw):
        return draw(operator_problem()), draw(st.sampled_from(overshoots))

    domain = parametric(problem(), tuples(*operator_parameters(), sampled(overshoots)),
                        lambda params, rng: (build_operator(params, rng), params[7]),
                        description="(W, Y_S, Z) of operator_problem, λ_S = (1 + η) × bound")

    def prop(args):
        (W, Y_S, Z), eta = args
        G = admissible_operator(W, Y_S, Z)
        bound = independent_bound(G)
        lam_s = (1 + eta) * bound
        try:
            construct(G, lam_s)
        except ValueError:
            pass
        else:
            raise Violation(f"λ_S = (1 + {eta:g})× the bound was accepted without clip", eta=eta)
        result = construct(G, lam_s, clip=True)
        slack = 20 * max(G.shape) * unit_roundoff()
        if not (result.clipped and abs(result.lam_s - bound) <= slack * bound):
            raise Violation(f"clip=True returned λ_S = {result.lam_s:.6g} (clipped = {result.clipped}), "
                            f"expected the bound {bound:.6g} flagged", eta=eta)
        expected, tolerance = expected_singular_values(G, bound, "+")
        actual = np.linalg.svd(result.F, compute_uv=False)[:expected.size]
        tolerance = tolerance + 10 * max(G.shape) * unit_roundoff() * actual[0] / expected
        miss = np.abs(actual - expected) / expected
        if not np.all(miss <= tolerance):
            raise Violation("the clipped X_S is not the '+' root at the bound",
                            root_miss_over_tolerance=float(np.max(miss / tolerance)))
        return {"root_miss_over_tolerance": float(np.max(miss / tolerance))}

    return property_outcome(search(ctx, domain, prop, fraction=0.25, label="enforced"))


@checks.add("necessity", Kind.PROPERTY)
def necessity(ctx, bound=lambda_s_bound) -> Outcome:
    """The 'only if' direction: for ANY X_S and λ_S > 0, G = G_{λS}(X_S) satisfies λ_S ≤ 1/(4σ'₁²)
    (so no X_S exists above the bound) and every singular value of X_S is one of the two roots for
    its σ'ᵢ (so the construction lists all solutions). X_S is drawn with singular values around √λ_S
    (on half the draws one of them exactly √λ_S, where the bound is attained). The bound is also checked
    two-sidedly against its value from the drawn singular values, 1/(4 maxᵢ(σᵢ/(σᵢ² + λ_S))²), within
    20·size·κ_sys·u relative; the roots within the perturbation bound of ``root_error``."""

    ridges, attained = [1e-2, 1e2, 1.0], [True, False]

    def example(m, p, lam, rng, exponents, at_bound):
        U, _ = np.linalg.qr(rng.normal(size=(m, m)))
        V, _ = np.linalg.qr(rng.normal(size=(p, m)))
        exponents = list(exponents)
        if at_bound:
            exponents[0] = 0.0  # σ₁ = √λ_S: σ'₁ = 1/(2√λ_S), the bound equals λ_S
        singular = np.sqrt(lam) * np.exp(exponents)
        return (U * singular) @ V.T, lam, singular

    @st.composite
    def problem(draw):
        m = draw(st.integers(min_value=1, max_value=5))
        p = draw(st.integers(min_value=m, max_value=7))
        lam = draw(st.sampled_from(ridges))
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        exponents = draw(st.lists(st.floats(-2, 2), min_size=m, max_size=m))
        return example(m, p, lam, rng, exponents, draw(st.sampled_from(attained)))

    def build(params, rng):
        m, p_fraction, lam, at_bound, spread = params
        p = m + int(round(p_fraction * (7 - m)))
        # exponents at ±spread (spread = 2: the ends of [−2, 2]) in random order, or uniform inside
        exponents = rng.choice([-spread, spread], m) if spread == 2 else rng.uniform(-spread, spread, m)
        return example(m, p, lam, rng, exponents, at_bound)

    domain = parametric(problem(), tuples(integers(1, 5), interval(0.0, 1.0, points=3), sampled(ridges),
                                          sampled(attained), interval(0.0, 2.0, points=3)), build,
                        description="X_S (m ≤ 5, m ≤ p ≤ 7) with singular values √λ_S·e^[−2, 2], λ_S ∈ {10⁻², 1, 10²}")

    def prop(args):
        X_S, lam, singular = args
        G = ridge_operator(X_S, lam)
        # G comes from a solve with κ_sys = (σ_max(X_S)² + λ)/(σ_min(X_S)² + λ): its singular values err by
        # ≈ size·κ_sys·u relative, so the bound 1/(4σ'₁²) errs by twice that (×10, the safety factor).
        size, values = max(X_S.shape), np.linalg.svd(X_S, compute_uv=False)
        kappa_sys = (values.max() ** 2 + lam) / (values.min() ** 2 + lam)
        slack = 20 * size * kappa_sys * unit_roundoff()
        allowed = bound(G)
        exact = 1 / (4 * np.max(singular / (singular**2 + lam)) ** 2)
        if not (abs(allowed - exact) <= slack * exact):
            raise Violation(f"the bound is {allowed:.8g}, but from X_S's singular values it is {exact:.8g}",
                            bound=allowed, exact=exact)
        if not (lam <= allowed * (1 + slack)):
            raise Violation(f"λ_S = {lam:.6g} exceeds the claimed bound {allowed:.6g} yet X_S exists",
                            lam_s=lam, bound=allowed)
        primes = np.linalg.svd(G, compute_uv=False)
        root = np.sqrt(np.clip(1 - 4 * lam * primes**2, 0, None))
        # the '−' root (1 − r)/(2σ') written as 2λσ'/(1 + r): equal, without the cancellation of 1 − r
        roots = np.concatenate([(1 + root) / (2 * primes), 2 * lam * primes / (1 + root)])
        miss = max(np.min(np.abs(roots - value)) / value for value in singular)
        tolerance = float(root_error(primes, lam, size, kappa_sys).max()) + 10 * size * unit_roundoff()
        if not (miss <= tolerance):
            raise Violation("a singular value of X_S is not a root of the quadratic", miss=miss, tolerance=tolerance)
        return {"bound_over_lambda": allowed / lam}

    return property_outcome(search(ctx, domain, prop, fraction=0.5, label="necessity"))


def signed_permutation(size: int, rng) -> np.ndarray:
    """A random signed permutation matrix: orthogonal, and every product with it is exact."""
    return np.eye(size)[rng.permutation(size)] * rng.choice([-1.0, 1.0], size)


#: (p, m) of the exactly known operators: one column (k = m = 1, rank one) up to the grid's largest.
KNOWN_SHAPES = [(1, 1), (4, 1), (3, 3), (5, 2), (9, 7)]


@checks.add("known-operators", Kind.PROPERTY)
def known_operators(ctx, construct=features_from_operator, bound=lambda_s_bound) -> Outcome:
    """Operators whose singular values are known exactly: G = P₁ diag(s) P₂ with signed permutations P₁, P₂
    and s = s₁·(1, 1/2, 1/4, ...), s₁ ∈ {1/2, 1, 2}, shapes from 1×1 (rank one) to 9×7. Powers of two make
    every quantity exact: the bound is 1/(4s₁²) (1, 1/4, 1/16; λ_S = 1 exactly when s₁ = 1/2) and
    1 − 4λ_S s₁² = 0 at it. The bound must equal 1/(4s₁²) within 4·size·u; λ_S = 2 × bound must be refused
    (also for a rank-one G); at λ_S = bound and bound/2 both roots must come out as in
    ``expected_singular_values`` (the closed form from this check's SVD)."""
    rng = ctx.rng("known")
    cases = 0
    for p, m in KNOWN_SHAPES:
        for top in (0.5, 1.0, 2.0):
            singular = top * 0.5 ** np.arange(m)
            G = (signed_permutation(p, rng)[:, :m] * singular) @ signed_permutation(m, rng)
            exact = 1.0 / (4.0 * top**2)
            claimed = bound(G)
            if not np.isfinite(claimed):  # an infinite bound for G ≠ 0 is a wrong answer, not a rounding figure
                raise Violation(f"the bound of a {p}×{m} G with σ'₁ = {top} is {claimed}", top=top)
            within(abs(claimed - exact), 4 * max(G.shape) * unit_roundoff() * exact,
                   f"the bound of a {p}×{m} G with σ'₁ = {top} is {claimed!r}, not 1/(4σ'₁²) = {exact}", top=top)
            try:
                construct(G, 2 * exact)
            except ValueError:
                pass
            else:
                raise Violation(f"λ_S = 2 × the bound was accepted for a {p}×{m} G with σ'₁ = {top}", top=top)
            for lam_s in (exact, exact / 2):
                for root in ROOTS:
                    X_S, used = construct(G, lam_s, root=root)
                    if not (used == lam_s):
                        raise Violation(f"asked for λ_S = {lam_s!r}, the construction used {used!r}", lam_s=lam_s)
                    expected, tolerance = expected_singular_values(G, lam_s, root)
                    actual = np.linalg.svd(X_S, compute_uv=False)[:expected.size]
                    miss = float(np.max(np.abs(actual - expected) / expected / tolerance))
                    within(miss, 1.0, f"X_S's singular values are not the '{root}' root at λ_S = {lam_s}", top=top,
                           lam_s=lam_s)
                    cases += 1
    return Outcome.verified(cases=cases)


#: Rank-deficient label matrices (exactly: dependent columns by construction) and full-rank scales.
DEFICIENCIES = ["zero", "zero-column", "repeated-column"]
LABEL_SCALES = [1e-150, 1e-20, 1e20, 1e150]


@checks.add("label-rank", Kind.PROPERTY)
def label_rank(ctx, admissible=admissible_operator) -> Outcome:
    """The assumption rank Y_S = k, both ways. Y_S whose columns are dependent by construction (Y_S = 0, a
    zero column, a column repeated exactly) lies outside the theorem: the construction must refuse it
    (ValueError). Y_S of full rank k at any scale (orthonormal columns times s ∈ {10⁻¹⁵⁰, 10⁻²⁰, 10²⁰,
    10¹⁵⁰}, κ(Y_S) = 1) lies inside: it must be accepted, with G Y_S = W within
    10·size·u·‖G‖‖Y_S‖ (the products' rounding, ×10)."""
    rng = ctx.rng("labels")
    cases = 0
    for k in (1, 2, 3):
        for m in (k, k + 2):
            p = m + 2
            W, Z = rng.uniform(-1, 1, (p, k)), rng.uniform(-1, 1, (p, m))
            basis = np.linalg.qr(rng.normal(size=(m, k)))[0]
            for deficiency in DEFICIENCIES[:1] if k == 1 else DEFICIENCIES:
                Y_S = basis.copy()
                if deficiency == "zero":
                    Y_S[:] = 0.0
                elif deficiency == "zero-column":
                    Y_S[:, -1] = 0.0
                else:
                    Y_S[:, -1] = Y_S[:, 0]
                try:
                    admissible(W, Y_S, Z)
                except ValueError:
                    cases += 1
                else:
                    raise Violation(f"Y_S of rank < k = {k} ({deficiency}, m = {m}) was accepted", k=k, m=m)
            for scale in LABEL_SCALES:
                Y_S = scale * basis
                try:
                    G = admissible(W, Y_S, Z)
                except ValueError as refusal:  # rank k by construction: inside the domain
                    raise Violation(f"Y_S of rank k = {k} at scale {scale:g} was refused: {refusal}",
                                    scale=scale) from refusal
                size = max(p, m)
                tolerance = 10 * size * unit_roundoff() * np.linalg.norm(G, 2) * np.linalg.norm(Y_S, 2)
                within(float(np.linalg.norm(G @ Y_S - W, 2)), tolerance, f"G Y_S ≠ W at label scale {scale:g}",
                       scale=scale)
                cases += 1
    return Outcome.verified(cases=cases)


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
        W_s, _ = retrain(X_S, Y_S, lam_s)
        top = np.linalg.norm(G, 2)
        floor = np.linalg.svd(Y_S, compute_uv=False)[-1] * (top - 1 / (2 * np.sqrt(lam_s)))
        rounding = 10 * max(G.shape) * unit_roundoff() * top * np.linalg.norm(Y_S, 2)
        miss = np.linalg.norm(W_s - W)
        if floor > rounding and miss >= floor - rounding:
            raise Violation(f"λ_S = {factor}× bound: W_S misses W by {miss:.3g} ≥ {floor:.3g} (any X_S)",
                            miss=miss, floor=floor)
        return None

    return counterexample_outcome(search(ctx, operator_domain(extra=(0, 0)), prop, fraction=0.1, label="above"),
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

    return counterexample_outcome(search(ctx, operator_domain(), prop, fraction=0.1, label="fewer"), "m ≥ k")


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
