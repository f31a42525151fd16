"""Planted failures for selvan-chen/w1-bound."""

import numpy as np

from constructions.discrepancy import distances, wasserstein, wasserstein_1d

from tests.plants import Plant


def row_sums_twice(plan):
    """Both marginals taken as row sums (wrong for S)."""
    rows = [sum(plan.row(i)) for i in range(plan.rows)]
    return rows, (rows * plan.cols)[:plan.cols]


def w1_on_squared_cost(X, Y, p, weights_T=None, weights_S=None):
    """W2² reported as W1 (wrong ground cost): too small for close sets."""
    return wasserstein(X, Y, 2, weights_T=weights_T, weights_S=weights_S) ** 2


def nearest_point_potential(transport, Y):
    """Distance to S, ignoring the dual vector: not the optimal potential in general."""
    return lambda Z: np.min(distances(Z, Y), axis=1)


def unweighted_closed_form(x, y, a, b, p):
    """The quantile formula with the weights ignored."""
    return wasserstein_1d(x, y, None, None, p)


PLANTS = {
    "selvan-chen/w1-bound::coupling-identity": [Plant("both marginals from rows", {"marginals": row_sums_twice})],
    "selvan-chen/w1-bound::bound": [Plant("W2² reported as W1", {"discrepancy": w1_on_squared_cost})],
    "selvan-chen/w1-bound::dual-tightness": [Plant("distance-to-S potential", {"potential": nearest_point_potential})],
    "selvan-chen/w1-bound::one-dimensional": [Plant("weights ignored", {"closed_form": unweighted_closed_form})],
    "selvan-chen/w1-bound::wrong-lipschitz-constant": [Plant("the true constant", {"claimed_fraction": 1.0})],
}
