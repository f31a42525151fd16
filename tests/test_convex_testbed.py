"""The convex testbed on small Gaussian data: the fit is the optimum (checked against scipy and the
strong-convexity bound), DM matches the class means, GM lowers the gradient mismatch, bad input is
a one-line ValueError."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
scipy_optimize = pytest.importorskip("scipy.optimize")

from constructions.convex_testbed import (class_gradients, condense, evaluate_logistic, fit_logistic,  # noqa: E402
                                          objective)
from empirical.convex_trials import logit_error_bound  # noqa: E402
from tests.torch_support import one_torch_thread  # noqa: F401,E402  (autouse fixture)

C, D, LAM = 3, 5, 0.05


def data(n=60, seed=0):
    generator = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % C
    centres = torch.randn(C, D, generator=generator)
    return centres[labels] + torch.randn(n, D, generator=generator), labels


def scipy_optimum(x, y):
    """A second solver: scipy's L-BFGS-B on F written in numpy (no torch autograd)."""
    x, onehot = x.double().numpy(), np.eye(C)[y.numpy()]

    def value_and_gradient(theta):
        w, b = theta[:C * D].reshape(C, D), theta[C * D:]
        logits = x @ w.T + b
        logits -= logits.max(1, keepdims=True)
        p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
        value = -np.mean(np.log(p[onehot == 1])) + 0.5 * LAM * (np.sum(w ** 2) + np.sum(b ** 2))
        residual = (p - onehot) / x.shape[0]
        return value, np.concatenate([(residual.T @ x + LAM * w).ravel(), residual.sum(0) + LAM * b])

    result = scipy_optimize.minimize(value_and_gradient, np.zeros(C * D + C), jac=True, method="L-BFGS-B",
                                     options={"gtol": 1e-12, "ftol": 1e-15, "maxiter": 10_000})
    return result.x[:C * D].reshape(C, D), result.x[C * D:], float(np.linalg.norm(result.jac))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fit_is_the_optimum_within_its_certificate(seed):
    x, y = data(seed=seed)
    fit = fit_logistic(x, y, C, LAM, seed, tolerance=1e-7)
    w, b, scipy_gradient = scipy_optimum(x, y)
    distance = np.sqrt(np.sum((fit.weight.numpy() - w) ** 2) + np.sum((fit.bias.numpy() - b) ** 2))
    assert fit.gradient_norm <= 1e-7 and scipy_gradient <= 1e-6
    # F is λ-strongly convex: each solution lies within its gradient norm / λ of θ*
    assert distance <= (fit.gradient_norm + scipy_gradient) / LAM
    assert logit_error_bound(fit.gradient_norm, LAM, x) >= fit.gradient_norm / LAM


def test_different_starts_reach_one_optimum():
    x, y = data()
    first, second = (fit_logistic(x, y, C, LAM, seed, tolerance=1e-7) for seed in (0, 7))
    assert torch.allclose(first.weight, second.weight, atol=2e-7 / LAM)


def test_unreachable_tolerance_is_an_error():
    x, y = data()
    with pytest.raises(ValueError, match="L-BFGS stopped at gradient norm"):
        fit_logistic(x, y, C, LAM, 0, tolerance=1e-30, max_iterations=2)


def test_dm_matches_class_means_by_one_shift_per_class():
    x, y = data(n=90)
    start, start_labels = condense("random", x, y, 4, C, 3)
    points, labels = condense("dm", x, y, 4, C, 3)
    assert torch.equal(labels, start_labels)
    for c in range(C):
        assert torch.allclose(points[labels == c].mean(0), x[y == c].mean(0), atol=1e-5)
        shift = points[labels == c] - start[start_labels == c]
        assert torch.allclose(shift, shift[:1].expand_as(shift), atol=1e-5)


def test_random_keeps_real_points_k_per_class():
    x, y = data(n=90)
    points, labels = condense("random", x, y, 5, C, 1)
    assert torch.bincount(labels).tolist() == [5] * C
    assert all(any(torch.equal(p, row) for row in x) for p in points)


def mismatch(points, labels, x, y, seed):
    generator = torch.Generator().manual_seed(seed)
    total = 0.0
    for _ in range(20):
        w = torch.randn(C, D, generator=generator) / D ** 0.5
        real, fake = (class_gradients(w, torch.zeros(C), p, q, C) for p, q in ((x, y), (points, labels)))
        total += float(((real - fake).square().sum((1, 2)) / real.square().sum((1, 2))).sum())
    return total


def test_gm_lowers_the_gradient_mismatch():
    x, y = data(n=300)
    random_points, random_labels = condense("random", x, y, 2, C, 0)
    gm_points, gm_labels = condense("gm", x, y, 2, C, 0, gm_iterations=300, gm_real_batch=100)
    assert mismatch(gm_points, gm_labels, x, y, 99) < 0.5 * mismatch(random_points, random_labels, x, y, 99)


def test_evaluation_reports_accuracy_and_cross_entropy():
    x, y = data()
    fit = fit_logistic(x, y, C, LAM, 0, tolerance=1e-7)
    accuracy, loss = evaluate_logistic(fit, x, y)
    assert accuracy > 0.8 and loss < float(objective(fit.weight, fit.bias, x.double(), y, 0.0)) + 1e-9


@pytest.mark.parametrize("call, message", [
    (lambda x, y: condense("kip", x, y, 1, C, 0), "unknown condenser 'kip'"),
    (lambda x, y: condense("dm", x, y, 0, C, 0), "k \\(points per class\\) must be an integer >= 1"),
    (lambda x, y: condense("random", x, y, 999, C, 0), "class 0 has 20 points, fewer than k = 999"),
    (lambda x, y: fit_logistic(x, y, C, 0.0, 0), "regularisation must be positive"),
    (lambda x, y: fit_logistic(x[:, None], y, C, LAM, 0), "need features \\(n, d\\)"),
    (lambda x, y: fit_logistic(x * float("nan"), y, C, LAM, 0), "features contain NaN"),
])
def test_bad_input_is_a_one_line_value_error(call, message):
    x, y = data()
    with pytest.raises(ValueError, match=message):
        call(x, y)
