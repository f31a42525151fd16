"""Planted failures for izzo-zou/theorem-1-ridge."""

import numpy as np
import sympy as sp

from constructions.glm import SinglePoint, lambert_margin, linear_ridge_point_for_label

from tests.plants import Plant


def label_without_lambda(s, t, lam):
    """ỹ = t·s: the unregularised label."""
    return t * s


def steeper_margin(m):
    """m/(1 + e^{2m}) in place of m/(1 + eᵐ)."""
    return m / (1 + sp.exp(2 * m))


def linear_point_without_lambda(theta, lam, s=1.0):
    """x̃ = s·u, ỹ = t·s: ignores λ."""
    t = float(np.linalg.norm(theta))
    return SinglePoint(s * np.asarray(theta) / t, t * s)


def stretched_label_point(theta, lam, label):
    """The fixed-label point with x̃ stretched by 1 %."""
    good = linear_ridge_point_for_label(theta, lam, label)
    return SinglePoint(1.01 * good.x, good.y)


def logistic_point_unsquared(theta, lam):
    """Solves m/(1 + eᵐ) = λt instead of λt²."""
    t = float(np.linalg.norm(theta))
    return SinglePoint((lambert_margin(lam * t) / t) * np.asarray(theta) / t, 1.0)


def eighth_bound(label, t):
    """Claims points stop existing already above ỹ²/(8t²)."""
    return label * label / (8 * t * t)


PLANTS = {
    "izzo-zou/theorem-1-ridge::linear-symbolic": [Plant("label t·s without λ", {"label": label_without_lambda})],
    "izzo-zou/theorem-1-ridge::logistic-symbolic": [
        Plant("claimed maximum 1/4", {"claimed_max": sp.Rational(1, 4)}),
        Plant("margin value m/(1+e^{2m})", {"value": steeper_margin}),
    ],
    "izzo-zou/theorem-1-ridge::linear-ridge": [
        Plant("label t·s without λ", {"construct": linear_point_without_lambda}),
        Plant("fixed-label point stretched by 1%", {"construct_for_label": stretched_label_point}),
    ],
    "izzo-zou/theorem-1-ridge::logistic-ridge": [Plant("root of m/(1+e^m) = λt", {"construct": logistic_point_unsquared})],
    "izzo-zou/theorem-1-ridge::linear-label-above-bound": [Plant("bound ỹ²/(8t²)", {"claimed_bound": eighth_bound})],
    "izzo-zou/theorem-1-ridge::logistic-above-lambert": [Plant("threshold 0.2 < W(1/e)", {"threshold": 0.2})],
    "izzo-zou/theorem-1-ridge::spector": [Plant("root of m/(1+e^m) = λt", {"construct": logistic_point_unsquared})],
    "izzo-zou/theorem-1-ridge::longley": [
        Plant("label t·s without λ", {"construct": linear_point_without_lambda}),
        Plant("fixed-label point stretched by 1%", {"construct_for_label": stretched_label_point}),
    ],
}
