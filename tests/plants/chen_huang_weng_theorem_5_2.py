"""Planted failures for chen-huang-weng/theorem-5.2."""

import numpy as np

from constructions.krr import fit_ridge_full_lambda

from tests.plants import Plant


def trainer_with_offset(F, Y, lam):
    """Adds a constant 10⁻³ to every weight (a bias leaking into W)."""
    return fit_ridge_full_lambda(F, Y, lam) + 1e-3


def ridge_leaking_out_of_the_span(F, Y, lam):
    """With λ > 0 (the only ridges the degenerate d = 1 draws check), adds 10⁻⁶ along the last right
    singular vector of F, which is orthogonal to the span of its rows since p > m."""
    W = fit_ridge_full_lambda(F, Y, lam)
    if lam == 0:
        return W
    complement = np.linalg.svd(F, full_matrices=True)[2][-1]
    return W + 1e-6 * np.outer(complement, np.ones(W.shape[1]))


PLANTS = {
    "chen-huang-weng/theorem-5.2::span-lemma": [Plant("offset added to W_S", {"train": trainer_with_offset}),
                                               Plant("ridge solution leaks out of the span",
                                                     {"train": ridge_leaking_out_of_the_span})],
    "chen-huang-weng/theorem-5.2::k-points-insufficient": [Plant("p = d + k − 1: too narrow to certify", {"width_gap": 1})],
    "chen-huang-weng/theorem-5.2::surjective-suffices": [Plant("widened layers (not surjective)", {"widen": 1})],
}
