"""Bad input to constructions.discrepancy gives a one-line ValueError; good input agrees with
independent references (dense formulas, POT)."""

import numpy as np
import ot
import pytest

from constructions import discrepancy as dc

RNG = np.random.default_rng(0)
X = RNG.normal(size=(20, 3))
Y = RNG.normal(size=(12, 3)) + 0.5
GAUSS = dc.GaussianKernel(1.3)


def one_line(excinfo) -> str:
    message = str(excinfo.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("fn", [
    lambda T, S: dc.mmd2_biased(T, S, GAUSS),
    lambda T, S: dc.mmd2_unbiased(T, S, GAUSS),
    lambda T, S: dc.energy_distance(T, S),
    lambda T, S: dc.wasserstein(T, S, 2),
    lambda T, S: dc.sliced_wasserstein(T, S, np.random.default_rng(0)),
])
class TestEveryDiscrepancy:
    def test_empty_set(self, fn):
        with pytest.raises(ValueError, match="empty") as excinfo:
            fn(np.empty((0, 3)), Y)
        one_line(excinfo)

    def test_mismatched_dimensions(self, fn):
        with pytest.raises(ValueError, match="dimension 3 but S has dimension 2") as excinfo:
            fn(X, Y[:, :2])
        one_line(excinfo)

    def test_non_finite(self, fn):
        bad = X.copy()
        bad[3, 1] = np.nan
        with pytest.raises(ValueError, match="non-finite") as excinfo:
            fn(bad, Y)
        one_line(excinfo)

    def test_infinite(self, fn):
        bad = Y.copy()
        bad[0, 0] = np.inf
        with pytest.raises(ValueError, match="non-finite"):
            fn(X, bad)

    def test_one_dimensional_array(self, fn):
        with pytest.raises(ValueError, match="2-D"):
            fn(X[:, 0], Y)


def test_negative_weights():
    w = np.full(20, 1 / 18)
    w[:2] = -1 / 18 * 0  # zero is allowed
    w[0] = -0.05
    w[1] = 0.05
    w = w / w.sum()
    with pytest.raises(ValueError, match="non-negative") as excinfo:
        dc.mmd2_biased(X, Y, GAUSS, weights_T=w)
    one_line(excinfo)


def test_non_normalised_weights():
    with pytest.raises(ValueError, match="sum to 2, not 1") as excinfo:
        dc.wasserstein(X, Y, 1, weights_T=np.full(20, 0.1))
    one_line(excinfo)


def test_weights_of_wrong_length():
    with pytest.raises(ValueError, match=r"shape \(20,\)"):
        dc.mmd2_biased(X, Y, GAUSS, weights_T=np.full(19, 1 / 19))


def test_non_finite_weights():
    w = np.full(12, 1 / 12)
    w[0] = np.nan
    with pytest.raises(ValueError, match="non-finite"):
        dc.energy_distance(X, Y, weights_S=w)


def test_normalised_by_division_is_accepted():
    w = RNG.random(20)
    dc.mmd2_biased(X, Y, GAUSS, weights_T=w / w.sum())


@pytest.mark.parametrize("make", [lambda b: dc.GaussianKernel(b), lambda b: dc.LaplacianKernel(b)])
@pytest.mark.parametrize("bandwidth", [0.0, -1.0, np.nan, np.inf])
def test_bandwidth_must_be_positive(make, bandwidth):
    with pytest.raises(ValueError, match="bandwidth must be a finite number > 0") as excinfo:
        make(bandwidth)
    one_line(excinfo)


def test_polynomial_parameters():
    with pytest.raises(ValueError, match="degree"):
        dc.PolynomialKernel(degree=0)
    with pytest.raises(ValueError, match="degree"):
        dc.PolynomialKernel(degree=1.5)
    with pytest.raises(ValueError, match="scale"):
        dc.PolynomialKernel(scale=0.0)
    with pytest.raises(ValueError, match="offset"):
        dc.PolynomialKernel(offset=-1.0)


def test_unknown_kernel_name():
    with pytest.raises(ValueError, match="unknown kernel 'rbf'; valid: linear, gaussian"):
        dc.kernel("rbf", bandwidth=1.0)


def test_wasserstein_order():
    with pytest.raises(ValueError, match="order p"):
        dc.wasserstein(X, Y, 0.5)


def test_unbiased_needs_two_points():
    with pytest.raises(ValueError, match="two points"):
        dc.mmd2_unbiased(X[:1], Y, GAUSS)


def test_median_heuristic_inputs():
    with pytest.raises(ValueError, match="bandwidth 0"):
        dc.median_bandwidth(np.ones((5, 2)))
    with pytest.raises(ValueError, match="pass an rng"):
        dc.median_bandwidth(RNG.normal(size=(30, 2)), max_points=10)


def test_projection_count():
    with pytest.raises(ValueError, match="projections"):
        dc.sliced_wasserstein(X, Y, np.random.default_rng(0), projections=0)


def test_measure_plus_weights_rejected():
    P = dc.measure(X)
    with pytest.raises(ValueError, match="already a WeightedMeasure"):
        dc.measure(P, np.full(20, 1 / 20))


def test_mmd_target_dimension():
    target = dc.MMDTarget.prepare(X, GAUSS)
    with pytest.raises(ValueError, match="dimension"):
        target.mmd2(Y[:, :2])


# --- agreement with dense references ---------------------------------------------------------------

def gaussian_formula(A, B, bandwidth=1.3):
    """exp(−Σ(aₗ − bₗ)²/(2σ²)) from the coordinate differences: shares no code with GaussianKernel."""
    return np.exp(-((A[:, None, :] - B[None, :, :]) ** 2).sum(-1) / (2 * bandwidth**2))


def test_biased_and_unbiased_match_dense_formulas():
    n, m = len(X), len(Y)
    kxx, kyy, kxy = gaussian_formula(X, X), gaussian_formula(Y, Y), gaussian_formula(X, Y)
    biased = kxx.mean() + kyy.mean() - 2 * kxy.mean()
    unbiased = ((kxx.sum() - np.trace(kxx)) / (n * (n - 1)) + (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
                - 2 * kxy.mean())
    assert dc.mmd2_biased(X, Y, GAUSS, block=7) == pytest.approx(biased, rel=1e-12)
    assert dc.mmd2_unbiased(X, Y, GAUSS, block=5) == pytest.approx(unbiased, rel=1e-12)


def test_weighted_unbiased_renormalises_by_one_minus_sum_of_squares():
    a, b = RNG.random(20), RNG.random(12)
    a, b = a / a.sum(), b / b.sum()
    kxx, kyy, kxy = gaussian_formula(X, X), gaussian_formula(Y, Y), gaussian_formula(X, Y)
    off = lambda K, w: (w @ K @ w - (w**2) @ np.diag(K)) / (1 - w @ w)  # noqa: E731
    expected = off(kxx, a) - 2 * a @ kxy @ b + off(kyy, b)
    assert dc.mmd2_unbiased(X, Y, GAUSS, weights_T=a, weights_S=b, block=4) == pytest.approx(expected, rel=1e-12)


def test_target_matches_direct_mmd():
    for k in (GAUSS, dc.LinearKernel(), dc.PolynomialKernel(3, 0.5, 1.0), dc.LaplacianKernel(2.0)):
        target = dc.MMDTarget.prepare(X, k, block=6)
        assert target.mmd2(Y) == pytest.approx(dc.mmd2_biased(X, Y, k), rel=1e-10, abs=1e-12)


def test_wasserstein_matches_pot_and_closed_form():
    a, b = RNG.random(20), RNG.random(12)
    a, b = a / a.sum(), b / b.sum()
    reference = ot.emd2(a, b, ot.dist(X, Y, metric="euclidean"))
    assert dc.wasserstein(X, Y, 1, weights_T=a, weights_S=b) == pytest.approx(reference, rel=1e-12)
    x, y = X[:, 0], Y[:, 0]
    for p in (1.0, 2.0, 3.0):
        exact = dc.wasserstein(x[:, None], y[:, None], p, weights_T=a, weights_S=b)
        assert dc.wasserstein_1d(x, y, a, b, p) == pytest.approx(exact, rel=1e-10)


def test_energy_distance_is_unbiased_free_v_statistic():
    d = lambda A, B: np.sqrt(((A[:, None, :] - B[None, :, :]) ** 2).sum(-1))  # noqa: E731
    reference = 2 * d(X, Y).mean() - d(X, X).mean() - d(Y, Y).mean()
    assert dc.energy_distance(X, Y, block=3) == pytest.approx(reference, rel=1e-10)


def test_witness_norm_and_gap():
    w = dc.witness(X, Y, GAUSS)
    Z, c = np.vstack([X, Y]), np.concatenate([np.full(20, 1 / 20), np.full(12, -1 / 12)])
    norm2 = c @ gaussian_formula(Z, Z) @ c
    assert w(Z) == pytest.approx(gaussian_formula(Z, Z) @ c, rel=1e-10, abs=1e-14)
    assert w.rkhs_norm**2 == pytest.approx(norm2, rel=1e-10)
    assert w(X).mean() - w(Y).mean() == pytest.approx(norm2, rel=1e-10)
    with pytest.raises(ValueError, match="dimension"):
        w(Y[:, :2])


def test_sliced_wasserstein_equals_projected_closed_forms():
    a, b = RNG.random(20), RNG.random(12)
    a, b = a / a.sum(), b / b.sum()
    directions = dc.random_directions(16, 3, np.random.default_rng(5))
    expected = np.mean([dc.wasserstein_1d(X @ t, Y @ t, a, b, 2) ** 2 for t in directions]) ** 0.5
    value = dc.sliced_wasserstein(X, Y, np.random.default_rng(5), projections=16, weights_T=a, weights_S=b)
    assert value == pytest.approx(expected, rel=1e-10)
