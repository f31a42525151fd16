"""Selvan & Chen: distribution matching is the squared MMD under the linear kernel.

Statement. Let ψ be an embedding (a fixed network's features), T = {xᵢ} with weights aᵢ and
S = {x̃ⱼ} with weights bⱼ (uniform 1/n, 1/m in DM). The distribution-matching loss of one class

    DM(T, S) = ‖Σ aᵢ ψ(xᵢ) − Σ bⱼ ψ(x̃ⱼ)‖²

equals the biased (V-statistic) squared MMD under the linear kernel k(u, v) = ψ(u)ᵀψ(v):

    MMD²_lin(T, S) = Σᵢᵢ' aᵢaᵢ' ψᵢᵀψᵢ' − 2 Σᵢⱼ aᵢbⱼ ψᵢᵀψ̃ⱼ + Σⱼⱼ' bⱼbⱼ' ψ̃ⱼᵀψ̃ⱼ',

by expanding the square. Neither the unbiased estimator (diagonal terms removed) nor a
non-linear kernel on the same embedding gives DM: both assumption-drop checks exhibit the gap.

Conventions: DM sums the squared differences over embedding coordinates (not their mean) and
over classes; rows are examples.
"""

from __future__ import annotations

import itertools

import numpy as np
import sympy as sp
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from constructions.discrepancy import (
    GaussianKernel,
    LinearKernel,
    distribution_matching_loss,
    mmd2_biased,
    mmd2_unbiased,
)
from theorems import Assumption, Checks, Kind, Outcome, Theorem, Violation, register, search
from theorems.domains import integers, parametric, sampled, tuples
from theorems.requirements import TORCH, dataset
from theorems.searching import counterexample_outcome, property_outcome
from theorems.selvan_chen._references import parameters_of, reference_matrix, reference_mmd2
from theorems.selvan_chen._strategies import (
    COORDINATE,
    coordinates,
    entries,
    kernel_axis,
    kernels,
    simplex_from,
    simplex_weights,
)
from theorems.tolerances import unit_roundoff

# --- statement --------------------------------------------------------------------------------


def symbolic_dm_loss(real: list[sp.Matrix], synthetic: list[sp.Matrix], a: list, b: list) -> sp.Expr:
    """‖Σ aᵢ eᵢ − Σ bⱼ fⱼ‖² for symbolic column vectors."""
    difference = sum((w * e for w, e in zip(a, real)), sp.zeros(*real[0].shape)) - sum(
        (w * f for w, f in zip(b, synthetic)), sp.zeros(*real[0].shape))
    return (difference.T * difference)[0, 0]


def symbolic_linear_mmd2(real, synthetic, a, b) -> sp.Expr:
    """The V-statistic of the linear kernel, written as its three Gram sums."""
    def gram_sum(left, wl, right, wr):
        return sum(wi * wj * (u.T * v)[0, 0] for wi, u in zip(wl, left) for wj, v in zip(wr, right))

    return gram_sum(real, a, real, a) - 2 * gram_sum(real, a, synthetic, b) + gram_sum(synthetic, b, synthetic, b)


def statement():
    """DM(T, S) = MMD²_lin(T, S) for n = 2 real and m = 1 synthetic embedding in ℝ²."""
    e = [sp.Matrix(sp.symbols(f"e{i}_0:2", real=True)) for i in range(2)]
    f = [sp.Matrix(sp.symbols("f0_0:2", real=True))]
    a, b = [sp.Rational(1, 2)] * 2, [sp.Integer(1)]
    return sp.Eq(sp.Symbol("DM(T, S)"), sp.Symbol("MMD²_lin(T, S)")), sp.Eq(
        symbolic_dm_loss(e, f, a, b), symbolic_linear_mmd2(e, f, a, b), evaluate=False)


# --- checks -----------------------------------------------------------------------------------
checks = Checks()

# (n, m, d, weighted): real embeddings, synthetic embeddings, dimension, symbolic weights or uniform
SYMBOLIC_SIZES = [(2, 1, 2, False), (3, 2, 2, False), (2, 2, 3, True), (4, 1, 1, True)]


@checks.add("expansion", Kind.SYMBOLIC)
def expansion(ctx, sizes=tuple(SYMBOLIC_SIZES), dm=symbolic_dm_loss) -> Outcome:
    """For symbolic embeddings eᵢ, fⱼ ∈ ℝᵈ and uniform (1/n, 1/m) or symbolic weights (aᵢ, bⱼ),
    sympy expands DM − MMD²_lin and obtains exactly 0."""
    for n, m, d, weighted in sizes:
        real = [sp.Matrix(sp.symbols(f"e{i}_0:{d}", real=True)) for i in range(n)]
        synthetic = [sp.Matrix(sp.symbols(f"f{j}_0:{d}", real=True)) for j in range(m)]
        a = list(sp.symbols(f"a0:{n}")) if weighted else [sp.Rational(1, n)] * n
        b = list(sp.symbols(f"b0:{m}")) if weighted else [sp.Rational(1, m)] * m
        remainder = sp.expand(dm(real, synthetic, a, b) - symbolic_linear_mmd2(real, synthetic, a, b))
        if remainder != 0:
            return Outcome.falsified({"n": n, "m": m, "d": d, "weighted": weighted, "remainder": str(remainder)},
                                     "DM − MMD²_lin does not expand to 0")
    return Outcome.verified(sizes=len(sizes))


SCALES = (1.0, 1e-2, 1e2)
FILLS = ("uniform", "ends", "zero")
"""How :func:`embeddings_domain` fills [−1, 1] before scaling: uniform draws (the interior), every
entry ±1 (the ends of the range), every entry 0 (all embeddings equal)."""


def scaled_entries(raw: np.ndarray, scale: float) -> np.ndarray:
    """Entries in [−1, 1] times the scale s."""
    return raw * scale


@st.composite
def embeddings(draw, max_n: int = 12, max_m: int = 5, max_d: int = 8):
    """Real (n × d) and synthetic (m × d) embeddings with entries in [−s, s], s ∈ {10⁻², 1, 10²}."""
    d = draw(st.integers(1, max_d))
    n, m = draw(st.integers(1, max_n)), draw(st.integers(1, max_m))
    scale = draw(st.sampled_from(SCALES))
    element = st.floats(-1, 1, allow_nan=False, width=64)
    real = scaled_entries(draw(arrays(np.float64, (n, d), elements=element)), scale)
    synthetic = scaled_entries(draw(arrays(np.float64, (m, d), elements=element)), scale)
    return real, synthetic


def filled(rng: np.random.Generator, shape: tuple, fill: str) -> np.ndarray:
    """Entries of [−1, 1] in one of :data:`FILLS`."""
    if fill == "zero":
        return np.zeros(shape)
    if fill == "ends":
        return rng.choice([-1.0, 1.0], shape)
    return rng.uniform(-1.0, 1.0, shape)


def embeddings_domain(max_n: int = 12, max_m: int = 5, max_d: int = 8):
    """The domain of :func:`embeddings`: d, n, m at their ends and middle, every scale, and the
    entries drawn, at ±1 or all 0."""

    def build(params, rng):
        d, n, m, scale, fill = params
        return scaled_entries(filled(rng, (n, d), fill), scale), scaled_entries(filled(rng, (m, d), fill), scale)

    parameters = tuples(integers(1, max_d, points=3), integers(1, max_n, points=3), integers(1, max_m, points=3),
                        sampled(list(SCALES)), sampled(list(FILLS)))
    return parametric(embeddings(max_n, max_m, max_d), parameters, build,
                      description=f"(real, synthetic): n ≤ {max_n}, m ≤ {max_m} embeddings in d ≤ {max_d}, "
                                  "entries in [−s, s]")


def identity_tolerance(real: np.ndarray, synthetic: np.ndarray, dtype=np.float64) -> float:
    """|DM − MMD²_lin| allowed. Both are sums of products whose absolute values add up to at most
    (2R)² with R = max row norm; each is accumulated over at most N = d + n + m terms in a row
    (an inner product of length d, then sums over n and m), so each carries a rounding error
    ≤ N·u·(2R)² (Higham's γ_N); twice that for the difference, times a safety factor 10/2."""
    radius = max(np.linalg.norm(real, axis=1).max(), np.linalg.norm(synthetic, axis=1).max())
    size = real.shape[1] + real.shape[0] + synthetic.shape[0]
    return 10.0 * size * unit_roundoff(dtype) * 4.0 * radius**2 + np.finfo(float).tiny


@checks.add("random-embeddings", Kind.PROPERTY)
def random_embeddings(ctx, dm=distribution_matching_loss, mmd2=mmd2_biased) -> Outcome:
    """On random embeddings (n ≤ 12, m ≤ 5, d ≤ 8, three scales) the library's DM loss equals its
    biased linear-kernel MMD² within :func:`identity_tolerance`."""

    def prop(example):
        real, synthetic = example
        gap = abs(dm(real, synthetic) - mmd2(real, synthetic, LinearKernel()))
        tol = identity_tolerance(real, synthetic)
        if not gap <= tol:
            raise Violation(f"DM and MMD²_lin differ by {gap:.3g} > {tol:.3g}", gap_over_tolerance=gap / tol)
        return {"gap_over_tolerance": gap / tol}

    return property_outcome(search(ctx, embeddings_domain(), prop, label="embeddings"))


@st.composite
def discrete_laws(draw):
    """Two discrete laws P, Q on 1–3 atoms each in ℝᵈ (d ≤ 2) with drawn probabilities, sample sizes
    n, m ∈ {2, 3} with drawn weights (the estimator needs two points a side), and a kernel."""
    d = draw(st.integers(1, 2))
    atoms_P = draw(arrays(np.float64, (draw(st.integers(1, 3)), d), elements=COORDINATE))
    atoms_Q = draw(arrays(np.float64, (draw(st.integers(1, 3)), d), elements=COORDINATE))
    p, q = draw(simplex_weights(atoms_P.shape[0])), draw(simplex_weights(atoms_Q.shape[0]))
    a, b = draw(simplex_weights(draw(st.integers(2, 3)))), draw(simplex_weights(draw(st.integers(2, 3))))
    return atoms_P, p, atoms_Q, q, a, b, draw(kernels())


def discrete_laws_domain():
    """The domain of :func:`discrete_laws`: d ∈ {1, 2}, the atom counts (|P|, |Q|) and sample sizes
    (n, m) at their ends and mixed, every kernel, every entry regime of the atoms. The corners take
    one atom a side (two Diracs) or two; three atoms a side (3⁶ sample tuples to enumerate when
    n = m = 3) only on their own axis, which keeps the enumeration's cost near the old budget."""

    def build(params, rng):
        d, (atoms_p, atoms_q), (n, m), k, regime = params
        atoms_P, atoms_Q = coordinates(rng, (atoms_p, d), regime), coordinates(rng, (atoms_q, d), regime)
        return (atoms_P, simplex_from(rng, atoms_p), atoms_Q, simplex_from(rng, atoms_q),
                simplex_from(rng, n), simplex_from(rng, m), k)

    parameters = tuples(integers(1, 2), sampled([(2, 2), (1, 1), (3, 3), (1, 3), (3, 1)]),
                        sampled([(2, 3), (3, 3), (2, 2), (3, 2)]), kernel_axis(), entries())
    return parametric(discrete_laws(), parameters, build,
                      description="(P, Q on ≤ 3 atoms in d ≤ 2, sample weights a, b of sizes 2–3, kernel)")


def exact_expectation(estimator, atoms_P, p, atoms_Q, q, a, b, k) -> float:
    """E[estimator(X, Y)] over X₁..Xₙ i.i.d. P and Y₁..Yₘ i.i.d. Q, by summing over every tuple of atoms."""
    n, m = a.size, b.size
    total = 0.0
    for rows in itertools.product(range(atoms_P.shape[0]), repeat=n):
        for cols in itertools.product(range(atoms_Q.shape[0]), repeat=m):
            probability = float(np.prod(p[list(rows)]) * np.prod(q[list(cols)]))
            total += probability * estimator(atoms_P[list(rows)], atoms_Q[list(cols)], k, weights_T=a, weights_S=b)
    return total


@checks.add("unbiased-expectation", Kind.PROPERTY)
def unbiased_expectation(ctx, estimator=mmd2_unbiased) -> Outcome:
    """The unbiased estimator is unbiased, also with weights: for discrete laws P, Q, its exact
    expectation over all i.i.d. samples (enumerated) equals MMD²(P, Q) = pᵀK_PP p − 2pᵀK_PQ q +
    qᵀK_QQ q from the kernel's lambdified formula. E Σ_{i≠j} aᵢaⱼk(Xᵢ, Xⱼ) = (1 − Σaᵢ²)·E k(X, X'),
    so only the normaliser 1 − Σaᵢ² makes it unbiased (1 − 1/n agrees with it only for uniform
    weights). Tolerance: each value is a sum of ≤ n² + 2nm + m² terms of size ≤ κ = max |k| divided
    by the smaller normaliser ν, so it errs by ≤ (n + m)²·u·4κ/ν; the expectation adds N = |atoms|^(n+m)
    such terms (γ_N); both times 10."""

    def prop(example):
        atoms_P, p, atoms_Q, q, a, b, k = example
        expected = reference_mmd2(k.name, atoms_P, p, atoms_Q, q, parameters_of(k))
        value = exact_expectation(estimator, atoms_P, p, atoms_Q, q, a, b, k)
        atoms = np.vstack([atoms_P, atoms_Q])
        kappa = float(np.abs(reference_matrix(k.name, atoms, atoms, parameters_of(k))).max())
        normaliser = min(1.0 - float(a @ a), 1.0 - float(b @ b))
        tuples = atoms_P.shape[0] ** a.size * atoms_Q.shape[0] ** b.size
        tol = 10.0 * ((a.size + b.size) ** 2 + tuples) * unit_roundoff() * 4.0 * kappa / normaliser + np.finfo(float).tiny
        if not abs(value - expected) <= tol:
            raise Violation(f"E[unbiased MMD²] = {value:.8g} but MMD²(P, Q) = {expected:.8g} ({k.name} kernel)",
                            expectation=value, mmd2=expected, tolerance=tol)
        return {"error_over_tolerance": abs(value - expected) / tol}

    return property_outcome(search(ctx, discrete_laws_domain(), prop, fraction=0.25, label="expectation"))


def torch_dm_loss(real, synthetic):
    """DM as the Luo & Xu distiller trains with it (:func:`constructions.matching.dm_loss`), for one class."""
    from constructions.matching import dm_loss

    return dm_loss(real[None], synthetic[None])


@checks.add("convnet-fashion-mnist", Kind.REAL_DATA, needs=(TORCH, dataset("fashion-mnist")))
def convnet_fashion_mnist(ctx, dm=torch_dm_loss) -> Outcome:
    """Per-class DM loss of a seeded ConvNet-3 (width 32) embedding (288 features), computed in
    float32 torch by the DM distiller's own loss (:func:`constructions.matching.dm_loss`), on 20 real Fashion-MNIST test images per class and 2
    synthetic images per class (real images plus Gaussian noise), equals Σ over classes of the
    float64 linear-kernel MMD² of the same embeddings, within the float32 version of
    :func:`identity_tolerance`."""
    import torch

    from constructions.networks import build_network, seeded_generator
    from empirical.datasets import load_fashion_mnist

    rng = ctx.rng("data")
    images, labels = load_fashion_mnist("test", flatten=False)
    network = build_network("convnet-w32", generator=seeded_generator(int(rng.integers(2**62)))).eval()
    total_dm, total_mmd, tol = 0.0, 0.0, 0.0
    with torch.no_grad():
        for label in range(10):
            members = rng.choice(np.flatnonzero(labels == label), 22, replace=False)
            real = torch.as_tensor(images[members[:20], None], dtype=torch.float32)
            noise = torch.as_tensor(rng.normal(0, 0.1, (2, 1, 28, 28)), dtype=torch.float32)
            synthetic = torch.as_tensor(images[members[20:], None], dtype=torch.float32) + noise
            e_real, e_syn = network.embed(real), network.embed(synthetic)
            total_dm += float(dm(e_real, e_syn))
            r64, s64 = e_real.double().numpy(), e_syn.double().numpy()
            total_mmd += mmd2_biased(r64, s64, LinearKernel())
            tol += identity_tolerance(r64, s64, np.float32)
    gap = abs(total_dm - total_mmd)
    return Outcome.decide(gap <= tol, {"dm": total_dm, "mmd2_linear": total_mmd},
                          "" if gap <= tol else "ConvNet DM loss differs from Σ MMD²_lin",
                          dm=total_dm, mmd2_linear=total_mmd, gap_over_tolerance=gap / tol)


def gaussian_on_embeddings(real: np.ndarray, synthetic: np.ndarray):
    """A Gaussian kernel with bandwidth equal to the embeddings' RMS norm (never 0)."""
    rms = float(np.sqrt(np.mean(np.concatenate([real, synthetic]) ** 2) * real.shape[1]))
    return GaussianKernel(max(rms, 1e-3))


@checks.add("nonlinear-kernel", Kind.COUNTEREXAMPLE)
def nonlinear_kernel(ctx, make_kernel=gaussian_on_embeddings) -> Outcome:
    """Drop 'linear kernel': with a Gaussian kernel on the same embeddings, MMD² and DM differ by
    more than the tolerance (the Gaussian MMD also sees higher moments, and its scale differs)."""

    def prop(example):
        real, synthetic = example
        gap = abs(distribution_matching_loss(real, synthetic) - mmd2_biased(real, synthetic,
                                                                             make_kernel(real, synthetic)))
        tol = identity_tolerance(real, synthetic)
        if gap > tol:
            raise Violation(f"Gaussian MMD² and DM differ by {gap:.3g} > {tol:.3g}", gap=gap, tolerance=tol)
        return None

    return counterexample_outcome(search(ctx, embeddings_domain(), prop, label="gaussian"), "linear kernel")


@checks.add("unbiased-estimator", Kind.COUNTEREXAMPLE)
def unbiased_estimator(ctx, estimator=mmd2_unbiased) -> Outcome:
    """Drop 'biased (V-statistic) estimator': the unbiased linear MMD² removes the diagonal terms
    ‖ψᵢ‖² and so differs from DM, for embeddings with at least 2 real and 2 synthetic points."""

    def prop(example):
        real, synthetic = example
        if real.shape[0] < 2 or synthetic.shape[0] < 2:
            return None
        gap = abs(distribution_matching_loss(real, synthetic) - estimator(real, synthetic, LinearKernel()))
        tol = identity_tolerance(real, synthetic)
        if gap > tol:
            raise Violation(f"unbiased MMD² and DM differ by {gap:.3g} > {tol:.3g}", gap=gap, tolerance=tol)
        return None

    return counterexample_outcome(search(ctx, embeddings_domain(), prop, label="unbiased"), "biased estimator")


THEOREM = register(
    Theorem(
        id="selvan-chen/dm-is-linear-mmd",
        title="Distribution matching is the squared linear-kernel MMD of the embeddings",
        source="Selvan & Chen, A Discrepancy-Based Perspective on Dataset Condensation (arXiv:2509.10367), §DM",
        claim=("The distribution-matching loss ‖mean ψ(T) − mean ψ(S)‖² equals the biased squared MMD between "
               "T and S under the linear kernel ψ(u)ᵀψ(v) on the embedding (also with weights); the unbiased "
               "estimator or a non-linear kernel does not give it."),
        statement=statement,
        assumptions=(
            Assumption("linear kernel", "the kernel is k(u, v) = ψ(u)ᵀψ(v) on the embedding"),
            Assumption("biased estimator", "the MMD² is the V-statistic (diagonal terms kept)"),
        ),
        checks=checks.freeze(),
        construction=distribution_matching_loss,
        conventions="DM sums squared differences over coordinates (not their mean) and over classes; rows are examples",
    )
)
