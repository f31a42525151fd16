"""Planted failures for selvan-chen/quantization."""

import numpy as np
import sympy as sp

from constructions.condensers import Quantiser, lloyd, quantiser_from

from tests.plants import Plant


def without_cluster_size(points, c):
    """Parallel-axis identity with |C| dropped from the last term."""
    mean = sum(points, sp.zeros(*c.shape)) / len(points)

    def sq(v):
        return (v.T * v)[0, 0]

    return sum(sq(p - c) for p in points) - sum(sq(p - mean) for p in points) - sq(mean - c)


def uniform_weights(X, start):
    """Lloyd's centroids with uniform weights instead of cluster masses."""
    q = lloyd(X, X[start])
    k = q.centroids.shape[0]
    return Quantiser(q.centroids, np.full(k, 1.0 / k), q.assignment, q.inertia, q.iterations)


def no_iterations(X, start):
    """The starting subset itself: not a Lloyd fixed point."""
    return quantiser_from(X, X[start])


def shifted_start(X, start):
    """'Lloyd' that returns the start shifted by one unit: worse than where it began."""
    return quantiser_from(X, X[start] + 1.0)


def tiny_moves_only(X, q, width, height):
    """Only a tiny move, which keeps the assignment."""
    return [(0, np.array([1e-6, 0.0]))]


def random_subset_quantiser(X, k, rng):
    """A random k-subset with uniform weights posing as the quantiser."""
    subset = X[rng.choice(X.shape[0], k, replace=False)]
    q = quantiser_from(X, subset)
    return Quantiser(subset, np.full(k, 1.0 / k), q.assignment, q.inertia, 0)


PLANTS = {
    "selvan-chen/quantization::parallel-axis": [Plant("|C| dropped", {"remainder": without_cluster_size})],
    "selvan-chen/quantization::w2-equals-inertia": [Plant("uniform centroid weights", {"quantise": uniform_weights})],
    "selvan-chen/quantization::local-moves": [Plant("not a fixed point", {"quantise": no_iterations})],
    "selvan-chen/quantization::lloyd-beats-its-start": [Plant("ends away from its start", {"quantise": shifted_start})],
    "selvan-chen/quantization::global-move": [Plant("only a tiny move", {"moves": tiny_moves_only})],
    "selvan-chen/quantization::fashion-mnist-subsets": [Plant("a random subset as quantiser", {"quantise": random_subset_quantiser})],
}
