"""Planted failures for luo-xu/scaling-law-convex."""

from tests.luo_xu_planted_runs import growing, one_over_k
from tests.plants import Plant
from tests.plants.luo_xu_scaling_law import fits_one_over_k, lenient, no_saturation, one_over_k_bound


def unregularised_objective(weight, bias, features, labels, regularisation):
    """The testbed's objective with the L2 term dropped: convex, but flat along the softmax's shared
    direction, so not strongly convex (and not PL)."""
    from constructions.convex_testbed import objective

    return objective(weight, bias, features, labels, 0.0)


PLANTS = {
    "luo-xu/scaling-law-convex::regressor-derivation": [Plant("a 1/k bound", {"bound": one_over_k_bound})],
    "luo-xu/scaling-law-convex::strongly-convex-objective": [
        Plant("no L2 term", {"objective": unregularised_objective})],
    "luo-xu/scaling-law-convex::recovers-planted-law": [Plant("regresses on 1/k", {"assess": fits_one_over_k})],
    "luo-xu/scaling-law-convex::rejects-planted-violation": [
        Plant("supported whenever slope > 0", {"assess": lenient})],
    "luo-xu/scaling-law-convex::detects-saturation": [Plant("no breakpoint search", {"assess": no_saturation})],
    "luo-xu/scaling-law-convex::committed-runs": [Plant("runs whose gap is 0.02 + 0.5/k", {"runs": one_over_k}),
                                                  Plant("runs whose gap grows with k", {"runs": growing})],
}
