"""Planted failures for izzo-zou/theorem-4."""

import numpy as np
import sympy as sp
from scipy.special import expit

from constructions.logistic import LogisticData, merge_equivalent_points

from tests.plants import Plant


def class_weighted_cross_entropy(t, y):
    """Positives counted twice: the loss is no longer invariant under (x, y) ↦ (−x, 1 − y)."""
    return (1 + y) * sp.log(1 + sp.exp(-t)) + (1 - y) * sp.log(1 + sp.exp(t))


def inputs_with_antipodal_pair(rng):
    """Three distinct inputs of which two are antipodal: σ(θᵀx) + σ(−θᵀx) = 1 makes A singular."""
    x = np.array([0.5, 0.25])
    return np.array([x, -x, [1.0, -0.5]])


def identity_feature(t):
    """The linear model's feature θᵀx: at most d + 1 independent functions."""
    return t


def last_lambda_only(candidate, path, lambdas):
    """A lax matching criterion: only the largest-λ point of the path is matched."""
    lambdas = np.asarray(lambdas, dtype=float)
    last = int(np.argmax(lambdas))
    theta = path[last]
    residual = expit(candidate.X @ theta) - candidate.y
    return (candidate.weights * residual) @ candidate.X / candidate.weights.sum() + 2 * lambdas[last] * theta


def no_merge(data):
    """Returns the data unchanged: no compression."""
    return data


def merge_without_weights(data):
    """Merges like the real construction but forgets the weights (every merged point weighs 1)."""
    merged = merge_equivalent_points(data)
    return LogisticData(merged.X, merged.y, np.ones(len(merged)))


def keep_one_side(data, normal):
    """Keeps the points on one side of the mirror without projecting them onto it."""
    normal = np.asarray(normal, dtype=float)
    side = data.X @ normal > 0
    return LogisticData(data.X[side], data.y[side], data.weights[side])


PLANTS = {
    "izzo-zou/theorem-4::sign-symmetry": [Plant("class-weighted cross-entropy", {"loss": class_weighted_cross_entropy})],
    "izzo-zou/theorem-4::independence-mpmath": [Plant("an antipodal pair among the inputs",
                                                      {"inputs": inputs_with_antipodal_pair})],
    "izzo-zou/theorem-4::linear-independence": [
        Plant("the paper's hypothesis only (antipodal pairs allowed)", {"allow_antipodal": True}),
        Plant("linear feature θᵀx instead of σ(θᵀx)", {"feature": identity_feature}),
    ],
    "izzo-zou/theorem-4::best-attempt-path": [
        Plant("claim that n points cannot match either", {"points_short": 0}),
        Plant("path matched at one λ only", {"residual_fn": last_lambda_only}),
    ],
    "izzo-zou/theorem-4::duplicated-inputs": [Plant("no merging", {"merge": no_merge}),
                                              Plant("merged points lose their weights", {"merge": merge_without_weights})],
    "izzo-zou/theorem-4::antipodal-inputs": [Plant("no merging", {"merge": no_merge})],
    "izzo-zou/theorem-4::mirror-symmetric": [Plant("one side kept, not projected", {"fold": keep_one_side})],
    "izzo-zou/theorem-4::spector": [Plant("linear feature θᵀx instead of σ(θᵀx)", {"feature": identity_feature})],
}
