"""Bad input to the linear-regression constructions raises a precise ValueError."""

import numpy as np
import pytest

from constructions.linear import ConvergenceError, distill_linear_regression, elastic_net, ridge_path

X = np.arange(12.0).reshape(6, 2) + np.eye(6, 2)
Y = np.arange(6.0)


@pytest.mark.parametrize("args,kwargs,message", [
    ((np.where(X > 3, np.nan, X), Y), {}, "X contains .* non-finite"),
    ((X, np.where(Y > 3, np.inf, Y)), {}, "y contains .* non-finite"),
    ((X[:, 0], Y), {}, "X must be a 2-D array"),
    ((X, Y[:4]), {}, "y has 4 entries but X has 6 rows"),
    ((np.zeros((4, 2)), np.ones(4)), {}, "rank 0"),
    ((X, np.ones((6, 2))), {}, "y must be a 1-D array"),
])
def test_distill_rejects(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        distill_linear_regression(*args, **kwargs)


def test_solvers_reject_negative_penalties():
    with pytest.raises(ValueError, match="λ must be a finite number >= 0"):
        ridge_path(X, Y, [1.0, -1.0])
    with pytest.raises(ValueError, match="l1 must be a finite number >= 0"):
        elastic_net(X, Y, -0.1, 0.0)


def test_fewer_rows_than_columns_gives_rank_many_points():
    wide = np.random.default_rng(0).normal(size=(3, 5))
    result = distill_linear_regression(wide, np.ones(3))
    assert result.rank == 3 and result.dimension == 5 and result.X.shape == (3, 5) and "rank 3 < d = 5" in result.note
    assert distill_linear_regression(X, Y).note == "full rank: 2 points"


@pytest.mark.parametrize("kwargs,message", [
    ({"rcond": np.nan}, r"rcond must be a number in \[0, 1\), got nan"),
    ({"rcond": 2.0}, r"rcond must be a number in \[0, 1\)"),
    ({"rcond": -1e-3}, r"rcond must be a number in \[0, 1\), got -0.001"),
])
def test_ridge_path_rejects_bad_rcond(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ridge_path(X, Y, [0.0], **kwargs)


@pytest.mark.parametrize("kwargs,message", [
    ({"tol": 0.0}, "tol must be a finite number > 0, got 0.0"),
    ({"tol": np.inf}, "tol must be a finite number > 0, got inf"),
    ({"max_sweeps": 0}, "max_sweeps must be an integer >= 1, got 0"),
    ({"max_sweeps": 2.5}, "max_sweeps must be an integer >= 1, got 2.5"),
])
def test_elastic_net_rejects_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        elastic_net(X, Y, 0.1, 0.0, **kwargs)


def test_elastic_net_raises_when_not_converged():
    correlated = np.column_stack([np.linspace(0, 1, 6), np.linspace(0, 1, 6) + 1e-3 * np.arange(6) ** 2])
    with pytest.raises(ConvergenceError, match="after 1 sweeps exceeds tol"):
        elastic_net(correlated, Y, 1e-3, 0.0, max_sweeps=1)


def test_elastic_net_zero_column_without_ridge_stays_zero():
    theta = elastic_net(np.column_stack([X[:, 0], np.zeros(6)]), Y, 0.1, 0.0)
    assert theta[1] == 0.0


def test_ridge_path_reports_the_truncation():
    singular = np.column_stack([X[:, 0], 2 * X[:, 0]])
    path = ridge_path(singular, Y, [0.0, 1.0])
    assert (path.rank, path.dropped) == (1, 1)
    assert ridge_path(X, Y, [0.0]).dropped == 0
