"""The Table-3 fitting conventions and the benchmark's re-implementation of the authors' step, on small data."""

import numpy as np
import pytest

from constructions.feature_maps import IdentityMap, LeakyReLUNetwork, RandomFourierFeatures
from constructions.krr import fit_ridge_full_lambda
from constructions.krr_distill import construct_distilled
from empirical.bench_krr import authors_step
from empirical.krr_table3 import choose_lambda, ridge_lstsq, run_table3, standardised, training_moments

RNG = np.random.default_rng(0)
X = RNG.normal(size=(400, 6)) + 3.0
LABELS = np.argmax((X - 3.0) @ RNG.normal(size=(6, 3)), axis=1)


def test_standardised_uses_one_mean_and_deviation_for_all_pixels():
    X_train, _, X_test, _ = standardised((X, LABELS, X[:5] + 1.0, LABELS[:5]))
    assert np.isclose(X_train.mean(), 0.0) and np.isclose(X_train.std(), 1.0)
    assert np.allclose(X_test, X_train[:5] + 1.0 / X.std())  # the test split uses the training μ and σ
    assert not np.allclose(X_train.std(axis=0), 1.0)  # not per pixel
    with pytest.raises(ValueError, match="not all equal"):
        standardised((np.ones((4, 3)), LABELS[:4], np.ones((2, 3)), LABELS[:2]))


def test_lstsq_and_eigh_fits_agree_on_a_well_conditioned_problem():
    """κ(FᵀF) ≈ 30 here, far below gelsy's cutoff 1/rcond ≈ 1.1·10⁴, so the float32 least-squares route
    keeps full rank: its W is within 10³·u₃₂·κ of float64's and the λ chosen is the same."""
    pytest.importorskip("torch")
    fits = {}
    for dtype, solver in ((np.float64, "eigh"), (np.float32, "lstsq")):
        moments = training_moments(IdentityMap(6), X, LABELS, 3, np.random.default_rng(1), dtype=dtype)
        fits[solver] = choose_lambda(moments, X, LABELS, np.logspace(-3, 4, 8), solver=solver)
    kappa = np.linalg.cond(X.T @ X)
    assert fits["eigh"].lam == fits["lstsq"].lam
    error = np.linalg.norm(fits["lstsq"].W - fits["eigh"].W) / np.linalg.norm(fits["eigh"].W)
    assert error <= 1e3 * np.finfo(np.float32).eps * kappa


def ill_conditioned_moments(p: int = 60, n: int = 2000):
    """float32 FᵀF (exactly symmetric) and FᵀY for features whose singular values fall from 1 to 10⁻⁴:
    κ(FᵀF) ≈ 10⁸, above gelsy's float32 cutoff 1/rcond = 1/(p·u₃₂) ≈ 1.4·10⁵ at p = 60."""
    rng = np.random.default_rng(3)
    basis, _ = np.linalg.qr(rng.normal(size=(p, p)))
    F = rng.normal(size=(n, p)) @ np.diag(np.logspace(0, -4, p)) @ basis.T
    Y = np.eye(3)[np.argmax(F @ rng.normal(size=(p, 3)), axis=1)]
    gram = F.T @ F
    return ((gram + gram.T) / 2).astype(np.float32), (F.T @ Y).astype(np.float32)


def normal_equation_residual(gram, moment, lam, W):
    """‖(FᵀF + λI)W − FᵀY‖ / ‖FᵀY‖, in float64 on the float32 moments."""
    system = gram.astype(float) + lam * np.eye(gram.shape[0])
    return np.linalg.norm(system @ W - moment) / np.linalg.norm(moment)


def test_the_authors_lstsq_route_truncates_the_rank_and_the_eigh_route_does_not():
    """Above the cutoff the authors' route (float32 gelsy) drops directions: its normal-equation residual
    (measured 2–4·10⁻⁴ here, 8.6·10⁻³ for Table 3's LeakyReLU features) is more than 100 times that of a
    float32 LU solve of the same float32 system (≈ 10⁻⁷) and above p·u₃₂, while the float64
    eigendecomposition solves it to 10·p·κ·u₆₄. Once λ brings κ(FᵀF + λI) to 10³, below the cutoff,
    the authors' route is full rank again, within the 10·p·u₃₂ of a backward-stable float32 solve."""
    pytest.importorskip("torch")
    from constructions.krr import RidgeSweep

    gram, moment = ill_conditioned_moments()
    p, u32 = gram.shape[0], float(np.finfo(np.float32).eps)
    eigenvalues = np.linalg.eigvalsh(gram.astype(float))
    small = 1e-3
    truncated = normal_equation_residual(gram, moment, small, ridge_lstsq(gram, moment, small))
    lu = np.linalg.solve(gram + np.float32(small) * np.eye(p, dtype=np.float32), moment)
    assert truncated > max(100 * normal_equation_residual(gram, moment, small, lu), p * u32)
    sweep = RidgeSweep.from_gram(gram.astype(float), moment.astype(float))
    kappa = (eigenvalues[-1] + small) / (eigenvalues[0] + small)
    assert normal_equation_residual(gram, moment, small, sweep.weights(small)) <= 10 * p * kappa * np.finfo(float).eps
    large = (eigenvalues[-1] - 1e3 * eigenvalues[0]) / (1e3 - 1)  # κ(FᵀF + λI) = 10³
    assert normal_equation_residual(gram, moment, large, ridge_lstsq(gram, moment, large)) <= 10 * p * u32


def test_unknown_solvers_are_refused():
    moments = training_moments(IdentityMap(6), X, LABELS, 3, np.random.default_rng(1))
    with pytest.raises(ValueError, match="solver must be one of"):
        choose_lambda(moments, X, LABELS, solver="lu")


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
