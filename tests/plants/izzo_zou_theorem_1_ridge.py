"""Planted failures for izzo-zou/theorem-1-ridge."""

import math
from dataclasses import replace

import numpy as np
import sympy as sp
from scipy.optimize import brentq

from constructions.glm import (
    LAMBERT_MAX,
    SinglePoint,
    fit_ridge_half_lambda,
    linear_ridge_point,
    lambert_margin,
    linear_ridge_point_for_label,
    logistic_ridge_point,
)

from tests.plants import Plant


def zero_gradient(loss, theta, X, y, lam):
    """∇F reported as 0 everywhere (so every fit would certify itself exact)."""
    return np.zeros_like(np.asarray(theta, dtype=float))


def half_penalty_gradient(loss, theta, X, y, lam):
    """∇F with the penalty gradient (λ/2)θ instead of λθ."""
    theta = np.asarray(theta, dtype=float)
    return loss.mean_gradient(theta, np.asarray(X, dtype=float), np.asarray(y, dtype=float)) + lam / 2 * theta


def zero_scale_default_point(theta, lam, s=0.0):
    """The linear point whose default scale is s = 0 (it refuses unless s is passed)."""
    return linear_ridge_point(theta, lam, s)


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


def _logistic_point(theta, margin):
    t = float(np.linalg.norm(theta))
    return SinglePoint((margin / t) * np.asarray(theta) / t, 1.0)


def larger_root_point(theta, lam):
    """The larger root of m/(1 + eᵐ) = λt² (beyond the peak) instead of the smaller."""
    t = float(np.linalg.norm(theta))
    peak = lambert_margin(LAMBERT_MAX)
    ratio = lam * t * t
    if ratio >= LAMBERT_MAX:
        return logistic_ridge_point(theta, lam)
    return _logistic_point(theta, brentq(lambda m: m / (1 + math.exp(m)) - ratio, peak, 60.0))


def peak_at_one_point(theta, lam):
    """Searches the root on [0, 1] and returns m = 1 when the ratio is above f(1) (peak misplaced at 1)."""
    t = float(np.linalg.norm(theta))
    ratio = lam * t * t
    if ratio > LAMBERT_MAX:
        raise ValueError("no root")
    top = 1 / (1 + math.e)
    return _logistic_point(theta, 1.0 if ratio >= top else brentq(lambda m: m / (1 + math.exp(m)) - ratio, 0.0, 1.0))


def never_refusing_point(theta, lam):
    """Clips λt² to W(1/e) instead of refusing beyond it."""
    t = float(np.linalg.norm(theta))
    return logistic_ridge_point(theta, min(lam, LAMBERT_MAX / (t * t)))


def lasso_fit(loss, X, y, lam):
    """A lasso fit (statsmodels' elastic net with L1_wt = 1) in place of ridge, for the linear loss."""
    import statsmodels.api as sm

    fit = fit_ridge_half_lambda(loss, X, y, lam)
    if loss.name != "linear":
        return fit
    return replace(fit, theta=np.asarray(sm.OLS(y, X).fit_regularized(alpha=lam, L1_wt=1.0).params, dtype=float))


def full_lambda_fit(loss, X, y, lam):
    """Fits with penalty λ‖θ‖² (the paper's convention) where the statement has λ/2."""
    return fit_ridge_half_lambda(loss, X, y, 2 * lam)


def understated_certificate_fit(loss, X, y, lam):
    """The right θ, fitted at 0.9λ, reported with a certificate of 0."""
    return replace(fit_ridge_half_lambda(loss, X, y, 0.9 * lam), certificate=0.0)


def eighth_bound(label, t):
    """Claims points stop existing already above ỹ²/(8t²)."""
    return label * label / (8 * t * t)


PLANTS = {
    "izzo-zou/theorem-1-ridge::linear-symbolic": [Plant("label t·s without λ", {"label": label_without_lambda})],
    "izzo-zou/theorem-1-ridge::logistic-symbolic": [
        Plant("claimed maximum 1/4", {"claimed_max": sp.Rational(1, 4)}),
        Plant("margin value m/(1+e^{2m})", {"value": steeper_margin}),
    ],
    "izzo-zou/theorem-1-ridge::lambert-boundary": [
        Plant("larger root", {"construct": larger_root_point}),
        Plant("peak misplaced at m = 1", {"construct": peak_at_one_point}),
        Plant("λt² clipped to W(1/e) instead of refused", {"construct": never_refusing_point}),
    ],
    "izzo-zou/theorem-1-ridge::linear-ridge": [
        Plant("label t·s without λ", {"construct": linear_point_without_lambda}),
        Plant("fixed-label point stretched by 1%", {"construct_for_label": stretched_label_point}),
        Plant("lasso fit instead of ridge", {"fit": lasso_fit}),
        Plant("fit with penalty λ instead of λ/2", {"fit": full_lambda_fit}),
        Plant("ridge_gradient returns zeros", {"gradient": zero_gradient}),
        Plant("ridge_gradient with penalty λ/2·θ", {"gradient": half_penalty_gradient}),
    ],
    "izzo-zou/theorem-1-ridge::logistic-ridge": [
        Plant("root of m/(1+e^m) = λt", {"construct": logistic_point_unsquared}),
        Plant("fit with penalty λ instead of λ/2", {"fit": full_lambda_fit}),
        Plant("fit at 0.9λ reported with certificate 0", {"fit": understated_certificate_fit}),
    ],
    "izzo-zou/theorem-1-ridge::linear-label-above-bound": [Plant("bound ỹ²/(8t²)", {"claimed_bound": eighth_bound})],
    "izzo-zou/theorem-1-ridge::logistic-above-lambert": [Plant("threshold 0.2 < W(1/e)", {"threshold": 0.2})],
    "izzo-zou/theorem-1-ridge::spector": [Plant("root of m/(1+e^m) = λt", {"construct": logistic_point_unsquared}),
                                          Plant("fit with penalty λ instead of λ/2", {"fit": full_lambda_fit})],
    "izzo-zou/theorem-1-ridge::longley": [
        Plant("label t·s without λ", {"construct": linear_point_without_lambda}),
        Plant("fixed-label point stretched by 1%", {"construct_for_label": stretched_label_point}),
        Plant("lasso fit instead of ridge", {"fit": lasso_fit}),
        Plant("default scale s = 0", {"construct": zero_scale_default_point}),
    ],
}
