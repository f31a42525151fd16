"""Selvan & Chen: the W2-optimal condensed set of k points is a k-means quantiser.

Statement. Let T = (1/n) Σ δ_{xᵢ} and centroids c₁..c_k with the nearest-centroid assignment
a(i) and cluster masses wⱼ = |{i : a(i) = j}|/n. Then

    W2(T, Σ wⱼ δ_{cⱼ})² = inertia / n,   inertia = Σᵢ ‖xᵢ − c_{a(i)}‖²,

because the assignment is a coupling with these marginals, and no coupling can do better than
sending every point to its nearest centroid. At a Lloyd fixed point (cⱼ = mean of cluster j), a
move cⱼ → cⱼ + δ that keeps every point's nearest centroid changes W2² by exactly wⱼ‖δ‖² ≥ 0
(parallel-axis identity Σ_{i∈Cⱼ}‖xᵢ − c‖² = Σ_{i∈Cⱼ}‖xᵢ − mⱼ‖² + |Cⱼ|‖mⱼ − c‖²), so no such move
lowers W2; and Lloyd started from any k-point subset S ends with W2 no larger than S carries
with any weights (Lloyd never increases the inertia, and mass weights are optimal for fixed points).

The assumption that matters: the move must keep the assignment. A Lloyd fixed point can be a bad
local optimum (four clusters at the corners of a wide rectangle, paired top/bottom); one large
move of a centroid to the left pair lowers W2.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from constructions.condensers import Quantiser, kmeans_plus_plus, lloyd, nearest, quantiser_from
from constructions.discrepancy import wasserstein
from theorems import Assumption, Checks, Kind, Outcome, Theorem, Violation, register, search
from theorems.domains import integers, interval, parametric, tuples
from theorems.requirements import dataset
from theorems.searching import counterexample_outcome, property_outcome
from theorems.selvan_chen._strategies import COORDINATE, coordinates, entries
from theorems.tolerances import unit_roundoff

# --- statement --------------------------------------------------------------------------------


def statement():
    n, inertia = sp.symbols("n inertia", positive=True)
    w, delta = sp.symbols("w_j ‖δ‖", nonnegative=True)
    return [sp.Eq(sp.Symbol("W2(T, Σ w_j δ_{c_j})"), sp.sqrt(inertia / n)),
            sp.Eq(sp.Symbol("W2²(c + δe_j) − W2²(c)"), w * delta**2)]


# --- checks -----------------------------------------------------------------------------------
checks = Checks()


def parallel_axis_remainder(points: list[sp.Matrix], c: sp.Matrix) -> sp.Expr:
    """Σ‖xᵢ − c‖² − Σ‖xᵢ − m‖² − |C|‖m − c‖² with m the mean of the points."""
    size = len(points)
    mean = sum(points, sp.zeros(*c.shape)) / size

    def sq(v):
        return (v.T * v)[0, 0]

    return sum(sq(p - c) for p in points) - sum(sq(p - mean) for p in points) - size * sq(mean - c)


@checks.add("parallel-axis", Kind.SYMBOLIC)
def parallel_axis(ctx, sizes=(1, 2, 3), dimension=2, remainder=parallel_axis_remainder) -> Outcome:
    """sympy: Σ_{i∈C}‖xᵢ − c‖² = Σ_{i∈C}‖xᵢ − m‖² + |C|‖m − c‖² for symbolic clusters of 1–3 points in
    ℝ²: at m = c (a Lloyd fixed point) an assignment-keeping move by δ adds |C|‖δ‖² to the inertia."""
    c = sp.Matrix(sp.symbols(f"c0:{dimension}", real=True))
    for size in sizes:
        points = [sp.Matrix(sp.symbols(f"x{i}_0:{dimension}", real=True)) for i in range(size)]
        left = sp.simplify(sp.expand(remainder(points, c)))
        if left != 0:
            return Outcome.falsified({"cluster_size": size, "remainder": str(left)}, "parallel-axis identity fails")
    return Outcome.verified(sizes=len(sizes))


@st.composite
def clustered_data(draw, max_n: int = 14, max_d: int = 3, max_k: int = 4):
    """(X, k, seed indices): n ≤ 14 points in ℝᵈ, k ≤ min(4, n) distinct starting rows."""
    d = draw(st.integers(1, max_d))
    n = draw(st.integers(2, max_n))
    X = draw(arrays(np.float64, (n, d), elements=COORDINATE))
    k = draw(st.integers(1, min(max_k, n)))
    return starting_rows(X, k, draw(st.permutations(range(n))))


def starting_rows(X: np.ndarray, k: int, order) -> tuple[np.ndarray, np.ndarray]:
    """(X, the first k rows of a permutation ``order``): the rows Lloyd starts from."""
    return X, np.array(order[:k])


def clustered_domain(max_n: int = 14, max_d: int = 3, max_k: int = 4):
    """The domain of :func:`clustered_data`: d, n and k at their ends (k = min(k, n)) and middle,
    every entry regime (all-zero data: every point and every start coincide)."""

    def build(params, rng):
        d, n, k, regime = params
        return starting_rows(coordinates(rng, (n, d), regime), min(k, n), rng.permutation(n))

    parameters = tuples(integers(1, max_d), integers(2, max_n, points=3), integers(1, max_k), entries())
    return parametric(clustered_data(max_n, max_d, max_k), parameters, build,
                      description=f"(X, start): n ≤ {max_n} points in d ≤ {max_d}, k ≤ {max_k} starting rows")


def w2_squared_tolerance(X: np.ndarray, centroids: np.ndarray) -> float:
    """Allowance on W2²: POT's exact simplex sums ≤ n + k basic cost entries ‖x − c‖² whose own
    rounding is ≤ d·u relative; inertia sums n such terms: (n + k + d)·u·max cost, twice, × 10."""
    spread = max(np.abs(X).max(), np.abs(centroids).max(), np.finfo(float).tiny)
    return 20.0 * (X.shape[0] + centroids.shape[0] + X.shape[1]) * unit_roundoff() * 4.0 * X.shape[1] * spread**2


def w2_squared(X: np.ndarray, quantiser: Quantiser) -> float:
    keep = quantiser.weights > 0
    return wasserstein(X, quantiser.centroids[keep], 2, weights_S=quantiser.weights[keep]) ** 2


def lloyd_from(X: np.ndarray, start: np.ndarray) -> Quantiser:
    return lloyd(X, X[start])


@checks.add("w2-equals-inertia", Kind.PROPERTY)
def w2_equals_inertia(ctx, quantise=lloyd_from) -> Outcome:
    """For random data (n ≤ 14, d ≤ 3) and Lloyd from a random k-subset, POT's exact W2² between the
    data and the mass-weighted centroids equals inertia/n within :func:`w2_squared_tolerance`."""

    def prop(example):
        X, start = example
        q = quantise(X, start)
        exact, claimed = w2_squared(X, q), q.inertia / X.shape[0]
        tol = w2_squared_tolerance(X, q.centroids)
        if not abs(exact - claimed) <= tol:
            raise Violation(f"W2² = {exact:.6g} but inertia/n = {claimed:.6g}", w2_squared=exact, inertia_over_n=claimed)
        return {"error_over_tolerance": abs(exact - claimed) / tol if tol > 0 else 0.0}

    return property_outcome(search(ctx, clustered_domain(), prop, fraction=0.5, label="identity"))


def moved(q: Quantiser, j: int, delta: np.ndarray) -> Quantiser:
    """The quantiser with centroid j moved by δ and the *same* weights."""
    centroids = q.centroids.copy()
    centroids[j] += delta
    return Quantiser(centroids, q.weights, q.assignment, q.inertia, q.iterations)


def candidate_moves(X: np.ndarray, q: Quantiser, rng: np.random.Generator, count: int = 8):
    """(j, δ): random directions at random scales, plus a step towards each cluster's mean."""
    spread = max(float(np.abs(X).max()), 1e-3)
    for _ in range(count):
        j = int(rng.integers(q.centroids.shape[0]))
        direction = rng.standard_normal(X.shape[1])
        yield j, direction / np.linalg.norm(direction) * spread * 10.0 ** rng.uniform(-4, 0)
    for j in range(q.centroids.shape[0]):
        members = X[q.assignment == j]
        if members.size:
            yield j, 0.5 * (members.mean(axis=0) - q.centroids[j])


@checks.add("local-moves", Kind.PROPERTY)
def local_moves(ctx, quantise=lloyd_from) -> Outcome:
    """At a Lloyd fixed point, every tried move of one centroid (random directions at scales
    10⁻⁴..1 of the data, and half-steps to the cluster means) that keeps all nearest assignments
    does not lower W2² (weights fixed): W2²(moved) ≥ W2² − :func:`w2_squared_tolerance`."""
    rng = ctx.rng("moves")

    def prop(example):
        X, start = example
        q = quantise(X, start)
        base = w2_squared(X, q)
        tried = 0
        for j, delta in candidate_moves(X, q, rng):
            shifted = moved(q, j, delta)
            if not np.array_equal(nearest(X, shifted.centroids), q.assignment):
                continue
            tried += 1
            after = w2_squared(X, shifted)
            tol = w2_squared_tolerance(X, shifted.centroids)
            if not after >= base - tol:
                raise Violation(f"moving centroid {j} by ‖δ‖ = {np.linalg.norm(delta):.3g} lowers W2² "
                                f"from {base:.6g} to {after:.6g}", decrease=base - after, tolerance=tol)
        return {"moves_tried": tried}

    return property_outcome(search(ctx, clustered_domain(), prop, fraction=0.25, label="local"))


def start_weights(X: np.ndarray, subset: np.ndarray) -> np.ndarray:
    return quantiser_from(X, subset).weights


@checks.add("lloyd-beats-its-start", Kind.PROPERTY)
def lloyd_beats_its_start(ctx, quantise=lloyd_from) -> Outcome:
    """Lloyd started from a random k-subset S ends with W2(T, quantiser) ≤ W2(T, S) both for S with
    uniform weights and for S with its own nearest-point masses (within the tolerance)."""

    def prop(example):
        X, start = example
        q = quantise(X, start)
        final = w2_squared(X, q)
        subset = X[start]
        mass = start_weights(X, subset)
        keep = mass > 0
        uniform = wasserstein(X, subset, 2) ** 2
        massed = wasserstein(X, subset[keep], 2, weights_S=mass[keep]) ** 2
        tol = w2_squared_tolerance(X, np.vstack([subset, q.centroids]))
        if not final <= min(uniform, massed) + tol:
            raise Violation(f"Lloyd ends at W2² = {final:.6g} above its start ({min(uniform, massed):.6g})",
                            final=final, start=min(uniform, massed))
        return {"excess_over_tolerance": (final - min(uniform, massed)) / tol if tol > 0 else 0.0}

    return property_outcome(search(ctx, clustered_domain(), prop, fraction=0.5, label="start"))


@st.composite
def wide_rectangle(draw):
    """Four clusters of p points at the corners of a w × h rectangle (w ≫ h), small jitter."""
    width, height = draw(st.floats(4.0, 20.0)), draw(st.floats(0.2, 1.0))
    p = draw(st.integers(1, 4))
    return rectangle_clusters(width, height, draw(arrays(np.float64, (4 * p, 2), elements=st.floats(-0.05, 0.05))))


def rectangle_clusters(width: float, height: float, jitter: np.ndarray):
    """(X, w, h): p = len(jitter)/4 points at each corner of the w × h rectangle, moved by ``jitter``."""
    corners = np.array([[0.0, 0.0], [width, 0.0], [0.0, height], [width, height]])
    return np.repeat(corners, jitter.shape[0] // 4, axis=0) + jitter, width, height


def wide_rectangle_domain():
    """The domain of :func:`wide_rectangle`: w ∈ [4, 20], h ∈ [0.2, 1], p ∈ 1…4 at their ends and
    middle; the jitter in [−0.05, 0.05] is drawn."""

    def build(params, rng):
        width, height, p = params
        return rectangle_clusters(width, height, rng.uniform(-0.05, 0.05, (4 * p, 2)))

    parameters = tuples(interval(4.0, 20.0, points=3), interval(0.2, 1.0, points=3), integers(1, 4))
    return parametric(wide_rectangle(), parameters, build, description="four clusters at the corners of a w × h rectangle")


def one_centroid_to_a_cluster(X: np.ndarray, q: Quantiser, width: float, height: float):
    """Move centroid 0 onto the left pair of clusters (a large move that changes assignments)."""
    target = np.array([0.0, height / 2])
    return [(0, target - q.centroids[0])]


@checks.add("global-move", Kind.COUNTEREXAMPLE)
def global_move(ctx, moves=one_centroid_to_a_cluster) -> Outcome:
    """Drop 'the move keeps the assignment': Lloyd from the top/bottom pairing of four clusters at
    the corners of a wide rectangle stops at a fixed point (centroids mid-bottom, mid-top); moving
    one centroid onto the left pair lowers W2² although the weights stay fixed."""

    def prop(example):
        X, width, height = example
        q = lloyd(X, np.array([[width / 2, 0.0], [width / 2, height]]))
        base = w2_squared(X, q)
        for j, delta in moves(X, q, width, height):
            after = w2_squared(X, moved(q, j, delta))
            tol = w2_squared_tolerance(X, q.centroids)
            if after < base - tol:
                raise Violation(f"one move lowers W2² from {base:.4g} to {after:.4g} at a Lloyd fixed point",
                                before=base, after=after)
        return None

    return counterexample_outcome(search(ctx, wide_rectangle_domain(), prop, fraction=0.25, label="global"),
                                  "the move keeps every nearest assignment")


def kmeans_plus_plus_quantiser(X: np.ndarray, k: int, rng: np.random.Generator) -> Quantiser:
    return lloyd(X, kmeans_plus_plus(X, k, rng))


@checks.add("fashion-mnist-subsets", Kind.REAL_DATA, needs=(dataset("fashion-mnist"),))
def fashion_mnist_subsets(ctx, quantise=kmeans_plus_plus_quantiser) -> Outcome:
    """400 seeded Fashion-MNIST test images of class 0 (pixels in [0, 1]), k = 10: the k-means++/Lloyd
    quantiser's W2 (= √(inertia/n), checked) is below that of every one of 20 random 10-subsets
    with uniform weights."""
    from empirical.datasets import load_fashion_mnist

    rng = ctx.rng("data")
    images, labels = load_fashion_mnist("test")
    X = images[rng.choice(np.flatnonzero(labels == 0), 400, replace=False)]
    q = quantise(X, 10, rng)
    quantiser_w2 = np.sqrt(w2_squared(X, q))
    identity_gap = abs(quantiser_w2**2 - q.inertia / X.shape[0])
    subsets = [wasserstein(X, X[rng.choice(400, 10, replace=False)], 2) for _ in range(20)]
    holds = quantiser_w2 < min(subsets) and identity_gap <= w2_squared_tolerance(X, q.centroids)
    return Outcome.decide(holds, None if holds else {"quantiser_w2": quantiser_w2, "best_subset_w2": min(subsets)},
                          "" if holds else "a random subset is as close in W2 as the quantiser",
                          quantiser_w2=quantiser_w2, best_subset_w2=min(subsets), median_subset_w2=float(np.median(subsets)))


THEOREM = register(
    Theorem(
        id="selvan-chen/quantization",
        title="W2 to a k-means quantiser is √(inertia/n); Lloyd fixed points resist assignment-keeping moves",
        source="Selvan & Chen (arXiv:2509.10367); Graf & Luschgy (2000), Foundations of Quantization, Lemma 4.4",
        claim=("For centroids with nearest-assignment cluster masses, W2(T, quantiser)² = inertia/n; at a Lloyd "
               "fixed point no move of one centroid that keeps every nearest assignment lowers W2; Lloyd from a "
               "k-point subset never ends above that subset's W2 (uniform or mass weights)."),
        statement=statement,
        assumptions=(
            Assumption("nearest-assignment weights", "each centroid carries the mass of the points nearest to it"),
            Assumption("the move keeps every nearest assignment", "the moved centroid set assigns every point as before"),
        ),
        checks=checks.freeze(),
        construction=lloyd,
        conventions="data uniformly weighted; inertia is the sum over points (scikit-learn's); W2 with Euclidean cost",
    )
)
