"""Planted failures for izzo-zou/theorem-4."""

import numpy as np
import sympy as sp

from constructions.logistic import LogisticData, data_making_minimiser, merge_equivalent_points, minimiser_radius

from tests.plants import Plant


def class_weighted_cross_entropy(t, y):
    """Positives counted twice: the loss is no longer invariant under (x, y) ↦ (−x, 1 − y)."""
    return (1 + y) * sp.log(1 + sp.exp(-t)) + (1 - y) * sp.log(1 + sp.exp(t))


ANTIPODAL_INPUTS = np.array([[0.5, 0.25], [-0.5, -0.25], [1.0, -0.5]])
"""Three distinct inputs of which two are antipodal: σ(θᵀx) + σ(−θᵀx) = 1 makes A singular."""


def identity_feature(t):
    """The linear model's feature θᵀx: at most d + 1 independent functions."""
    return t


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


def linear_sigmoid(t):
    """σ's tangent at 0, ½ + t/4: all odd Taylor coefficients beyond the first vanish."""
    return sp.Rational(1, 2) + t / 4


MOMENT_INPUTS_ANTIPODAL = ([sp.Rational(1, 4), sp.Rational(-1, 4), sp.Rational(3, 4)], [0, 1, 1])
"""1-D inputs ¼, −¼, ¾: x₁² = x₂², so the Hankel moment matrix is singular."""


def radius_too_small(lam):
    return 0.9 * minimiser_radius(lam)


def radius_too_large(lam):
    return 1.1 * minimiser_radius(lam)


def appended_with_label_one(data, theta, lam):
    """The right inputs with the wrong label: the union's gradient no longer vanishes at θ."""
    appended = data_making_minimiser(data, theta, lam)
    return LogisticData(appended.X, np.ones(len(appended)), appended.weights)


def merge_then_drop_last(data):
    """Merges antipodal pairs, then loses the last merged point (its gradient term never vanishes)."""
    merged = merge_equivalent_points(data)
    return LogisticData(merged.X[:-1], merged.y[:-1], merged.weights[:-1])


def first_two_points(data):
    """The first two data points: their gradient at 0 does not vanish."""
    return LogisticData(data.X[:2], data.y[:2], np.ones(2))


PLANTS = {
    "izzo-zou/theorem-4::sign-symmetry": [Plant("class-weighted cross-entropy", {"loss": class_weighted_cross_entropy})],
    "izzo-zou/theorem-4::independence-mpmath": [Plant("an antipodal pair among the inputs",
                                                      {"inputs": ANTIPODAL_INPUTS})],
    "izzo-zou/theorem-4::linear-independence": [
        Plant("the paper's hypothesis only (antipodal pairs allowed)", {"allow_antipodal": True}),
        Plant("linear feature θᵀx instead of σ(θᵀx)", {"feature": identity_feature}),
    ],
    "izzo-zou/theorem-4::hd-taylor-moments": [
        Plant("σ replaced by its tangent ½ + t/4", {"sigmoid": linear_sigmoid}),
        Plant("an antipodal pair among the inputs", {"inputs": MOMENT_INPUTS_ANTIPODAL}),
    ],
    "izzo-zou/theorem-4::minimiser-ball": [
        Plant("radius 0.9·√(W(1/e)/(2λ))", {"radius": radius_too_small}),
        Plant("radius 1.1·√(W(1/e)/(2λ))", {"radius": radius_too_large}),
        Plant("appended points labelled 1", {"append": appended_with_label_one}),
    ],
    "izzo-zou/theorem-4::best-attempt-path": [
        Plant("claim that n points cannot match either", {"points_short": 0}),
        Plant("path matched at one λ only", {"grid_size": 1}),
    ],
    "izzo-zou/theorem-4::unweighted-cd-count": [
        Plant("the merged candidate keeps its weights (the weighted model)", {"keep_weights": True}),
    ],
    "izzo-zou/theorem-4::weighted-cd-count": [
        Plant("the paper's hypothesis only (a repeated or negated input allowed)", {"allow_twins": True}),
    ],
    "izzo-zou/theorem-4::duplicated-inputs-weighted": [
        Plant("no merging", {"merge": no_merge}),
        Plant("merged points lose their weights", {"merge": merge_without_weights}),
    ],
    "izzo-zou/theorem-4::antipodal-inputs-weighted": [Plant("no merging", {"merge": no_merge})],
    "izzo-zou/theorem-4::antipodal-pairs-unweighted": [
        Plant("no merging", {"merge": no_merge}),
        Plant("merged set missing its last point", {"merge": merge_then_drop_last}),
    ],
    "izzo-zou/theorem-4::zero-path": [Plant("the first two data points", {"distil": first_two_points})],
    "izzo-zou/theorem-4::mirror-symmetric": [Plant("one side kept, not projected", {"fold": keep_one_side})],
    "izzo-zou/theorem-4::spector": [Plant("linear feature θᵀx instead of σ(θᵀx)", {"feature": identity_feature}),
                                    Plant("the negative of the first input appended", {"append_antipodal": True})],
}
