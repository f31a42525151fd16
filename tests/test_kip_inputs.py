"""The KIP baseline: it learns on a small problem, is seeded, and rejects bad input."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from constructions.feature_maps import DeepLinearNetwork, IdentityMap, LeakyReLUNetwork, RandomFourierFeatures  # noqa: E402
from constructions.kip import KIPConfig, kip_distill, torch_features  # noqa: E402

RNG = np.random.default_rng(0)
X = RNG.normal(size=(300, 6))
LABELS = np.argmax(X @ RNG.normal(size=(6, 3)), axis=1)


@pytest.mark.parametrize("feature_map", [IdentityMap(6), LeakyReLUNetwork.seeded(6, (6,), 0),
                                         RandomFourierFeatures.seeded(6, 6, 0), DeepLinearNetwork.seeded(6, (8,), 0)],
                         ids=lambda m: type(m).__name__)
def test_torch_features_match_numpy(feature_map):
    torch_values = torch_features(feature_map, torch.as_tensor(X[:5], dtype=torch.float64)).numpy()
    assert np.allclose(torch_values, feature_map(X[:5]), atol=1e-12)


CONFIGS = {"authors": KIPConfig(batch=100), "original": KIPConfig(batch=100, lr=0.04, learn_labels=True,
                                                                 centre_labels=True, dtype="float64"),
           "legacy": KIPConfig(batch=100, label_solve="batch", standardise=False)}


@pytest.mark.parametrize("name", CONFIGS)
def test_kip_improves_and_is_seeded(name):
    runs = [kip_distill(X, LABELS, IdentityMap(6), 2, steps=20, config=CONFIGS[name], X_test=X, y_test=LABELS,
                        seed=3, eval_every=20) for _ in range(2)]
    assert np.array_equal(runs[0].X, runs[1].X)
    assert runs[0].X.shape == (6, 6) and runs[0].Y.shape == (6, 3)
    assert runs[0].history[-1][2] >= runs[0].history[0][2] - 0.05


def test_kip_result_is_in_input_coordinates():
    """With 0 effective steps the support set is the sampled real rows, returned unstandardised, and the
    model it reports is trained on φ((X − mean)/scale)."""
    result = kip_distill(X, LABELS, IdentityMap(6), 1, steps=1, config=KIPConfig(lr=1e-12), seed=0)

    assert np.allclose(result.mean, X.mean(axis=0)) and np.allclose(result.scale, X.std(axis=0))
    rows = [int(np.argmin(np.linalg.norm(X - x, axis=1))) for x in result.X]
    assert np.allclose(result.X, X[rows], atol=1e-5)


def test_named_configs_match_their_publications():
    authors = KIPConfig.authors()
    assert (authors.lr, authors.batch, authors.label_solve, authors.learn_labels, authors.regulariser,
            authors.dtype, authors.standardise) == (0.01, 5000, "full", False, 1e-6, "float32", True)
    original = KIPConfig.original()
    assert (original.lr, original.learn_labels, original.centre_labels, original.dtype) == (0.04, True, True, "float64")
    assert KIPConfig.legacy().label_solve == "batch" and not KIPConfig.legacy().standardise


@pytest.mark.parametrize("kwargs,message", [
    (dict(ipc=0), "ipc must be"), (dict(steps=0), "steps must be"), (dict(max_seconds=0.0), "max_seconds must be"),
    (dict(labels=LABELS[:10]), "labels must have shape"),
    (dict(X=np.full((300, 6), np.nan)), "non-finite"),
])
def test_kip_rejects_bad_input(kwargs, message):
    arguments = dict(X=X, labels=LABELS, feature_map=IdentityMap(6), ipc=1, steps=2)
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        kip_distill(**arguments)


@pytest.mark.parametrize("kwargs,message", [
    (dict(batch=0), "batch must be"), (dict(lr=-1.0), "lr must be"), (dict(label_solve="all"), "label_solve must be"),
    (dict(regulariser=0.0), "regulariser must be"), (dict(dtype="float16"), "dtype must be"),
])
def test_kip_config_rejects_bad_values(kwargs, message):
    with pytest.raises(ValueError, match=message):
        KIPConfig(**kwargs)
