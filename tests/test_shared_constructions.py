"""The shared KRR core and the network factory: agreement of solver forms, seeding, bad input."""

import numpy as np
import pytest

from constructions.feature_maps import RandomFourierFeatures
from constructions.krr import RidgeSweep, accuracy, feature_moments, features, fit_ridge
from theorems.tolerances import unit_roundoff


def test_primal_dual_and_sweep_agree():
    rng = np.random.default_rng(0)
    for n, p in [(40, 6), (6, 40)]:
        F, Y = rng.normal(size=(n, p)), rng.normal(size=(n, 3))
        sweep = RidgeSweep.prepare(F, Y)
        for lam in (1e-3, 1.0, 10.0):
            direct = np.linalg.solve(F.T @ F + lam * np.eye(p), F.T @ Y)
            assert np.allclose(fit_ridge(F, Y, lam), direct, rtol=1e-9, atol=1e-12)
            assert np.allclose(sweep.weights(lam), direct, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("rows_per_block", [1, 7, 50, 1000])
def test_feature_moments_equal_the_whole_products(rows_per_block):
    """Blocked FᵀF and FᵀY agree with the products of the whole F to summation rounding, 10·n·u·‖F‖²
    (entrywise; each entry is an n-term inner product of rows bounded by ‖F‖)."""
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(120, 5)), rng.normal(size=(120, 3))
    feature_map = RandomFourierFeatures.seeded(5, 4, seed=2)
    F = feature_map(X)
    gram, moment = feature_moments(feature_map, X, Y, rows_per_block=rows_per_block)
    bound = 10 * F.shape[0] * unit_roundoff() * np.linalg.norm(F) * max(np.linalg.norm(F), np.linalg.norm(Y))
    assert np.max(np.abs(gram - F.T @ F)) <= bound and np.max(np.abs(moment - F.T @ Y)) <= bound
    # a planted error (one block counted twice) is far outside the bound
    doubled = gram + F[:1].T @ F[:1]
    assert np.max(np.abs(doubled - F.T @ F)) > bound


def test_blocked_results_do_not_depend_on_threads():
    """One worker and three give bit-identical features, and moments equal to summation rounding."""
    rng = np.random.default_rng(4)
    X, Y = rng.normal(size=(300, 6)), rng.normal(size=(300, 2))
    feature_map = RandomFourierFeatures.seeded(6, 5, seed=5)
    assert np.array_equal(features(feature_map, X, rows_per_block=16, workers=1),
                          features(feature_map, X, rows_per_block=16, workers=3))
    assert np.array_equal(features(feature_map, X, rows_per_block=16, workers=3), feature_map(X))
    one = feature_moments(feature_map, X, Y, rows_per_block=16, workers=1)
    three = feature_moments(feature_map, X, Y, rows_per_block=16, workers=3)
    assert np.array_equal(three[0], feature_moments(feature_map, X, Y, rows_per_block=16, workers=3)[0])
    bound = 10 * X.shape[0] * unit_roundoff() * np.linalg.norm(feature_map(X)) ** 2
    assert np.max(np.abs(one[0] - three[0])) <= bound


def test_feature_moments_rejects_bad_blocks():
    with pytest.raises(ValueError, match="rows_per_block"):
        feature_moments(lambda X: X, np.ones((3, 2)), np.ones((3, 1)), rows_per_block=0)
    with pytest.raises(ValueError, match="workers"):
        feature_moments(lambda X: X, np.ones((3, 2)), np.ones((3, 1)), workers=0)
    with pytest.raises(ValueError, match="at least one row"):
        feature_moments(lambda X: X, np.ones((3, 2)), np.ones((3, 1)), rows=[])


def test_sweep_accuracies_match_one_fit_per_lambda():
    rng = np.random.default_rng(3)
    F, labels = rng.normal(size=(200, 6)), rng.integers(0, 3, size=200)
    sweep = RidgeSweep.prepare(F[:150], np.eye(3)[labels[:150]])
    lambdas = (1e-3, 1.0, 1e3)
    expected = [accuracy(F[150:], labels[150:], sweep.weights(lam)) for lam in lambdas]
    assert list(sweep.accuracies(F[150:], labels[150:], lambdas)) == expected
    with pytest.raises(ValueError, match="primal"):
        RidgeSweep.prepare(F[:4], np.eye(3)[labels[:4]]).accuracies(F[:4], labels[:4], lambdas)


@pytest.mark.parametrize("bad,message", [
    (dict(F=np.ones((3, 2)), Y=np.ones((4, 1)), lam=1.0), "must match"),
    (dict(F=np.full((3, 2), np.nan), Y=np.ones((3, 1)), lam=1.0), "non-finite"),
    (dict(F=np.ones((3, 2)), Y=np.ones((3, 1)), lam=-1.0), "λ must be"),
])
def test_fit_ridge_rejects_bad_input(bad, message):
    with pytest.raises(ValueError, match=message):
        fit_ridge(**bad)


def test_accuracy_checks_label_shape():
    with pytest.raises(ValueError, match="labels must have shape"):
        accuracy(np.ones((3, 2)), np.zeros(4), np.ones((2, 2)))


def test_networks_are_pure_functions_of_their_seed():
    torch = pytest.importorskip("torch")
    from constructions.networks import build_network, seeded_generator

    a = build_network("convnet-w32", generator=seeded_generator(3))
    b = build_network("convnet-w32", generator=seeded_generator(3))
    c = build_network("convnet-w32", generator=seeded_generator(4))
    assert all(torch.equal(x, y) for x, y in zip(a.parameters(), b.parameters()))
    assert not all(torch.equal(x, y) for x, y in zip(a.parameters(), c.parameters()))
    with pytest.raises(ValueError, match="valid: convnet"):
        build_network("resnet", generator=seeded_generator(0))
