"""Bad input to the kernel and logistic constructions raises ValueError with a precise message."""

import numpy as np
import pytest

from constructions.kernel import (
    KernelModel,
    best_centres,
    compress_kernel_model,
    gaussian_gram,
    kernel_ridge_fit,
    labels_reproducing,
    projection_certificate,
)
from constructions.logistic import (
    LogisticData,
    attempt_starts,
    best_path_attempt,
    fit_logistic_ridge_full_lambda,
    fold_mirror_symmetric,
    regularisation_path,
    require_original_labels,
    sigmoid_feature_matrix,
)

X = np.array([[0.0, 1.0], [1.0, 0.5], [2.0, -0.5]])
Y = np.array([0.3, -0.2, 0.7])


@pytest.mark.parametrize("call, message", [
    (lambda: gaussian_gram([[np.nan, 0.0]]), "non-finite"),
    (lambda: gaussian_gram(X, np.ones((2, 3))), "same dimension"),
    (lambda: gaussian_gram(X, gamma=0.0), "gamma must be a finite number > 0"),
    (lambda: gaussian_gram(X, gamma=np.inf), "gamma must be a finite number > 0"),
    (lambda: gaussian_gram(np.ones(3)), "2-D array"),
    (lambda: kernel_ridge_fit(X, Y[:2]), "must match"),
    (lambda: kernel_ridge_fit(X, [0.0, np.inf, 1.0]), "non-finite"),
    (lambda: kernel_ridge_fit(X, Y, lam=-1.0), "lam must be a finite number >= 0"),
    (lambda: labels_reproducing(X, [1.0, 2.0]), "must match"),
    (lambda: projection_certificate(X, Y, np.ones((1, 3))), "columns"),
    (lambda: projection_certificate(X, Y[:2], X[:1]), "must match"),
    (lambda: best_centres(X, Y, 0, 1.0, np.random.default_rng(0)), "m must be an integer >= 1"),
    (lambda: best_centres(X, Y, 2, 1.0, np.random.default_rng(0), restarts=0), "restarts must be an integer >= 1"),
    (lambda: compress_kernel_model(KernelModel(X, Y, 1.0), lam=-0.5), "lam must be a finite number >= 0"),
    (lambda: compress_kernel_model(KernelModel(X, np.zeros(3), 1.0)), "zero function"),
    (lambda: KernelModel(X, Y, 1.0).predict(np.ones((2, 3))), "columns"),
])
def test_kernel_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


B = np.array([[0.5, 1.0], [1.0, -0.5], [1.5, 0.25]])
LABELS = np.array([1.0, 0.0, 1.0])


@pytest.mark.parametrize("call, message", [
    (lambda: LogisticData.build(B, [1.0, 0.5, 0.0]), "binary"),
    (lambda: require_original_labels([0, 2, 1]), "binary"),
    (lambda: LogisticData.build(B, [1.2, 0.5, 0.0], binary=False), r"\[0, 1\]"),
    (lambda: LogisticData.build(B, LABELS[:2]), "must match"),
    (lambda: LogisticData.build(B, LABELS, weights=[1.0, 0.0, 1.0]), "weights must be > 0"),
    (lambda: LogisticData.build(B, LABELS, weights=[1.0, 1.0]), "must match"),
    (lambda: LogisticData.build([[np.nan, 1.0]], [1.0]), "non-finite"),
    (lambda: fit_logistic_ridge_full_lambda(LogisticData.build(B, LABELS), -1.0), "lam must be a finite number >= 0"),
    (lambda: fit_logistic_ridge_full_lambda(LogisticData.build([[1.0], [2.0]], [1.0, 1.0]), 0.0), "no finite minimiser|did not converge"),
    (lambda: regularisation_path(LogisticData.build(B, LABELS), [0.1, -0.1]), "must be a finite number >= 0"),
    (lambda: fold_mirror_symmetric(LogisticData.build(B, LABELS), [0.0, 1.0]), "not symmetric"),
    (lambda: fold_mirror_symmetric(LogisticData.build(B, LABELS), [0.0, 0.0]), "nonzero"),
    (lambda: fold_mirror_symmetric(LogisticData.build(B, LABELS), [0.0, 1.0, 0.0]), "must match"),
    (lambda: sigmoid_feature_matrix(B, np.ones((4, 3))), "columns"),
    (lambda: best_path_attempt(np.ones((2, 2)), [0.1, 1.0], []), "at least one start"),
    (lambda: attempt_starts(LogisticData.build(B, LABELS), 0, np.random.default_rng(0)), "m must be an integer >= 1"),
])
def test_logistic_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_merge_of_antipodal_pair_is_the_single_point():
    """{(x, 1), (−x, 0)} merges to (x, 1) with weight 2: the loss of one point."""
    from constructions.logistic import merge_equivalent_points

    merged = merge_equivalent_points(LogisticData.build([[0.5, 1.0], [-0.5, -1.0]], [1.0, 0.0]))
    assert merged.X.tolist() == [[0.5, 1.0]]
    assert merged.y.tolist() == [1.0]
    assert merged.weights.tolist() == [2.0]
