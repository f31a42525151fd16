"""Planted failures for izzo-zou/theorem-3."""

import numpy as np
import sympy as sp

from constructions.linear import LinearDistillation, distill_linear_regression
from theorems.izzo_zou.theorem_3 import squared_loss

from tests.plants import Plant


def scaled_labels(X, y, normalised=False):
    """Labels off by 0.1 %: X̃ᵀỹ ≠ Xᵀy."""
    good = distill_linear_regression(X, y, normalised=normalised)
    return LinearDistillation(good.X, good.y * 1.001 + 1e-3, good.rank, good.dimension, normalised, "planted")


def stretched_points(X, y, normalised=False):
    """Points stretched by 1 %: X̃ᵀX̃ ≠ XᵀX."""
    good = distill_linear_regression(X, y, normalised=normalised)
    return LinearDistillation(good.X * 1.01, good.y, good.rank, good.dimension, normalised, "planted")


def one_point_too_many(X, y, normalised=False):
    """A zero row appended: the point count no longer equals rank(X)."""
    good = distill_linear_regression(X, y, normalised=normalised)
    return LinearDistillation(np.vstack([good.X, np.zeros(good.X.shape[1])]), np.append(good.y, 0.0),
                              good.rank, good.dimension, normalised, "planted")


def ignores_normalisation(X, y, normalised=False):
    """Forgets the √(m/n) rescaling for the averaged loss."""
    return distill_linear_regression(X, y, normalised=False)


def data_dependent_loss(X, y, theta):
    """A loss with a θ-and-data cross term: not the squared loss the theorem is about."""
    return squared_loss(X, y, theta) + theta[0] * y[0]


def factor_without_pivots(gram):
    """Lᵀ without the D^{1/2} scaling: X̃ᵀX̃ = L Lᵀ ≠ G."""
    lower, _ = gram.LDLdecomposition(hermitian=False)
    return lower.T


PLANTS = {
    "izzo-zou/theorem-3::objective-identity": [Plant("data-dependent loss term", {"loss": data_dependent_loss})],
    "izzo-zou/theorem-3::exact-certificate": [Plant("LDLᵀ factor without D", {"factor": factor_without_pivots})],
    "izzo-zou/theorem-3::ridge-path": [Plant("labels off by 0.1%", {"distill": scaled_labels}),
                                       Plant("points stretched by 1%", {"distill": stretched_points})],
    "izzo-zou/theorem-3::elastic-net": [Plant("labels off by 0.1%", {"distill": scaled_labels})],
    "izzo-zou/theorem-3::added-data": [Plant("points stretched by 1%", {"distill": stretched_points})],
    "izzo-zou/theorem-3::rank-deficient": [Plant("one point too many", {"distill": one_point_too_many}),
                                           Plant("labels off by 0.1%", {"distill": scaled_labels})],
    "izzo-zou/theorem-3::normalised-loss": [Plant("no √(m/n) rescaling", {"distill": ignores_normalisation})],
    "izzo-zou/theorem-3::fewer-points": [Plant("claim that d points cannot work either", {"points_short": 0})],
    "izzo-zou/theorem-3::longley": [Plant("labels off by 0.1%", {"distill": scaled_labels})],
}
