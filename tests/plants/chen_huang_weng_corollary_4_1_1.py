"""Planted failures for chen-huang-weng/corollary-4.1.1."""

from constructions.krr_distill import admissible_operator

from tests.plants import Plant


def particular_solution_only(W, Y_S, R):
    """Ignores the real samples: G = W Y_S⁺ (admissible, but not the closest)."""
    return admissible_operator(W, Y_S)


def halfway(W, Y_S, R):
    """Moves only halfway from R: G = (G* + R)/2, not admissible."""
    return (admissible_operator(W, Y_S, R) + R) / 2


def one_hot_like_labels(F_hat, W):
    """Labels that ignore the real points: the first k rows of the identity, repeated."""
    import numpy as np

    m, k = F_hat.shape[0], W.shape[1]
    return np.eye(k)[np.arange(m) % k]


PLANTS = {
    "chen-huang-weng/corollary-4.1.1::closest-admissible": [Plant("ignores the real samples", {"closest": particular_solution_only}),
                                                          Plant("halfway, not admissible", {"closest": halfway})],
    "chen-huang-weng/corollary-4.1.1::soft-labels-minimise-residual": [Plant("one-hot labels", {"labels": one_hot_like_labels})],
}
