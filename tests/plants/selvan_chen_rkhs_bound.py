"""Planted failures for selvan-chen/rkhs-bound."""

import numpy as np

from constructions.discrepancy import mmd, witness
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


PLANTS = {
    "selvan-chen/rkhs-bound::witness-identity": [Plant("μ_T + μ_S as witness", {"coefficients": same_sign_coefficients})],
    "selvan-chen/rkhs-bound::cauchy-schwarz": [Plant("squares counted twice", {"remainder": double_counted_squares})],
    "selvan-chen/rkhs-bound::bound": [Plant("MMD too small by half", {"discrepancy": half_mmd})],
    "selvan-chen/rkhs-bound::witness-tightness": [Plant("witness ignores S's weights", {"make_witness": witness_ignoring_weights})],
    "selvan-chen/rkhs-bound::function-outside-rkhs": [Plant("f linear, inside H_lin", {"f": linear_function})],
}
