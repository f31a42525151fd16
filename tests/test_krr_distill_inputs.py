"""The KRR distiller and its feature maps: exact recovery on small problems, precise errors on bad input."""

import numpy as np
import pytest

from constructions.feature_maps import (
    DeepLinearNetwork,
    IdentityMap,
    LeakyReLUNetwork,
    RandomFourierFeatures,
)
from constructions.krr_distill import (
    admissible_operator,
    cosine,
    distill_krr,
    distill_model,
    features_from_operator,
    label_matrix,
    lambda_s_bound,
    relative_error,
    ridge_operator,
)

RNG = np.random.default_rng(0)
X = RNG.normal(size=(120, 8))
LABELS = np.arange(120) % 3
Y = label_matrix(LABELS, 3)
MAPS = [IdentityMap(8), LeakyReLUNetwork.seeded(8, (8, 8), seed=1), RandomFourierFeatures.seeded(8, 6, seed=2)]


@pytest.mark.parametrize("feature_map", MAPS, ids=lambda m: type(m).__name__)
@pytest.mark.parametrize("mode", ["noise", "real"])
@pytest.mark.parametrize("ipc", [1, 4])
def test_distilled_model_equals_original(feature_map, mode, ipc):
    result = distill_krr(X, Y, feature_map, ipc, lam=0.3, mode=mode, seed=5)
    assert result.X.shape == (3 * ipc, 8) and result.Y.shape == (3 * ipc, 3)
    assert result.report.relative_error < 1e-8 and result.report.cosine > 1 - 1e-12
    assert result.report.points == 3 * ipc and result.lam_s == 0.0 and not result.report.clipped


def test_device_option_cpu_path_matches_numpy():
    numpy_result = distill_krr(X, Y, MAPS[1], 2, lam=0.3, seed=4)
    torch_result = distill_krr(X, Y, MAPS[1], 2, lam=0.3, seed=4, device="cpu")
    assert np.allclose(numpy_result.X, torch_result.X, rtol=1e-8, atol=1e-10)


def test_same_seed_same_result():
    a, b = distill_krr(X, Y, MAPS[0], 2, 0.3, seed=9), distill_krr(X, Y, MAPS[0], 2, 0.3, seed=9)
    assert np.array_equal(a.X, b.X)


def test_preimages_invert_the_maps():
    for feature_map in MAPS[:2]:
        F = feature_map(X[:5])
        assert np.allclose(feature_map(feature_map.preimage(F)), F, atol=1e-10)
    rff = MAPS[2]
    F = rff(X[:5])
    assert np.allclose(rff(rff.preimage(F)), F, atol=1e-10)


def test_lambda_s_bound_is_enforced_or_clipped():
    W = RNG.normal(size=(8, 3))
    G = admissible_operator(W, np.eye(3))
    bound = 1 / (4 * np.linalg.norm(G, 2) ** 2)
    with pytest.raises(ValueError, match="exceeds Theorem 4.1's bound"):
        features_from_operator(G, 1.01 * bound)
    result = features_from_operator(G, 2 * bound, clip=True)
    assert result.clipped and abs(result.lam_s - bound) <= 1e-13 * bound
    assert np.allclose(ridge_operator(result.F, result.lam_s), G, atol=1e-10)
    assert not features_from_operator(G, 0.5 * bound, clip=True).clipped


def test_lambda_s_at_the_bound_is_accepted():
    """The bound as a user computes it (lambda_s_bound, another SVD path) is inside the domain."""
    rng = np.random.default_rng(3)
    for _ in range(200):
        G = rng.normal(size=(rng.integers(2, 9), 3)) * 10 ** rng.uniform(-3, 3)
        for root in "+-":
            F_S, used = features_from_operator(G, lambda_s_bound(G), root=root)
            assert used == lambda_s_bound(G)
            assert np.allclose(ridge_operator(F_S, used), G, rtol=1e-6, atol=1e-6 * np.linalg.norm(G, 2))


def test_root_is_validated():
    G = RNG.normal(size=(5, 3))
    with pytest.raises(ValueError, match="'−' root is σ = 0 when λ_S = 0"):
        features_from_operator(G, 0.0, root="-")
    with pytest.raises(ValueError, match="root must be one of"):
        features_from_operator(G, 0.0, root="plus")


def test_report_fields_for_a_scaled_clipped_set():
    """RFF scales the features by c < 1: λ_S and its bound are reported for the returned labels."""
    rff = MAPS[2]
    W = RNG.normal(size=(6, 3)) * 0.01  # small W: large features, scaled down into the box
    G = admissible_operator(W, np.eye(3))
    bound = 1 / (4 * np.linalg.norm(G, 2) ** 2)
    result = distill_model(W, rff, np.eye(3), lam_s=3 * bound, reference=np.zeros((6, 3)), clip=True)
    c = result.report.scale
    assert 0 < c < 1 and result.report.clipped and result.report.points == 3
    assert np.isclose(result.report.lam_s_bound, c**2 * bound, rtol=1e-12)
    assert np.isclose(result.lam_s, result.report.lam_s_bound, rtol=1e-12)
    assert result.report.relative_error < 1e-8 and result.report.cosine > 1 - 1e-12


class LossyIdentity(IdentityMap):
    """φ(x) = x with a preimage off by 10⁻³ in every entry: a set that does NOT reproduce W, so the report
    has something to measure."""

    def preimage(self, F):
        return super().preimage(F) + 1e-3


def test_report_measures_a_set_that_misses():
    """cosine, relative_error and W_s are the retrained model's, checked where they are far from 1 and 0."""
    lossy = LossyIdentity(8)
    W = RNG.normal(size=(8, 3))
    result = distill_model(W, lossy, np.eye(3), reference=np.zeros((8, 3)))
    W_s = np.linalg.pinv(result.X) @ result.Y
    expected_error = np.linalg.norm(W_s - W) / np.linalg.norm(W)
    expected_cosine = np.sum(W * W_s) / (np.linalg.norm(W) * np.linalg.norm(W_s))
    assert expected_error > 1e-4
    assert np.isclose(result.report.relative_error, expected_error, rtol=1e-8)
    assert np.isclose(1 - result.report.cosine, 1 - expected_cosine, rtol=1e-6)
    assert np.allclose(result.W_s, W_s, rtol=1e-8, atol=1e-12)


def test_cosine_and_relative_error_on_known_values():
    A, B = np.array([[1.0, 0.0]]), np.array([[1.0, 1.0]])
    assert np.isclose(cosine(A, B), 1 / np.sqrt(2)) and cosine(A, 0 * B) == 0.0
    assert np.isclose(relative_error(B, A), 1.0) and np.isclose(relative_error(2 * A, A), 1.0)


@pytest.mark.parametrize("kwargs,message", [
    (dict(X=X[:, :5]), "feature map takes d = 8"),
    (dict(Y=Y[:50]), "must match"),
    (dict(ipc=0), "ipc must be an integer >= 1"),
    (dict(ipc=1.5), "ipc must be an integer >= 1"),
    (dict(lam=-1.0), "λ must be"),
    (dict(lam_s=np.nan), "λ_S must be"),
    (dict(mode="fancy"), "mode must be one of"),
    (dict(X=np.where(np.eye(120, 8) > 0, np.inf, X)), "non-finite"),
    (dict(ipc=50, mode="real"), "fewer than ipc"),
    (dict(feature_map=RandomFourierFeatures.seeded(8, 12, seed=0)), "not surjective"),
    (dict(feature_map=DeepLinearNetwork.seeded(8, (10, 12), seed=0)), "not surjective"),
    (dict(feature_map=LeakyReLUNetwork.seeded(8, (10,), seed=0)), "not surjective"),
])
def test_distill_krr_rejects_bad_input(kwargs, message):
    arguments = dict(X=X, Y=Y, feature_map=MAPS[0], ipc=1, lam=0.3)
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        distill_krr(**arguments)


def test_fewer_points_than_classes_names_the_theorem():
    with pytest.raises(ValueError, match="Theorem 4.1 needs m ≥ k"):
        admissible_operator(RNG.normal(size=(8, 3)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="rank Y_S = k"):
        admissible_operator(RNG.normal(size=(8, 3)), np.ones((4, 3)))


@pytest.mark.parametrize("build,message", [
    (lambda: LeakyReLUNetwork.seeded(4, (4,), seed=0, slope=1.5), "slope"),
    (lambda: LeakyReLUNetwork((np.ones((3, 4)), np.ones((2, 5)))), "W_2 has 5 columns"),
    (lambda: RandomFourierFeatures(np.ones((3, 4)), np.zeros(2)), "b has 2 entries"),
    (lambda: RandomFourierFeatures.seeded(4, 3, seed=0, scale=-1.0), "scale and b_max"),
    (lambda: RandomFourierFeatures.seeded(4, 0, seed=0), "p must be an integer"),
    (lambda: DeepLinearNetwork(()), "at least one weight matrix"),
])
def test_feature_maps_reject_bad_parameters(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_out_of_range_features_are_rejected():
    rff = MAPS[2]
    with pytest.raises(ValueError, match="exceed the range"):
        rff.preimage(np.ones((1, 6)))
    with pytest.raises(ValueError, match="outside Range"):
        DeepLinearNetwork.seeded(3, (6,), seed=0).preimage(RNG.normal(size=(2, 6)))
    with pytest.raises(ValueError, match="outputs p"):
        MAPS[1].preimage(np.ones((1, 3)))


def test_label_matrix_centred_and_bad_labels():
    assert np.allclose(label_matrix(LABELS, 3, centred=True).mean(axis=0), 0)
    with pytest.raises(ValueError, match="integers in 0..2"):
        label_matrix(np.array([0, 3]), 3)


def test_private_distillation_runs_and_validates():
    from theorems.chen_huang_weng.w_noise_privacy import private_distillation

    X_small = X[:20] / np.max(np.linalg.norm(X[:20], axis=1))
    sigma_0 = np.linalg.svd(X_small, compute_uv=False)[-1]
    F_S, Y_S, s = private_distillation(X_small, Y[:20], 4, 0.5, 1e-5, 1.0, sigma_0, np.random.default_rng(0))
    assert F_S.shape == (4, 8) and s > 0
    with pytest.raises(ValueError, match="needs m > k"):
        private_distillation(X_small, Y[:20], 3, 0.5, 1e-5, 1.0, sigma_0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="below σ₀"):
        private_distillation(X_small, Y[:20], 4, 0.5, 1e-5, 1.0, 10 * sigma_0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="0 < ε < 1"):
        private_distillation(X_small, Y[:20], 4, 1.5, 1e-5, 1.0, sigma_0, np.random.default_rng(0))


def test_sweep_from_gram_matches_direct_fit():
    from constructions.krr import RidgeSweep, fit_ridge_full_lambda

    F = RNG.normal(size=(50, 6))
    sweep = RidgeSweep.from_gram(F.T @ F, F.T @ Y[:50])
    for lam in (1e-2, 1.0, 30.0):
        assert np.allclose(sweep.weights(lam), fit_ridge_full_lambda(F, Y[:50], lam), rtol=1e-9, atol=1e-12)
    with pytest.raises(ValueError, match="must be square"):
        RidgeSweep.from_gram(np.ones((3, 4)), np.ones((3, 1)))
