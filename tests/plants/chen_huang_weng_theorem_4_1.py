"""Planted failures for chen-huang-weng/theorem-4.1."""

import numpy as np
import sympy as sp

from constructions.krr_distill import OperatorFeatures, features_from_operator, lambda_s_bound

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
    "chen-huang-weng/theorem-4.1::above-bound": [Plant("λ_S just below the bound", {"factor": 0.99})],
    "chen-huang-weng/theorem-4.1::fewer-than-k": [Plant("claim that k points fail too", {"points_short": 0})],
}
