"""Planted failures for chen-huang-weng/proposition-6.1."""

import numpy as np

from tests.plants import Plant


def reflection_ignoring_labels(X, Y, feature_map):
    """A reflection along a direction that is not orthogonal to the labels: RᵀY ≠ Y."""
    F = feature_map(X)
    v = np.ones(F.shape[0]) / np.sqrt(F.shape[0])
    v[0] += 0.5
    v /= np.linalg.norm(v)
    return feature_map.preimage(F - 2 * np.outer(v, v @ F))


def the_same_data(X, Y, feature_map):
    """Returns the data unchanged (trivially the same model, but no second dataset)."""
    return X.copy()


PLANTS = {
    "chen-huang-weng/proposition-6.1::same-model-different-data": [
        Plant("reflection not orthogonal to Y", {"alternative": reflection_ignoring_labels}),
        Plant("the same data", {"alternative": the_same_data})],
    "chen-huang-weng/proposition-6.1::fashion-mnist": [
        Plant("reflection not orthogonal to Y", {"alternative": reflection_ignoring_labels})],
}
