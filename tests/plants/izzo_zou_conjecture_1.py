"""Planted failures for izzo-zou/conjecture-1.

A valid plant for a counterexample search is a false variant under which the search *succeeds*:
here, path-matching criteria that are too lax, so that a smaller set "matches" without matching
the path. (Returning the data itself would not be a compression, so it is no plant.)
"""

import numpy as np

from constructions.logistic import LogisticData
from theorems.izzo_zou.conjecture_1 import correspondence_residual, one_point_path

from tests.plants import Plant


def sign_only(candidate, path, lambdas):
    """Only asks λ'_k ≥ 0 (the gradient has a nonpositive component along θ_k), not alignment."""
    return correspondence_residual(candidate, path, lambdas)[-len(path):]


def largest_lambda_only(candidate, path, lambdas):
    """Matches one point of the path: one point can always do that (izzo-zou/theorem-1-ridge)."""
    last = int(np.argmax(lambdas))
    return correspondence_residual(candidate, path[last:last + 1], np.asarray(lambdas)[last:last + 1])


def half_way_point(data):
    """The single point for θ̂/2: its path stops half way along the data's."""
    good = one_point_path(data)
    theta = np.log(good.y[0] / (1 - good.y[0]))
    return LogisticData.build(good.X, [1 / (1 + np.exp(-theta / 2))], binary=False)


PLANTS = {
    "izzo-zou/conjecture-1::path-coincidence-search": [
        Plant("criterion checks only λ' ≥ 0", {"criterion": sign_only}),
        Plant("criterion matches one λ only", {"criterion": largest_lambda_only}),
    ],
    "izzo-zou/conjecture-1::one-dimensional": [Plant("point for half the unregularised fit", {"distil": half_way_point})],
}
