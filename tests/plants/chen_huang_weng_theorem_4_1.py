"""Planted failures for chen-huang-weng/theorem-4.1."""

import sympy as sp

from constructions.krr_distill import features_from_operator, lambda_s_bound

from tests.plants import Plant


def roots_without_half(sigma_prime, lam):
    """Drops the 1/2: (1 ± √(1 − 4λσ'²))/σ'."""
    disc = sp.sqrt(1 - 4 * lam * sigma_prime**2)
    return (1 + disc) / sigma_prime, (1 - disc) / sigma_prime


def ignores_ridge(G, lam_s=0.0, root="+", clip=False):
    """Uses X_S = G⁺ whatever λ_S is."""
    X_S, _ = features_from_operator(G, 0.0)
    return X_S, lam_s


def halved_bound(G):
    """Claims the tighter bound 1/(8σ'₁²)."""
    return lambda_s_bound(G) / 2


PLANTS = {
    "chen-huang-weng/theorem-4.1::singular-value-roots": [Plant("roots without the 1/2", {"roots": roots_without_half})],
    "chen-huang-weng/theorem-4.1::exact-recovery": [Plant("ignores λ_S", {"construct": ignores_ridge})],
    "chen-huang-weng/theorem-4.1::necessity": [Plant("bound halved", {"bound": halved_bound})],
    "chen-huang-weng/theorem-4.1::above-bound": [Plant("λ_S just below the bound", {"factor": 0.99})],
    "chen-huang-weng/theorem-4.1::fewer-than-k": [Plant("claim that k points fail too", {"points_short": 0})],
}
