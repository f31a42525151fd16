"""The Table-3 fitting conventions and the benchmark's re-implementation of the authors' step, on small data."""

import numpy as np
import pytest

from constructions.feature_maps import IdentityMap, LeakyReLUNetwork, RandomFourierFeatures
from constructions.krr import fit_ridge_full_lambda
from constructions.krr_distill import construct_distilled
from empirical.bench_krr import authors_step
from empirical.krr_table3 import choose_lambda, run_table3, standardised, training_moments

RNG = np.random.default_rng(0)
X = RNG.normal(size=(400, 6)) + 3.0
LABELS = np.argmax((X - 3.0) @ RNG.normal(size=(6, 3)), axis=1)


def test_standardised_centres_and_scales_by_the_training_split():
    X_const = np.hstack([X, np.full((400, 1), 2.0)])
    X_train, _, X_test, _ = standardised((X_const, LABELS, X_const[:5] + 1.0, LABELS[:5]))
    assert np.allclose(X_train.mean(axis=0), 0.0) and np.allclose(X_train[:, :6].std(axis=0), 1.0)
    assert np.allclose(X_train[:, 6], 0.0)  # a constant pixel keeps scale 1
    assert np.allclose(X_test, X_train[:5] + 1.0 / np.where(X_const.std(axis=0) > 0, X_const.std(axis=0), 1.0))


def test_float32_and_float64_fits_agree_on_a_well_conditioned_problem():
    """κ(FᵀF) is small here, so float32's W is within 10³·u₃₂·κ of float64's and the λ chosen is the same."""
    fits = {}
    for dtype in (np.float64, np.float32):
        moments = training_moments(IdentityMap(6), X, LABELS, 3, np.random.default_rng(1), dtype=dtype)
        fits[dtype] = choose_lambda(moments, X, LABELS, np.logspace(-3, 4, 8), solve_dtype=dtype)
    kappa = np.linalg.cond(X.T @ X)
    assert fits[np.float64].lam == fits[np.float32].lam
    error = np.linalg.norm(fits[np.float32].W - fits[np.float64].W) / np.linalg.norm(fits[np.float64].W)
    assert error <= 1e3 * np.finfo(np.float32).eps * kappa


def test_unknown_conventions_are_refused():
    with pytest.raises(ValueError, match="conventions must be one of"):
        run_table3(seeds=(0,), data=(X, LABELS, X, LABELS), conventions="paper")


@pytest.mark.parametrize("feature_map", [IdentityMap(6), LeakyReLUNetwork.seeded(6, (6,), 0),
                                         RandomFourierFeatures.seeded(6, 6, 0, b_max=np.pi)],
                         ids=lambda m: type(m).__name__)
def test_authors_step_and_ours_reproduce_the_same_model(feature_map):
    W = fit_ridge_full_lambda(feature_map(X), np.eye(3)[LABELS], 1.0)
    Y_S = np.repeat(np.eye(3), 2, axis=0)
    Z = np.random.default_rng(2).normal(size=(W.shape[0], 6))
    built = construct_distilled(W, feature_map, Y_S, reference=Z)
    X_authors = authors_step(W, feature_map, Y_S, Z)
    W_ours = fit_ridge_full_lambda(feature_map(built.X), built.Y, built.lam_s)
    W_authors = np.linalg.pinv(feature_map(X_authors)) @ (built.scale * Y_S)
    assert np.allclose(W_ours, W, rtol=1e-6, atol=1e-8) and np.allclose(W_authors, W, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("m", [3, 6, 9])
def test_qr_pseudo_inverse_matches_the_svd_route(m):
    """construct_distilled's λ_S = 0 fast path (G⁺ = R⁻¹Qᵀ) against features_from_operator's SVD route,
    within 10·size·κ(G)·u (both are forward-stable pseudo-inverses), and the bound it reports."""
    from constructions.krr_distill import admissible_operator, features_from_operator, lambda_s_bound

    W = np.random.default_rng(m).normal(size=(12, 3))
    Y_S = np.repeat(np.eye(3), m // 3, axis=0)
    Z = np.random.default_rng(m + 1).normal(size=(12, m))
    G = admissible_operator(W, Y_S, Z)
    built = construct_distilled(W, IdentityMap(12), Y_S, reference=Z)
    reference = features_from_operator(G).F
    tolerance = 10 * max(G.shape) * np.linalg.cond(G) * np.finfo(float).eps
    assert np.linalg.norm(built.X - reference) <= tolerance * np.linalg.norm(reference)
    assert np.isclose(built.lam_s_bound, lambda_s_bound(G), rtol=1e-12)
