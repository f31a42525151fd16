"""Condensers and the condensation evaluation: one-line ValueErrors on bad input, and the
properties each condenser promises (weights, sizes, determinism for a seed)."""

import numpy as np
import pytest

from constructions import condensers as cd
from constructions.discrepancy import wasserstein
from empirical import condensation_eval as ev

RNG = np.random.default_rng(1)
X = RNG.normal(size=(60, 4))
LABELS = np.repeat([0, 1, 2], 20)


@pytest.mark.parametrize("method", list(cd.CONDENSERS))
def test_every_condenser_returns_ipc_weighted_points_per_class(method):
    options = {"steps": 5} if method in ("mmd-descent", "sliced-wasserstein") else {}
    result = cd.condense(X, LABELS, 3, method, np.random.default_rng(0), **options)
    assert result.points.shape == (9, 4)
    assert np.all(np.bincount(result.labels) == 3)
    for label in range(3):
        assert result.weights[result.labels == label].sum() == pytest.approx(1.0)
    again = cd.condense(X, LABELS, 3, method, np.random.default_rng(0), **options)
    assert np.array_equal(result.points, again.points)


def test_unknown_condenser():
    with pytest.raises(ValueError, match="unknown condenser 'dm'; valid: random, herding"):
        cd.condense(X, LABELS, 2, "dm", np.random.default_rng(0))


def test_labels_shape():
    with pytest.raises(ValueError, match="labels must have shape"):
        cd.condense(X, LABELS[:-1], 2, "random", np.random.default_rng(0))


@pytest.mark.parametrize("ipc", [0, -1, 2.5, True])
def test_ipc_must_be_positive_int(ipc):
    with pytest.raises(ValueError, match="ipc must be an integer >= 1"):
        cd.random_subset(X, ipc, np.random.default_rng(0))


def test_too_many_points_requested():
    with pytest.raises(ValueError, match="cannot draw 70 distinct points from 60"):
        cd.random_subset(X, 70, np.random.default_rng(0))
    with pytest.raises(ValueError, match="cannot seed 70 centroids"):
        cd.kmeans_plus_plus(X, 70, np.random.default_rng(0))


def test_non_finite_data():
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="non-finite"):
        cd.herding(bad, 2, np.random.default_rng(0))


def test_herd_inputs():
    phi = RNG.normal(size=(10, 3))
    with pytest.raises(ValueError, match="candidates have 2 features but the data have 3"):
        cd.herd(phi, 3, candidates=phi[:, :2])
    with pytest.raises(ValueError, match="cannot pick 11 distinct points from 10"):
        cd.herd(phi, 11, distinct=True)
    with pytest.raises(ValueError, match="sum to"):
        cd.herd(phi, 3, weights=np.ones(10))


def test_random_features_inputs():
    with pytest.raises(ValueError, match="bandwidth must be a finite number > 0"):
        cd.gaussian_random_features(4, 8, 0.0, np.random.default_rng(0))
    phi = cd.gaussian_random_features(4, 8, 1.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="feature map takes d = 4"):
        phi(X[:, :3])


def test_condenser_hyper_parameters():
    with pytest.raises(ValueError, match="learning_rate"):
        cd.mmd_descent(X, 2, np.random.default_rng(0), learning_rate=0.0)
    with pytest.raises(ValueError, match="step_size"):
        cd.sliced_wasserstein_match(X, 2, np.random.default_rng(0), step_size=1.5)


def test_lloyd_dimension_mismatch():
    with pytest.raises(ValueError, match="initial centroids have 3"):
        cd.lloyd(X, X[:2, :3])


def test_kmeans_w2_identity():
    part = cd.kmeans_w2(X, 4, np.random.default_rng(0))
    q = cd.quantiser_from(X, part.points)
    keep = part.weights > 0
    w2 = wasserstein(X, part.points[keep], 2, weights_S=part.weights[keep])
    assert w2**2 == pytest.approx(q.inertia / X.shape[0], rel=1e-10)


def test_herding_matches_greedy_mmd_with_unit_norm_features():
    """With cos/sin pairs ‖φ‖ is constant, so herding's argmax is also the greedy MMD minimiser."""
    W = RNG.normal(size=(4, 6))
    phi = np.hstack([np.cos(X @ W), np.sin(X @ W)]) / np.sqrt(6)
    path = cd.herd(phi, 5, distinct=True)
    mean = phi.mean(axis=0)
    chosen = []
    for _ in range(5):
        errors = [np.inf if i in chosen else np.linalg.norm(phi[chosen + [i]].mean(axis=0) - mean) for i in range(60)]
        chosen.append(int(np.argmin(errors)))
    assert path.indices.tolist() == chosen


# --- evaluation -------------------------------------------------------------------------------------

def test_krr_accuracy_inputs():
    with pytest.raises(ValueError, match="labels and weights must have shape"):
        ev.krr_accuracy(X, LABELS[:5], np.ones(60), X, LABELS)
    with pytest.raises(ValueError, match="non-negative"):
        ev.krr_accuracy(X, LABELS, -np.ones(60), X, LABELS)
    with pytest.raises(ValueError, match="test features have 3 columns"):
        ev.krr_accuracy(X, LABELS, np.ones(60), X[:, :3], LABELS)
    with pytest.raises(ValueError, match="relative_lambda"):
        ev.krr_accuracy(X, LABELS, np.ones(60), X, LABELS, relative_lambda=0)


def test_weighted_krr_equals_repeated_rows():
    """Weight 2 on a row is the same fit as that row repeated (with λ scaled alike)."""
    F, y = X[:10], LABELS[:10] % 2
    w = np.ones(10)
    w[0] = 2.0
    repeated_F, repeated_y = np.vstack([F, F[:1]]), np.append(y, y[0])
    assert ev.krr_accuracy(F, y, w, X, LABELS % 2, classes=2) == ev.krr_accuracy(
        repeated_F, repeated_y, np.ones(11), X, LABELS % 2, classes=2)


def test_convnet_needs_images():
    with pytest.raises(ValueError, match="784 pixels"):
        ev.convnet_accuracy(X, LABELS, np.ones(60), X, LABELS, seed=0)


def test_spearman_inputs_and_value():
    with pytest.raises(ValueError, match="same length >= 3"):
        ev.spearman_with_ci([1, 2], [1, 2], np.random.default_rng(0))
    with pytest.raises(ValueError, match="finite"):
        ev.spearman_with_ci([1, 2, np.nan], [1, 2, 3], np.random.default_rng(0))
    c = ev.spearman_with_ci(np.arange(10.0), -np.arange(10.0) ** 3, np.random.default_rng(0), resamples=200)
    assert c.rho == pytest.approx(-1.0)
    assert c.high <= -0.99


def test_discrepancy_panel():
    with pytest.raises(ValueError, match="labels must have shape"):
        ev.DiscrepancyPanel.prepare(X, LABELS[:3], {}, 0)
    from constructions.discrepancy import GaussianKernel, mmd

    panel = ev.DiscrepancyPanel.prepare(X, LABELS, {"g": GaussianKernel(1.0)}, 0)
    condensed = cd.condense(X, LABELS, 2, "kmeans-w2", np.random.default_rng(0))
    values = panel(condensed)
    direct = np.mean([mmd(X[LABELS == c], condensed.points[condensed.labels == c], GaussianKernel(1.0),
                          weights_S=condensed.weights[condensed.labels == c]) for c in range(3)])
    assert values["mmd_g"] == pytest.approx(direct, rel=1e-8)
    missing = cd.CondensedSet("x", 1, X[:2], np.array([0, 0]), np.array([0.5, 0.5]))
    with pytest.raises(ValueError, match="no point of class 1"):
        panel(missing)


def test_holm_matches_hand_computation():
    assert ev.holm([0.01, 0.04, 0.03, 0.5]) == pytest.approx([0.04, 0.09, 0.09, 0.5])
    with pytest.raises(ValueError, match="p_values"):
        ev.holm([0.2, 1.5])


def test_stratified_test_sees_within_stratum_association_only():
    rng = np.random.default_rng(0)
    strata = np.repeat([0, 1, 2], 8)
    x = rng.normal(size=24)
    # y tracks the stratum strongly but is independent of x within strata: no association
    null = ev.stratified_test(x, 10.0 * strata + rng.normal(size=24), strata, np.random.default_rng(1), resamples=400)
    assert null.p_value > 0.05 and null.low < 0 < null.high
    strong = ev.stratified_test(x, -x + 10.0 * strata, strata, np.random.default_rng(1), resamples=400)
    assert strong.rho == pytest.approx(-1.0) and strong.p_value < 0.01 and strong.high < 0
    with pytest.raises(ValueError, match="at least 3"):
        ev.stratified_test(x[:4], x[:4], [0, 0, 1, 1], np.random.default_rng(0))
