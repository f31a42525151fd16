"""The KIP baseline: it learns on a small problem, is seeded, and rejects bad input."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from constructions.feature_maps import DeepLinearNetwork, IdentityMap, LeakyReLUNetwork, RandomFourierFeatures  # noqa: E402
from constructions.kip import kip_distill, torch_features  # noqa: E402

RNG = np.random.default_rng(0)
X = RNG.normal(size=(300, 6))
LABELS = np.argmax(X @ RNG.normal(size=(6, 3)), axis=1)


@pytest.mark.parametrize("feature_map", [IdentityMap(6), LeakyReLUNetwork.seeded(6, (6,), 0),
                                         RandomFourierFeatures.seeded(6, 6, 0), DeepLinearNetwork.seeded(6, (8,), 0)],
                         ids=lambda m: type(m).__name__)
def test_torch_features_match_numpy(feature_map):
    torch_values = torch_features(feature_map, torch.as_tensor(X[:5], dtype=torch.float64)).numpy()
    assert np.allclose(torch_values, feature_map(X[:5]), atol=1e-12)


def test_kip_improves_and_is_seeded():
    runs = [kip_distill(X, LABELS, IdentityMap(6), 2, steps=20, X_test=X, y_test=LABELS, batch=100, seed=3,
                        eval_every=20) for _ in range(2)]
    assert np.array_equal(runs[0].X, runs[1].X)
    assert runs[0].X.shape == (6, 6) and runs[0].Y.shape == (6, 3)
    assert runs[0].history[-1][2] >= runs[0].history[0][2] - 0.05


@pytest.mark.parametrize("kwargs,message", [
    (dict(ipc=0), "ipc must be"), (dict(steps=0), "steps must be"), (dict(batch=0), "batch must be"),
    (dict(lr=-1.0), "lr must be"), (dict(labels=LABELS[:10]), "labels must have shape"),
    (dict(X=np.full((300, 6), np.nan)), "non-finite"),
])
def test_kip_rejects_bad_input(kwargs, message):
    arguments = dict(X=X, labels=LABELS, feature_map=IdentityMap(6), ipc=1, steps=2)
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        kip_distill(**arguments)
