"""Planted failures for chen-huang-weng/theorem-4.1."""

import numpy as np
import sympy as sp

from constructions.krr_distill import OperatorFeatures, admissible_operator, features_from_operator, lambda_s_bound

from tests.plants import Plant


def roots_without_half(sigma_prime, lam):
    """Drops the 1/2: (1 ± √(1 − 4λσ'²))/σ'."""
    disc = sp.sqrt(1 - 4 * lam * sigma_prime**2)
    return (1 + disc) / sigma_prime, (1 - disc) / sigma_prime


def ignores_ridge(G, lam_s=0.0, root="+", clip=False):
    """Uses X_S = G⁺ whatever λ_S is."""
    X_S, _ = features_from_operator(G, 0.0)
    return OperatorFeatures(X_S, lam_s, False)


def always_plus_root(G, lam_s=0.0, root="+", clip=False):
    """Returns the '+' root whatever root was asked for (W_S = W still holds)."""
    return features_from_operator(G, lam_s, "+", clip)


def refuses_the_boundary(G, lam_s=0.0, root="+", clip=False):
    """Strict λ_S < bound: refuses λ_S at the bound, which Theorem 4.1 allows."""
    if lam_s > 0 and lam_s >= (1 - 1e-9) * lambda_s_bound(G):
        raise ValueError(f"λ_S = {lam_s:.6g} exceeds Theorem 4.1's bound")
    return features_from_operator(G, lam_s, root, clip)


def no_rounding_band(G, lam_s=0.0, root="+", clip=False):
    """Refuses every λ_S above its own bound (from its SVD with singular vectors): no band for the rounding
    that separates it from a caller's computation of the same bound."""
    top = np.linalg.svd(G, full_matrices=False)[1][0]
    if not clip and lam_s > 1.0 / (4.0 * top**2):
        raise ValueError(f"λ_S = {lam_s:.6g} exceeds Theorem 4.1's bound")
    return features_from_operator(G, lam_s, root, clip)


def default_ridge_one(G, lam_s=1.0, root="+", clip=False):
    """The default λ_S changed from 0 to 1."""
    return features_from_operator(G, lam_s, root, clip)


def accepts_one_percent_over(G, lam_s=0.0, root="+", clip=False):
    """Accepts λ_S up to 1.01× the bound without clip (silently building at the bound)."""
    result = features_from_operator(G, lam_s, root, clip=clip or lam_s <= 1.01 * lambda_s_bound(G))
    return OperatorFeatures(result.F, result.lam_s, result.clipped and clip)


def clip_not_flagged(G, lam_s=0.0, root="+", clip=False):
    """Clips to the bound without saying so."""
    result = features_from_operator(G, lam_s, root, clip)
    return OperatorFeatures(result.F, result.lam_s, False)


def halved_bound(G):
    """Claims the tighter bound 1/(8σ'₁²)."""
    return lambda_s_bound(G) / 2


def bound_one_percent_large(G):
    """Claims 1.01/(4σ'₁²): too large, which the 'λ_S ≤ bound' direction alone would not notice."""
    return 1.01 * lambda_s_bound(G)


def bound_infinite_at_unit_norm(G):
    """Returns +inf (no constraint) when ‖G‖₂ is exactly 1, as if G were 0."""
    return np.inf if np.linalg.norm(G, 2) == 1 else lambda_s_bound(G)


def unbounded_for_rank_one(G, lam_s=0.0, root="+", clip=False):
    """Skips the bound for a rank-one G (treats one singular value like none)."""
    if np.linalg.matrix_rank(G) == 1 and lam_s > lambda_s_bound(G):
        return features_from_operator(G, lambda_s_bound(G), root)
    return features_from_operator(G, lam_s, root, clip)


def unit_ridge_as_zero(G, lam_s=0.0, root="+", clip=False):
    """Takes λ_S = 1 for λ_S = 0 (X_S = G⁺) while reporting λ_S = 1."""
    if lam_s == 1:
        return OperatorFeatures(features_from_operator(G).F, lam_s, False)
    return features_from_operator(G, lam_s, root, clip)


def pseudo_inverse_of_any_labels(W, Y_S, Z=None):
    """W Y_S⁺ + Z(I − Y_S Y_S⁺) through numpy's pinv, whatever the rank of Y_S."""
    pinv = np.linalg.pinv(Y_S)
    return W @ pinv + (0 if Z is None else Z @ (np.eye(Y_S.shape[0]) - Y_S @ pinv))


def absolute_rank_threshold(W, Y_S, Z=None):
    """Counts singular values of Y_S above an absolute 10⁻¹⁰: refuses full-rank labels at small scales."""
    if np.linalg.matrix_rank(Y_S, tol=1e-10) < Y_S.shape[1]:
        raise ValueError("Y_S is rank-deficient")
    return admissible_operator(W, Y_S, Z)


PLANTS = {
    "chen-huang-weng/theorem-4.1::singular-value-roots": [Plant("roots without the 1/2", {"roots": roots_without_half})],
    "chen-huang-weng/theorem-4.1::exact-recovery": [
        Plant("ignores λ_S", {"construct": ignores_ridge}),
        Plant("'−' root returns the '+' root", {"construct": always_plus_root}),
        Plant("refuses λ_S at the bound", {"construct": refuses_the_boundary}),
        Plant("no rounding band at the bound", {"construct": no_rounding_band}),
        Plant("default λ_S = 1", {"construct": default_ridge_one}),
    ],
    "chen-huang-weng/theorem-4.1::bound-enforced": [
        Plant("accepts λ_S up to 1.01× the bound", {"construct": accepts_one_percent_over}),
        Plant("clip not flagged", {"construct": clip_not_flagged}),
    ],
    "chen-huang-weng/theorem-4.1::necessity": [Plant("bound halved", {"bound": halved_bound}),
                                               Plant("bound 1 % too large", {"bound": bound_one_percent_large})],
    "chen-huang-weng/theorem-4.1::known-operators": [
        Plant("bound infinite when ‖G‖₂ = 1", {"bound": bound_infinite_at_unit_norm}),
        Plant("no bound for a rank-one G", {"construct": unbounded_for_rank_one}),
        Plant("λ_S = 1 built as λ_S = 0", {"construct": unit_ridge_as_zero}),
    ],
    "chen-huang-weng/theorem-4.1::label-rank": [
        Plant("labels of any rank accepted", {"admissible": pseudo_inverse_of_any_labels}),
        Plant("absolute rank threshold", {"admissible": absolute_rank_threshold}),
    ],
    "chen-huang-weng/theorem-4.1::above-bound": [Plant("λ_S just below the bound", {"factor": 0.99})],
    "chen-huang-weng/theorem-4.1::fewer-than-k": [Plant("claim that k points fail too", {"points_short": 0})],
}
