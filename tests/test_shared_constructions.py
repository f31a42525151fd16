"""The shared KRR core and the network factory: agreement of solver forms, seeding, bad input."""

import numpy as np
import pytest

from constructions.krr import RidgeSweep, accuracy, fit_ridge


def test_primal_dual_and_sweep_agree():
    rng = np.random.default_rng(0)
    for n, p in [(40, 6), (6, 40)]:
        F, Y = rng.normal(size=(n, p)), rng.normal(size=(n, 3))
        sweep = RidgeSweep.prepare(F, Y)
        for lam in (1e-3, 1.0, 10.0):
            direct = np.linalg.solve(F.T @ F + lam * np.eye(p), F.T @ Y)
            assert np.allclose(fit_ridge(F, Y, lam), direct, rtol=1e-9, atol=1e-12)
            assert np.allclose(sweep.weights(lam), direct, rtol=1e-9, atol=1e-12)


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
