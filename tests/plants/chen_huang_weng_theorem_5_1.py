"""Planted failures for chen-huang-weng/theorem-5.1."""

from dataclasses import replace

import numpy as np

from constructions.krr import fit_ridge_full_lambda
from constructions.krr_distill import construct_distilled, distill_krr, distill_model, label_matrix
from theorems.chen_huang_weng._common import retrain
from theorems.chen_huang_weng.theorem_5_1 import retraining_tolerance

from tests.plants import Plant


def quantised_distill(*args, **kwargs):
    """The distilled inputs rounded to 3 decimals (as if saved at low precision)."""
    result = distill_krr(*args, **kwargs)
    return replace(result, X=np.round(result.X, 3))


def nudged_distill(*args, **kwargs):
    """The distilled inputs perturbed by 10⁻⁹ relative: far below any visible change, far above rounding."""
    result = distill_krr(*args, **kwargs)
    return replace(result, X=result.X * (1 + 1e-9))


def unscaled_labels(*args, **kwargs):
    """Forgets to rescale the labels after scaling RFF features into range."""
    result = distill_krr(*args, **kwargs)
    return replace(result, Y=result.Y / result.report.scale)


def other_class_points(X, Y, feature_map, ipc, lam, **kwargs):
    """Real mode takes its points from the next class (the labels φ(x̂)W still reproduce W exactly)."""
    W = fit_ridge_full_lambda(feature_map(X), Y, lam)
    return distill_krr(X, np.roll(Y, 1, axis=1), feature_map, ipc, lam, W=W, **kwargs)


def default_ridge_one(X, Y, feature_map, ipc, lam, *, lam_s=1.0, **kwargs):
    """The default λ_S changed from 0 to 1."""
    return distill_krr(X, Y, feature_map, ipc, lam, lam_s=lam_s, **kwargs)


def refuses_positive_ridge(*args, lam_s=0.0, **kwargs):
    """A bound 10⁶× too small: refuses every λ_S > 0 that the data allow."""
    if lam_s > 0:
        raise ValueError(f"λ_S = {lam_s:.6g} exceeds Theorem 4.1's bound")
    return distill_model(*args, lam_s=lam_s, **kwargs)


def points_off_by_one(*args, **kwargs):
    """Reports one point more than it returns."""
    result = distill_model(*args, **kwargs)
    return replace(result, report=replace(result.report, points=result.report.points + 1))


def bound_one_percent_large(*args, **kwargs):
    """Reports Theorem 4.1's bound 1 % too large."""
    result = distill_model(*args, **kwargs)
    return replace(result, report=replace(result.report, lam_s_bound=1.01 * result.report.lam_s_bound))


def zero_model(*args, **kwargs):
    """Returns W_S = 0."""
    result = distill_model(*args, **kwargs)
    return replace(result, W_s=np.zeros_like(result.W_s))


def model_ten_tolerances_off(W, feature_map, *args, **kwargs):
    """Returns the right W_S moved by 10× the check's own tolerance."""
    result = distill_model(W, feature_map, *args, **kwargs)
    F_S = feature_map(result.X)
    W_s, G = retrain(F_S, result.Y, result.lam_s)
    tolerance, _ = retraining_tolerance(F_S, result.Y, result.lam_s, W_s, G, feature_map)
    direction = np.random.default_rng(0).normal(size=W_s.shape)
    moved = W_s + 10 * tolerance * np.linalg.norm(W_s) * direction / np.linalg.norm(direction)
    return replace(result, W_s=moved)


def clip_not_flagged(*args, **kwargs):
    """Clips λ_S to the bound without saying so."""
    result = distill_model(*args, **kwargs)
    return replace(result, report=replace(result.report, clipped=False))


def bound_unscaled(*args, **kwargs):
    """Reports the bound for the unscaled labels (1/c² too large for RFF once the features are scaled)."""
    result = distill_model(*args, **kwargs)
    return replace(result, report=replace(result.report, lam_s_bound=result.report.lam_s_bound / result.report.scale**2))


def eight_bit_step(*args, **kwargs):
    """Distilled images quantised to 8-bit grey levels (a PNG round trip)."""
    result = distill_model(*args, **kwargs)
    return replace(result, X=np.round(result.X * 255) / 255)


def relative_error_zero(*args, **kwargs):
    """Reports relative_error = 0 whatever W_s is (exact recovery claimed, not measured)."""
    result = distill_model(*args, **kwargs)
    return replace(result, report=replace(result.report, relative_error=0.0))


def pseudo_inverse_by_solve(W, feature_map, Y_S, *, lam_s=0.0, reference=None, rng=None, clip=False, root="+"):
    """λ_S = 0 through the normal equations (GᵀG)⁻¹Gᵀ, which assume G of full column rank."""
    built = construct_distilled(W, feature_map, Y_S, lam_s=lam_s, reference=reference, rng=rng, clip=clip, root=root)
    if lam_s != 0:
        return built
    G = W @ np.linalg.pinv(Y_S)
    return replace(built, X=feature_map.preimage(np.linalg.solve(G.T @ G, G.T)))


def clips_by_default(*args, clip=True, **kwargs):
    """``distill_krr`` with ``clip=True`` as its default: λ_S above the bound is silently replaced."""
    return distill_krr(*args, clip=clip, **kwargs)


def uncentred_labels(labels, classes, centred=False):
    """Ignores ``centred``: one-hot rows whatever is asked."""
    return label_matrix(labels, classes)


PLANTS = {
    "chen-huang-weng/theorem-5.1::leaky-relu-recovery": [
        Plant("X_S rounded to 3 decimals", {"distill": quantised_distill}),
        Plant("X_S nudged by 10⁻⁹ relative", {"distill": nudged_distill}),
        Plant("real mode picks points of another class", {"distill": other_class_points}),
        Plant("default λ_S = 1", {"distill": default_ridge_one}),
        Plant("refuses every λ_S > 0", {"distill_step": refuses_positive_ridge}),
        Plant("report.points off by one", {"distill_step": points_off_by_one}),
        Plant("W_S = 0", {"distill_step": zero_model}),
        Plant("W_S off by 10× the tolerance", {"distill_step": model_ten_tolerances_off}),
        Plant("relative_error reported as 0", {"distill_step": relative_error_zero}),
    ],
    "chen-huang-weng/theorem-5.1::rff-recovery": [
        Plant("labels not rescaled", {"distill": unscaled_labels}),
        Plant("X_S rounded to 3 decimals", {"distill": quantised_distill}),
        Plant("real mode picks points of another class", {"distill": other_class_points}),
        Plant("lam_s_bound 1 % too large", {"distill_step": bound_one_percent_large}),
        Plant("W_S = 0", {"distill_step": zero_model}),
        Plant("W_S off by 10× the tolerance", {"distill_step": model_ten_tolerances_off}),
    ],
    "chen-huang-weng/theorem-5.1::clipped-report": [
        Plant("clip not flagged", {"distill_step": clip_not_flagged}),
        Plant("lam_s_bound in unscaled units", {"distill_step": bound_unscaled}),
    ],
    "chen-huang-weng/theorem-5.1::rank-deficient-model": [
        Plant("G⁺ by the normal equations", {"construct": pseudo_inverse_by_solve}),
        Plant("centred labels not centred", {"labels": uncentred_labels}),
        Plant("distill_krr clips by default", {"distill": clips_by_default}),
    ],
    "chen-huang-weng/theorem-5.1::not-surjective": [Plant("square (surjective) layer", {"widen": 0})],
    "chen-huang-weng/theorem-5.1::fashion-mnist": [Plant("8-bit quantised images", {"distill_step": eight_bit_step})],
}
