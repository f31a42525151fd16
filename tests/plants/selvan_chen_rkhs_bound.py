"""Planted failures for selvan-chen/rkhs-bound."""

import numpy as np

from constructions.discrepancy import GaussianKernel, LaplacianKernel, Witness, kernel, mmd, mmd2_biased, squared_distances, witness
from theorems.selvan_chen.rkhs_bound import lagrange_remainder

from tests.plants import Plant


def same_sign_coefficients(a, b):
    """μ_T + μ_S instead of μ_T − μ_S."""
    return [*a, *b]


def double_counted_squares(u, v):
    """Sum of squares over all ordered pairs i ≠ j (each counted twice)."""
    d = u.shape[0]
    extra = sum((u[i] * v[j] - u[j] * v[i]) ** 2 for i in range(d) for j in range(i + 1, d))
    return lagrange_remainder(u, v) - extra


def half_mmd(X, Y, k, weights_T=None, weights_S=None):
    """An MMD that is too small by half."""
    return 0.5 * mmd(X, Y, k, weights_T=weights_T, weights_S=weights_S)


def witness_ignoring_weights(X, Y, k, weights_T=None, weights_S=None):
    """The witness built as if S were uniformly weighted."""
    return witness(X, Y, k, weights_T=weights_T)


def linear_function(x):
    """f(x) = Σ xᵢ: inside the linear RKHS (norm √d), so no counterexample exists."""
    return np.sum(x, axis=1)


class FourthPowerGaussian(GaussianKernel):
    """exp(−‖x − y‖²/(2σ⁴)): still a valid kernel, with the wrong bandwidth."""

    def matrix(self, X, Y):
        return np.exp(-squared_distances(X, Y) / (2.0 * self.bandwidth**4))


class SquaredLaplacian(LaplacianKernel):
    """exp(−‖x − y‖²/σ): a Gaussian posing as the Laplacian kernel."""

    def matrix(self, X, Y):
        return np.exp(-squared_distances(X, Y) / self.bandwidth)


class HalfWidthGaussian(GaussianKernel):
    """exp(−‖x − y‖²/σ²): the factor 2 of 2σ² dropped."""

    def matrix(self, X, Y):
        return np.exp(-squared_distances(X, Y) / self.bandwidth**2)


def kernel_with(name, replacement):
    """The library's kernel factory with kernel ``name`` replaced."""
    return lambda requested, **parameters: (replacement(**parameters) if requested == name
                                            else kernel(requested, **parameters))


def witness_of_norm_mmd_squared(X, Y, k, weights_T=None, weights_S=None):
    """A witness whose reported RKHS norm is MMD² instead of MMD."""
    w = witness(X, Y, k, weights_T=weights_T, weights_S=weights_S)
    return Witness(w.T, w.S, k, w.rkhs_norm**2)


def mmd2_uniform_S(X, Y, k, weights_T=None, weights_S=None):
    """Biased MMD² that ignores the weights of S."""
    return mmd2_biased(X, Y, k, weights_T=weights_T)


PLANTS = {
    "selvan-chen/rkhs-bound::witness-identity": [Plant("μ_T + μ_S as witness", {"coefficients": same_sign_coefficients})],
    "selvan-chen/rkhs-bound::cauchy-schwarz": [Plant("squares counted twice", {"remainder": double_counted_squares})],
    "selvan-chen/rkhs-bound::bound": [Plant("MMD too small by half", {"discrepancy": half_mmd})],
    "selvan-chen/rkhs-bound::kernel-formulas": [
        Plant("Gaussian with σ⁴ in place of σ²", {"make_kernel": kernel_with("gaussian", FourthPowerGaussian)}),
        Plant("Laplacian with the squared distance", {"make_kernel": kernel_with("laplacian", SquaredLaplacian)}),
        Plant("MMD² ignoring the weights of S", {"discrepancy": mmd2_uniform_S}),
    ],
    "selvan-chen/rkhs-bound::gaussian-closed-form": [
        Plant("Gaussian with σ⁴ in place of σ²", {"make_kernel": kernel_with("gaussian", FourthPowerGaussian)}),
        Plant("Gaussian without the factor 2", {"make_kernel": kernel_with("gaussian", HalfWidthGaussian)}),
    ],
    "selvan-chen/rkhs-bound::witness-tightness": [Plant("witness ignores S's weights", {"make_witness": witness_ignoring_weights}),
                                                  Plant("witness norm reported as MMD²", {"make_witness": witness_of_norm_mmd_squared})],
    "selvan-chen/rkhs-bound::function-outside-rkhs": [Plant("f linear, inside H_lin", {"f": linear_function})],
}
