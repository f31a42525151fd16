"""Planted failures for selvan-chen/w1-bound."""

import dataclasses

import numpy as np
import ot
from scipy.spatial.distance import cdist

from constructions.discrepancy import distances, optimal_transport, sliced_wasserstein, wasserstein, wasserstein_1d

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


def halved_dual(X, Y, p, weights_T=None, weights_S=None):
    """POT's transport with the dual potential v halved."""
    transport = optimal_transport(X, Y, p, weights_T=weights_T, weights_S=weights_S)
    return dataclasses.replace(transport, v=transport.v / 2)


def perturbed_dual(X, Y, p, weights_T=None, weights_S=None):
    """POT's transport with v perturbed by ±5 % of the largest cost (alternating signs)."""
    transport = optimal_transport(X, Y, p, weights_T=weights_T, weights_S=weights_S)
    signs = np.where(np.arange(transport.v.size) % 2 == 0, 1.0, -1.0)
    return dataclasses.replace(transport, v=transport.v + 0.05 * transport.cost.max() * signs)


def cityblock(X, Y):
    """The ground metric Σ|xₗ − yₗ| in place of the Euclidean one."""
    return cdist(X, Y, metric="cityblock")


def cityblock_wasserstein(X, Y, p=1.0, weights_T=None, weights_S=None):
    """Exact W_p with the city-block ground cost."""
    a = np.full(X.shape[0], 1 / X.shape[0]) if weights_T is None else weights_T
    b = np.full(Y.shape[0], 1 / Y.shape[0]) if weights_S is None else weights_S
    return float(ot.emd2(a / a.sum(), b / b.sum(), cityblock(X, Y) ** p)) ** (1 / p)


PLANTS = {
    "selvan-chen/w1-bound::coupling-identity": [Plant("both marginals from rows", {"marginals": row_sums_twice})],
    "selvan-chen/w1-bound::bound": [Plant("sliced W1 reported as W1", {"discrepancy": sliced_w1}),
                                           Plant("W1 10% low", {"discrepancy": w1_ten_percent_low})],
    "selvan-chen/w1-bound::dual-tightness": [Plant("distance-to-S potential", {"potential": nearest_point_potential}),
                                             Plant("POT's v halved", {"solve": halved_dual}),
                                             Plant("v perturbed by 5 % of the largest cost", {"solve": perturbed_dual})],
    "selvan-chen/w1-bound::euclidean-reference": [Plant("city-block ground metric", {"metric": cityblock}),
                                                  Plant("W_p with city-block costs", {"discrepancy": cityblock_wasserstein})],
    "selvan-chen/w1-bound::one-dimensional": [Plant("weights ignored", {"closed_form": unweighted_closed_form})],
    "selvan-chen/w1-bound::wrong-lipschitz-constant": [Plant("the true constant", {"claimed_fraction": 1.0})],
}
