"""Planted failures for selvan-chen/w1-bound."""

import numpy as np

from constructions.discrepancy import distances, sliced_wasserstein, wasserstein, wasserstein_1d

from tests.plants import Plant


def row_sums_twice(plan):
    """Both marginals taken as row sums (wrong for S)."""
    rows = [sum(plan.row(i)) for i in range(plan.rows)]
    return rows, (rows * plan.cols)[:plan.cols]


def sliced_w1(X, Y, p, weights_T=None, weights_S=None):
    """Sliced W1 (a lower bound on W1, strict in d ≥ 2) reported as W1."""
    return sliced_wasserstein(X, Y, np.random.default_rng(0), projections=32, p=1,
                              weights_T=weights_T, weights_S=weights_S)


def w1_ten_percent_low(X, Y, p, weights_T=None, weights_S=None):
    """W1 underestimated by 10 %."""
    return 0.9 * wasserstein(X, Y, p, weights_T=weights_T, weights_S=weights_S)


def nearest_point_potential(transport, Y):
    """Distance to S, ignoring the dual vector: not the optimal potential in general."""
    return lambda Z: np.min(distances(Z, Y), axis=1)


def unweighted_closed_form(x, y, a, b, p):
    """The quantile formula with the weights ignored."""
    return wasserstein_1d(x, y, None, None, p)


PLANTS = {
    "selvan-chen/w1-bound::coupling-identity": [Plant("both marginals from rows", {"marginals": row_sums_twice})],
    "selvan-chen/w1-bound::bound": [Plant("sliced W1 reported as W1", {"discrepancy": sliced_w1}),
                                           Plant("W1 10% low", {"discrepancy": w1_ten_percent_low})],
    "selvan-chen/w1-bound::dual-tightness": [Plant("distance-to-S potential", {"potential": nearest_point_potential})],
    "selvan-chen/w1-bound::one-dimensional": [Plant("weights ignored", {"closed_form": unweighted_closed_form})],
    "selvan-chen/w1-bound::wrong-lipschitz-constant": [Plant("the true constant", {"claimed_fraction": 1.0})],
}
