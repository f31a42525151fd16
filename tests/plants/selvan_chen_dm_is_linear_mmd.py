"""Planted failures for selvan-chen/dm-is-linear-mmd."""

import sympy as sp

from constructions.discrepancy import LinearKernel, measure, mmd2_biased, mmd2_unbiased, weighted_kernel_sum

from tests.plants import Plant


def summed_dm(real, synthetic, a, b):
    """Sums of embeddings instead of (weighted) means."""
    difference = sum(real, sp.zeros(*real[0].shape)) - sum(synthetic, sp.zeros(*real[0].shape))
    return (difference.T * difference)[0, 0]


def dm_without_square(real, synthetic):
    """‖mean difference‖ instead of its square."""
    return float(((real.mean(0) - synthetic.mean(0)) ** 2).sum() ** 0.5)


def mse_dm_loss(real, synthetic):
    """DM written with a mean over coordinates (MSE) instead of a sum: off by the factor d."""
    return ((real.mean(dim=0) - synthetic.mean(dim=0)) ** 2).mean()


def unbiased_where_defined(real, synthetic, kernel):
    """The unbiased estimator (diagonals dropped) whenever both sides have two points."""
    if real.shape[0] >= 2 and synthetic.shape[0] >= 2:
        return mmd2_unbiased(real, synthetic, kernel)
    return mmd2_biased(real, synthetic, kernel)


def linear_kernel(real, synthetic):
    """The linear kernel itself: no counterexample can exist."""
    return LinearKernel()


def _off_diagonal_over_count(k, P):
    full = weighted_kernel_sum(k, P.points, P.weights, P.points, P.weights)
    return (full - float((P.weights**2) @ k.diagonal(P.points))) / (1.0 - 1.0 / P.size)


def unbiased_count_normaliser(X, Y, k, weights_T=None, weights_S=None):
    """The unbiased MMD² renormalised by 1 − 1/n instead of 1 − Σwᵢ² (right only for uniform weights)."""
    P, Q = measure(X, weights_T, "T"), measure(Y, weights_S, "S")
    cross = weighted_kernel_sum(k, P.points, P.weights, Q.points, Q.weights)
    return _off_diagonal_over_count(k, P) - 2.0 * cross + _off_diagonal_over_count(k, Q)


PLANTS = {
    "selvan-chen/dm-is-linear-mmd::expansion": [Plant("sums instead of means", {"dm": summed_dm})],
    "selvan-chen/dm-is-linear-mmd::random-embeddings": [
        Plant("unbiased estimator in place of the V-statistic", {"mmd2": unbiased_where_defined}),
        Plant("DM without the square", {"dm": dm_without_square}),
    ],
    "selvan-chen/dm-is-linear-mmd::convnet-fashion-mnist": [Plant("MSE over coordinates", {"dm": mse_dm_loss})],
    "selvan-chen/dm-is-linear-mmd::nonlinear-kernel": [Plant("kernel is linear after all", {"make_kernel": linear_kernel})],
    "selvan-chen/dm-is-linear-mmd::unbiased-expectation": [
        Plant("normaliser 1 − 1/n instead of 1 − Σw²", {"estimator": unbiased_count_normaliser}),
        Plant("the biased estimator", {"estimator": mmd2_biased}),
    ],
    "selvan-chen/dm-is-linear-mmd::unbiased-estimator": [Plant("estimator is the biased one", {"estimator": mmd2_biased})],
}
