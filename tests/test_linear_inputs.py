"""Bad input to the linear-regression constructions raises a precise ValueError."""

import numpy as np
import pytest

from constructions.linear import distill_linear_regression, elastic_net, ridge_path

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
    assert result.rank == 3 and result.X.shape == (3, 5) and "rank 3 < d = 5" in result.note
