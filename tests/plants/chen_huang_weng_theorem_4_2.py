"""Planted failures for chen-huang-weng/theorem-4.2."""

import numpy as np

from theorems.chen_huang_weng.theorem_4_2 import least_squares_labels

from tests.plants import Plant


def labels_without_ridge_term(X_S, W, lam_s):
    """Y_S = X_S W: forgets λ_S X_S⁺ᵀ (wrong whenever λ_S > 0)."""
    return X_S @ W


def labels_from_transpose_gram(X_S, W, lam_s):
    """Y_S = X_S (X_SᵀX_S)⁻¹ W: a plausible-looking but wrong formula."""
    return X_S @ np.linalg.solve(X_S.T @ X_S, W)


def scaled_least_squares(X_S, W, lam_s):
    """Least-squares labels scaled by 1.01."""
    return 1.01 * least_squares_labels(X_S, W, lam_s)


PLANTS = {
    "chen-huang-weng/theorem-4.2::inverse-identity": [Plant("no ridge term in X_λ", {"labels_matrix": lambda X, lam: X})],
    "chen-huang-weng/theorem-4.2::exact-labels": [Plant("forgets λ_S X_S⁺ᵀ", {"labels": labels_without_ridge_term}),
                                                Plant("wrong Gram formula", {"labels": labels_from_transpose_gram})],
    "chen-huang-weng/theorem-4.2::least-squares-error": [Plant("labels scaled by 1.01", {"labels": scaled_least_squares})],
    "chen-huang-weng/theorem-4.2::too-few-points": [Plant("claim that m = p still fails", {"points_short": 0})],
}
