"""Planted failures for izzo-zou/theorem-2."""

import numpy as np
import sympy as sp

from constructions.kernel import KernelCompression, labels_reproducing

from tests.plants import Plant


def truncated_gaussian_1d(x, z):
    """e^{−x²−z²}(1 + 2xz): the Gaussian with its feature series cut after the linear term."""
    return sp.exp(-x**2 - z**2) * (1 + 2 * x * z)


def truncated_gaussian_gram(A, B, gamma=1.0):
    """Gram matrix of the truncated kernel: rank ≤ d + 1, so a few centres span every section."""
    scale_a = np.exp(-gamma * np.sum(A**2, 1))
    scale_b = np.exp(-gamma * np.sum(B**2, 1))
    return scale_a[:, None] * scale_b[None, :] * (1 + 2 * gamma * A @ B.T)


def multiplied_schur(K, B, C):
    """B·C·Bᵀ in place of B·C⁻¹·Bᵀ."""
    return K - B * C * B.T


def labels_ignoring_ridge(centres, coefficients, lam=0.0, gamma=1.0):
    """ỹ = K̃a: right for λ' = 0 only."""
    return labels_reproducing(centres, coefficients, 0.0, gamma)


def no_compression(model, lam=0.0, zero_tolerance=0.0):
    """Returns the fitted inputs with relabelled targets: nothing merged or dropped."""
    labels = labels_reproducing(model.centres, model.coefficients, lam, model.gamma)
    return KernelCompression(model.centres, labels, lam, model.coefficients)


def drop_repeats_without_merging(model, lam=0.0, zero_tolerance=0.0):
    """Keeps the first copy of a repeated input with its own coefficient only."""
    _, first = np.unique(model.centres, axis=0, return_index=True)
    first = np.sort(first)
    centres, coefficients = model.centres[first], model.coefficients[first]
    return KernelCompression(centres, labels_reproducing(centres, coefficients, lam, model.gamma), lam, coefficients)


PLANTS = {
    "izzo-zou/theorem-2::gram-positive-definite": [Plant("Gaussian series truncated after the linear term",
                                                         {"kernel": truncated_gaussian_1d})],
    "izzo-zou/theorem-2::schur-residual": [Plant("B C Bᵀ instead of B C⁻¹ Bᵀ", {"schur": multiplied_schur})],
    "izzo-zou/theorem-2::best-attempt-certificate": [
        Plant("claim that n centres cannot reproduce f either", {"points_short": 0}),
        Plant("a rank-(d+1) kernel in place of the Gaussian", {"kernel": truncated_gaussian_gram}),
    ],
    "izzo-zou/theorem-2::n-points-suffice": [Plant("labels ignore the ridge term", {"relabel": labels_ignoring_ridge})],
    "izzo-zou/theorem-2::duplicated-inputs": [Plant("no compression", {"compress": no_compression}),
                                              Plant("repeats dropped without merging coefficients",
                                                    {"compress": drop_repeats_without_merging})],
    "izzo-zou/theorem-2::zero-coefficient": [Plant("no compression", {"compress": no_compression})],
    "izzo-zou/theorem-2::longley": [Plant("claim that 16 centres cannot reproduce f either", {"points_short": 0})],
}
