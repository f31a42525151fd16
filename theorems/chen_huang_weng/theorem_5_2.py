"""Chen, Huang & Weng, Theorem 5.2: for deep nonlinear injective feature maps, k points are not enough.

Statement (rows are examples). Let φ: ℝ^d → ℝ^p with d < p be a deep LeakyReLU network (injective,
not surjective). Then, in general, no set of m = k points reproduces the model W ∈ ℝ^{p×k}.

Certificate used here. Whatever Y_S and λ_S, the retrained model W_S = G_{λS}(F_S)Y_S has its columns
in the span of the features φ(x₁), …, φ(x_m) (the span lemma). If W has rank k and m = k, equality
W_S = W forces that span to be Range(W), so every φ(xᵢ) must lie in Range(W). On each activation
region the network is linear, φ(x) = D₂ B D₁ A x (Dᵢ diagonal with entries 1 or α), so if for EVERY
pair of sign patterns the matrix (I − P_W) D₂ B D₁ A has a trivial null space (σ_min above rounding),
the only point of the image inside Range(W) is φ(0) = 0 and no k-point set exists. Patterns that no
input realises only make the certificate more conservative.
"""

from __future__ import annotations

import itertools

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from constructions.feature_maps import LeakyReLUNetwork
from constructions.krr import fit_ridge_full_lambda
from constructions.krr_distill import distill_krr, label_matrix
from theorems import Assumption, Checks, Kind, Outcome, Theorem, Violation, register, search
from theorems.chen_huang_weng._common import CONVENTIONS, SOURCE, classes_and_width_domain
from theorems.domains import Domain, integers, parametric, tuples
from theorems.searching import counterexample_outcome, property_outcome, reject, within
from theorems.tolerances import unit_roundoff


def statement():
    return [sp.Implies(sp.Symbol("W_S = W, m = k"), sp.Symbol("φ(x_i) ∈ Range(W) for all i")),
            sp.Symbol("∀ patterns: null((I − P_W) D₂ B D₁ A) = {0}  ⇒  no k-point set")]


def region_matrices(network: LeakyReLUNetwork) -> np.ndarray:
    """The linear map of the network on every pair of activation patterns, stacked (2^h · 2^p, p, d)."""
    A, B = network.weights
    first = np.array(list(itertools.product((1.0, network.slope), repeat=A.shape[0])))
    second = np.array(list(itertools.product((1.0, network.slope), repeat=B.shape[0])))
    inner = first[:, :, None] * A[None]                                   # (P1, h, d)
    outer = np.einsum("ph,qhd->qpd", B, inner)                            # (P1, p, d)
    return (second[:, None, :, None] * outer[None]).reshape(-1, B.shape[0], A.shape[1])


def no_image_point_in_range(network: LeakyReLUNetwork, W: np.ndarray) -> tuple[bool, float]:
    """(certified, smallest σ_min over regions / rounding): True when no nonzero image point lies in Range(W)."""
    basis = np.linalg.svd(W, full_matrices=False)[0]
    regions = region_matrices(network)
    off = regions - np.einsum("pk,nkd->npd", basis, np.einsum("pk,npd->nkd", basis, regions))
    if off.shape[2] > off.shape[1]:
        return False, 0.0
    sigma_min = np.linalg.svd(off, compute_uv=False)[:, -1]
    rounding = 10 * max(off.shape[1:]) * unit_roundoff() * np.linalg.norm(regions, ord=2, axis=(1, 2))
    worst = float(np.min(sigma_min / rounding))
    return worst > 1, worst


def injective_example(k: int, d: int, seed: int, width_gap: int):
    """A 2-layer LeakyReLU network d → h → p with p = h = d + k + width_gap − 2 ≥ d + k, and W ∈ ℝ^{p×k}."""
    p = d + k + width_gap - 2
    network = LeakyReLUNetwork.seeded(d, (p, p), seed=seed, slope=0.1)
    W = np.random.default_rng(seed + 1).normal(size=(p, k))
    return network, W


@st.composite
def injective_problem(draw, width_gap: int = 2):
    """:func:`injective_example` for k ∈ {2, 3}, d ∈ {1, 2} and a drawn seed."""
    k = draw(st.integers(2, 3))
    d = draw(st.integers(1, 2))
    return injective_example(k, d, draw(st.integers(0, 2**32 - 1)), width_gap)


def injective_domain(width_gap: int = 2) -> Domain:
    """The domain of :func:`injective_problem`: every (k, d) ∈ {2, 3} × {1, 2}, the weights' seed drawn."""
    return parametric(injective_problem(width_gap), tuples(integers(2, 3), integers(1, 2)),
                      lambda params, rng: injective_example(*params, int(rng.integers(0, 2**32 - 1)), width_gap),
                      description=f"LeakyReLU d → p → p, p = d + k + {width_gap - 2}, k ∈ {{2, 3}}, d ∈ {{1, 2}}")


checks = Checks()


#: Above this κ(F_S) the span of the rows is numerically ill-determined (its smallest direction is within
#: 10⁸·u of rounding), so the general branch of ``span-lemma`` does not decide there.
SPAN_CONDITION_LIMIT = 1e8


def known_span(network: LeakyReLUNetwork, X_S: np.ndarray) -> np.ndarray:
    """Orthonormal basis of span{φ(xᵢ)} for a network on ℝ¹: without biases φ is positively homogeneous,
    φ(x) = |x|·φ(sign x), so the span is that of φ(1) and/or φ(−1) for the signs present — known from the
    data, whatever the rank F_S shows numerically."""
    signs = np.unique(np.sign(X_S[:, 0]))
    generators = network(signs[signs != 0].reshape(-1, 1))
    return np.linalg.svd(generators.T, full_matrices=False)[0]


@checks.add("span-lemma", Kind.PROPERTY)
def span_lemma(ctx, train=fit_ridge_full_lambda) -> Outcome:
    """For random points X_S (m = k) and labels Y_S, the model ``train`` returns has its columns in
    span{φ(xᵢ)}. Two domains, told apart from the data before training:

    * d ≥ 2 with κ(F_S) ≤ 10⁸, λ_S ∈ {0, 0.1, 10}: the span is the row space of F_S, whose computed
      basis is accurate to size·u·κ(F_S); a backward-stable ridge solve leaves W_S outside it by at most
      10·size·u·(κ(F_S)‖W_S‖ + ‖F_S‖‖Y_S‖/λ_S) (the last term: rounding of FᵀY in the null space of
      FᵀF, scaled by 1/λ_S; λ_S > 0 only);
    * d = 1 (the degenerate case: rows are multiples of φ(±1), rank 1 or 2 < k), λ_S ∈ {0.1, 10}: the span
      is known exactly (``known_span``); W_S = F_Sᵀα with ‖α‖ ≤ ‖Y_S‖/λ_S, and the rows deviate from exact
      multiples by size·u, so the bound is 10·size·u·‖F_S‖‖Y_S‖/λ_S. At λ_S = 0 a rank-deficient F_S
      makes the minimum-norm solution hinge on the pseudo-inverse's cutoff, not on the lemma: not checked.
    Other draws (d ≥ 2 with κ(F_S) > 10⁸) are outside both and rejected."""

    def prop(args):
        network, W = args
        rng = np.random.default_rng(int(abs(W[0, 0]) * 1e6))
        k = W.shape[1]
        X_S = rng.normal(size=(k, network.d))
        F_S = network(X_S)
        Y_S = rng.normal(size=(k, k))
        size, u = max(F_S.shape), unit_roundoff()
        singular = np.linalg.svd(F_S, compute_uv=False)
        degenerate = network.d == 1
        if degenerate:
            basis, ridges, kappa = known_span(network, X_S), (0.1, 10.0), 0.0
        else:
            kappa = singular[0] / singular[-1] if singular[-1] > 0 else np.inf
            if not (kappa <= SPAN_CONDITION_LIMIT):
                reject()
            basis, ridges = np.linalg.svd(F_S.T, full_matrices=False)[0], (0.0, 0.1, 10.0)
        worst = 0.0
        for lam_s in ridges:
            W_s = train(F_S, Y_S, lam_s)
            outside = np.linalg.norm(W_s - basis @ (basis.T @ W_s))
            leak = singular[0] * np.linalg.norm(Y_S) / lam_s if lam_s > 0 else 0.0
            tol = 10 * size * u * (kappa * np.linalg.norm(W_s) + leak)
            within(outside, tol, "W_S has a component outside span φ(X_S)", degenerate=float(degenerate), lam_s=lam_s)
            worst = max(worst, outside / tol)
        return {"outside_over_tolerance": worst, "saw_degenerate": float(degenerate)}

    return property_outcome(search(ctx, injective_domain(), prop, fraction=0.15, label="span"))


@checks.add("k-points-insufficient", Kind.CONSTRUCTION)
def k_points_insufficient(ctx, width_gap=2) -> Outcome:
    """The theorem's claim, found rather than asserted: the search looks for a network d → p → p
    (p = d + k + ``width_gap`` − 2) and a model W such that every activation region's map, projected off
    Range(W), is injective (σ_min / rounding > 1 for all 2^{2p} pattern pairs). Such a pair certifies
    that no k points reproduce W; verified when one is found."""

    def prop(args):
        network, W = args
        certified, margin = no_image_point_in_range(network, W)
        if certified:
            raise Violation("no nonzero image point lies in Range(W): no k-point distilled set exists",
                            d=network.d, p=network.p, k=W.shape[1], margin=margin)
        return None

    result = search(ctx, injective_domain(width_gap), prop, fraction=0.1, label="insufficient", seeking=True)
    if result.found:
        return Outcome.verified(f"found: {result.violation.message}", examples=result.tried, **result.violation.figures)
    return Outcome.falsified(None, f"no certified instance in {result.tried} examples", examples=result.tried)


@checks.add("surjective-suffices", Kind.COUNTEREXAMPLE)
def surjective_suffices(ctx, widen=0) -> Outcome:
    """Drop 'd < p' (injective, not surjective): with square layers (d = p, plus ``widen``) the
    conclusion fails — Theorem 5.1's k points reproduce W (relative error ≤ 10⁻⁸), which the search exhibits."""

    def example(k, d, seed):
        rng = np.random.default_rng(seed)
        network = LeakyReLUNetwork.seeded(d, (d + widen, d + widen), seed=seed, slope=0.1)
        X = rng.normal(size=(6 * k, d))
        return network, X, label_matrix(np.arange(6 * k) % k, k), seed

    domain = classes_and_width_domain(example, 5, "square LeakyReLU d → d → d, k ∈ {2, 3}, k ≤ d ≤ 5")

    def prop(args):
        network, X, Y, seed = args
        if not network.surjective:
            return None
        result = distill_krr(X, Y, network, 1, 0.5, seed=seed)
        if result.report.relative_error <= 1e-8:
            raise Violation(f"k = {Y.shape[1]} points reproduce W (relative error {result.report.relative_error:.2g})",
                            relative_error=result.report.relative_error)
        return None

    return counterexample_outcome(search(ctx, domain, prop, fraction=0.05, label="square"), "d < p (injective)")


THEOREM = register(
    Theorem(
        id="chen-huang-weng/theorem-5.2",
        title="Deep nonlinear injective feature maps: k points are not sufficient in general",
        source=f"{SOURCE}, Theorem 5.2",
        claim=("For a deep LeakyReLU feature map with d < p there are models W for which no set of k distilled "
               "points reproduces W (certified region by region)."),
        statement=statement,
        assumptions=(Assumption("d < p (injective)", "the network widens: its image is a d-dimensional set in ℝ^p"),),
        checks=checks.freeze(),
        construction=no_image_point_in_range,
        conventions=CONVENTIONS + "; LeakyReLU slope 0.1, two hidden layers",
    )
)
