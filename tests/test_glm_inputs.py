"""Bad input to constructions.glm raises ValueError with a precise message; edge cases behave."""

import math

import numpy as np
import pytest

from constructions.glm import (
    EXACT,
    FAMILIES,
    FLOAT,
    LAMBERT_ARGMAX,
    LAMBERT_MAX,
    MPMATH,
    RIDGE_LOSSES,
    SinglePoint,
    family_named,
    fit_glm,
    fit_ridge_half_lambda,
    lambert_margin,
    link_condition,
    linear_ridge_point,
    linear_ridge_point_for_label,
    logistic_ridge_point,
    ridge_gradient,
    single_point,
    single_point_gradient_descent,
    validate_data,
)

GAUSSIAN, BERNOULLI, POISSON = FAMILIES["gaussian"], FAMILIES["bernoulli"], FAMILIES["poisson"]
X = np.array([[1.0, 0.2], [0.3, -1.0], [-0.5, 0.4], [0.9, 0.9]])
THETA = np.array([0.6, -0.8])


def test_unknown_family():
    with pytest.raises(ValueError, match="unknown GLM family 'gamma'"):
        family_named("gamma")


@pytest.mark.parametrize("X_bad,y_bad,message", [
    (np.array([1.0, 2.0]), np.array([1.0, 2.0]), "X must be a 2-D array"),
    (np.array([[np.nan, 1.0]]), np.array([1.0]), "X contains 1 non-finite value"),
    (X, np.array([1.0, 2.0, np.inf, 0.0]), "y contains 1 non-finite value"),
    (X, np.array([1.0, 2.0]), "y has 2 entries but X has 4 rows"),
])
def test_bad_shapes_and_values(X_bad, y_bad, message):
    with pytest.raises(ValueError, match=message):
        validate_data(GAUSSIAN, X_bad, y_bad)


@pytest.mark.parametrize("family,y,message", [
    (BERNOULLI, [0.0, 1.0, 2.0, 0.0], r"y must be binary with codes \(0.0, 1.0\), found \[2.0\]"),
    (BERNOULLI, [0.0, 1.0, 0.5, 0.0], "y must be binary"),
    (BERNOULLI, [-1.0, 1.0, 1.0, -1.0], r"found \[-1.0\]"),
    (POISSON, [0.0, 1.0, -2.0, 3.0], "y must be non-negative counts for a Poisson model, found -2.0"),
    (POISSON, [0.0, 1.5, 2.0, 3.0], "y must be integer counts for a Poisson model"),
])
def test_invalid_responses(family, y, message):
    with pytest.raises(ValueError, match=message):
        validate_data(family, X, y)
    with pytest.raises(ValueError, match=message):
        fit_glm(family, X, y)


def test_fit_needs_n_at_least_d():
    with pytest.raises(ValueError, match="X has 1 rows for 2 columns"):
        fit_glm(GAUSSIAN, X[:1], [1.0])


def test_perfectly_separated_bernoulli_data():
    separable = np.array([[1.0, -2.0], [1.0, -1.0], [1.0, 1.0], [1.0, 2.0]])
    with pytest.raises(ValueError, match="perfectly separated"):
        fit_glm(BERNOULLI, separable, [0.0, 0.0, 1.0, 1.0])


def test_single_point_rejects_nonfinite_theta():
    with pytest.raises(ValueError, match="theta contains 1 non-finite value"):
        single_point(GAUSSIAN, [1.0, np.nan])


@pytest.mark.parametrize("arithmetic", [FLOAT, MPMATH, EXACT])
def test_single_point_rejects_empty_theta(arithmetic):
    with pytest.raises(ValueError, match="theta is empty"):
        single_point(BERNOULLI, [], arithmetic)


def test_single_point_label_not_representable_in_float():
    with pytest.raises(ValueError, match="not inside the bernoulli mean range"):
        single_point(BERNOULLI, [10.0, 0.0])  # σ(100) rounds to 1.0
    with pytest.raises(ValueError, match="overflows float64 for the poisson family"):
        single_point(POISSON, [30.0, 0.0])  # e^900


def test_descent_arguments():
    point = single_point(GAUSSIAN, THETA)
    with pytest.raises(ValueError, match="theta0 has 3 entries but the point has dimension 2"):
        single_point_gradient_descent(GAUSSIAN, point, [0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="theta0 contains 1 non-finite value"):
        single_point_gradient_descent(GAUSSIAN, point, [0.0, np.inf])
    with pytest.raises(ValueError, match="x̃ contains 1 non-finite value"):
        single_point_gradient_descent(GAUSSIAN, SinglePoint(np.array([np.nan, 1.0]), 1.0))
    for bad in (0, 2.5):
        with pytest.raises(ValueError, match="max_steps must be an integer >= 1"):
            single_point_gradient_descent(GAUSSIAN, point, max_steps=bad)


def test_descent_label_outside_mean_range():
    with pytest.raises(ValueError, match="label 1.0 is outside the bernoulli mean range"):
        single_point_gradient_descent(BERNOULLI, SinglePoint(THETA, 1.0))
    with pytest.raises(ValueError, match="label -0.5 is outside the poisson mean range"):
        single_point_gradient_descent(POISSON, SinglePoint(THETA, -0.5))


def test_link_condition_of_theta_zero_is_infinite():
    """θ = 0 carries no margin to recover (the Gaussian ratio would be 0/0)."""
    assert link_condition(GAUSSIAN, 0.0) == math.inf


def test_descent_on_a_zero_point_never_moves():
    run = single_point_gradient_descent(GAUSSIAN, SinglePoint(np.zeros(2), 0.0), [1.0, 2.0])
    assert run.converged and run.steps == 0 and np.array_equal(run.theta, [1.0, 2.0])


@pytest.mark.parametrize("lam,message", [(0.0, "λ must be > 0"), (-1.0, "λ must be a finite number >= 0"),
                                         (math.nan, "λ must be a finite number >= 0")])
def test_ridge_lambda(lam, message):
    with pytest.raises(ValueError, match=message):
        linear_ridge_point(THETA, lam)
    with pytest.raises(ValueError, match=message):
        logistic_ridge_point(THETA, lam)


def test_ridge_needs_nonzero_theta():
    with pytest.raises(ValueError, match="θ\\* = 0"):
        linear_ridge_point([0.0, 0.0], 0.1)


@pytest.mark.parametrize("s", [0.0, math.inf, math.nan])
def test_linear_scale(s):
    with pytest.raises(ValueError, match="s must be a finite nonzero number"):
        linear_ridge_point(THETA, 0.1, s)


def test_fixed_label_bound_both_sides():
    lam = 0.1
    boundary = 2 * math.sqrt(lam)  # ‖θ‖ = 1, so ỹ²/(4t²) = λ exactly here
    point = linear_ridge_point_for_label(THETA, lam, boundary)  # the double root is accepted
    assert np.allclose(point.x, math.sqrt(lam) * THETA)
    with pytest.raises(ValueError, match="exceeds ỹ²/\\(4t²\\)"):
        linear_ridge_point_for_label(THETA, lam * (1 + 1e-6), boundary)
    with pytest.raises(ValueError, match="label must be finite"):
        linear_ridge_point_for_label(THETA, lam, math.inf)


@pytest.mark.parametrize("ratio", [0.0, -0.1, LAMBERT_MAX * (1 + 1e-9), math.nan])
def test_lambert_margin_range(ratio):
    with pytest.raises(ValueError, match="has no root m > 0"):
        lambert_margin(ratio)


def test_lambert_margin_at_the_maximum():
    assert lambert_margin(LAMBERT_MAX) == pytest.approx(LAMBERT_ARGMAX, rel=1e-6)


def test_logistic_point_above_lambert():
    with pytest.raises(ValueError, match="W\\(1/e\\)"):
        logistic_ridge_point(THETA, 0.3)  # λt² = 0.3 > 0.2785


def test_ridge_gradient_and_fit_inputs():
    logistic = RIDGE_LOSSES["logistic"]
    with pytest.raises(ValueError, match="theta has 3 entries but X has 2 columns"):
        ridge_gradient(RIDGE_LOSSES["linear"], [1.0, 2.0, 3.0], X, [1.0, 2.0, 3.0, 4.0], 0.1)
    with pytest.raises(ValueError, match=r"codes \(-1.0, 1.0\)"):
        ridge_gradient(logistic, THETA, X, [0.0, 1.0, 1.0, 0.0], 0.1)
    with pytest.raises(ValueError, match=r"codes \(-1.0, 1.0\)"):
        fit_ridge_half_lambda(logistic, X, [0.0, 1.0, 1.0, 0.0], 0.1)
    with pytest.raises(ValueError, match="λ must be > 0 for a ridge fit"):
        fit_ridge_half_lambda(logistic, X, [-1.0, 1.0, 1.0, -1.0], 0.0)


def test_descent_stops_at_the_rounding_floor():
    """σ(‖θ‖²) can only be matched to about an ulp: runs must stop there, not cycle up to the cap."""
    runs = [single_point_gradient_descent(BERNOULLI, single_point(BERNOULLI, [norm]), tol=2.0**-53, max_steps=2000)
            for norm in np.linspace(0.3, 3.0, 40)]
    assert all((run.converged or run.stalled) and run.steps < 50 for run in runs)
    assert any(run.stalled for run in runs)  # the grid does reach the rounding floor


def test_ridge_fits_meet_their_optimality_condition():
    """λ/2 convention: ∇[(1/n)Σℓᵢ + (λ/2)‖θ‖²] vanishes at the fit (computed here, by hand)."""
    y_real, y_signed, lam = np.array([1.0, -2.0, 0.5, 3.0]), np.array([1.0, -1.0, -1.0, 1.0]), 0.3
    linear = fit_ridge_half_lambda(RIDGE_LOSSES["linear"], X, y_real, lam).theta
    assert np.linalg.norm(X.T @ (X @ linear - y_real) / 4 + lam * linear) < 1e-13
    logistic = fit_ridge_half_lambda(RIDGE_LOSSES["logistic"], X, y_signed, lam).theta
    margins = y_signed * (X @ logistic)
    assert np.linalg.norm(-(X.T @ (y_signed / (1 + np.exp(margins)))) / 4 + lam * logistic) < 1e-13


def test_stalled_run_reports_the_certificate_of_the_iterate_it_returns():
    """A run stopped by rounding (the residual changed sign) certifies the iterate it returns, not
    the one before it (the stale value was 10¹⁶ times the actual error here)."""
    import mpmath

    theta = np.array([0.0, 0.625, 0.625, 0.625])
    with mpmath.workdps(40):
        run = single_point_gradient_descent(BERNOULLI, single_point(BERNOULLI, theta, MPMATH), tol=0.0, max_steps=8,
                                            arithmetic=MPMATH)
        error = mpmath.sqrt(((run.theta - MPMATH.vector(theta)) ** 2).sum())
        assert run.stalled and error <= run.certificate <= 10 * error
