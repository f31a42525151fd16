"""Two user distillers for Izzo & Zou's Theorem 3 (d points recover linear regression).

``qr_distill`` is a correct alternative to the built-in SVD construction: the thin QR X = QR gives
the points R and labels Qᵀy, so RᵀR = XᵀX and RᵀQᵀy = Xᵀy, which is all a squared loss sees.
``qr_distill_label_slip`` is the same with a 0.1 % error in the labels.
"""

import numpy as np

from constructions.linear import LinearDistillation, distill_linear_regression


def qr_distill(X, y, *, normalised=False):
    """rank(X) points from a column-pivoted QR of X (the built-in handles rank-deficient X)."""
    X, y = np.asarray(X, float), np.asarray(y, float)
    reference = distill_linear_regression(X, y, normalised=normalised)
    if reference.rank < X.shape[1]:
        return reference
    q, r = np.linalg.qr(X)
    scale = np.sqrt(r.shape[0] / X.shape[0]) if normalised else 1.0
    return LinearDistillation(r * scale, (q.T @ y) * scale, reference.rank, reference.dimension, normalised, "qr")


def qr_distill_label_slip(X, y, *, normalised=False):
    """``qr_distill`` with labels 0.1 % too large."""
    good = qr_distill(X, y, normalised=normalised)
    return LinearDistillation(good.X, good.y * 1.001, good.rank, good.dimension, normalised, "qr, labels slipped")


def qr_distill_transpose_slip(X, y, *, normalised=False):
    """``qr_distill`` returning Rᵀ for R: the points' Gram matrix becomes R Rᵀ ≠ RᵀR = XᵀX."""
    good = qr_distill(X, y, normalised=normalised)
    return LinearDistillation(good.X.T, good.y, good.rank, good.dimension, normalised, "qr, transposed")
