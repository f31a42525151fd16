"""Hypothesis strategies for the Selvan & Chen checks: small weighted point sets and kernels."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from constructions.discrepancy import GaussianKernel, LaplacianKernel, LinearKernel, PolynomialKernel

# zero or of magnitude in [10⁻³, 2]: products of degree ≤ 3 kernels then stay far above the
# underflow threshold, where the relative rounding bounds of the checks no longer apply
COORDINATE = st.one_of(st.just(0.0), st.floats(1e-3, 2.0, width=64), st.floats(-2.0, -1e-3, width=64))


@st.composite
def simplex_weights(draw, n: int) -> np.ndarray:
    """Weights ≥ 0 summing to one (uniform, or drawn from [0.05, 1] and normalised)."""
    if draw(st.booleans()):
        return np.full(n, 1.0 / n)
    raw = draw(arrays(np.float64, (n,), elements=st.floats(0.05, 1.0, width=64)))
    return raw / raw.sum()


@st.composite
def weighted_pair(draw, max_n: int = 8, max_m: int = 6, max_d: int = 3, min_points: int = 1):
    """(X, a, Y, b): two weighted point sets in the same dimension; Y is optionally X shifted, so
    that near and far pairs both appear."""
    d = draw(st.integers(1, max_d))
    n, m = draw(st.integers(min_points, max_n)), draw(st.integers(min_points, max_m))
    X = draw(arrays(np.float64, (n, d), elements=COORDINATE))
    Y = draw(arrays(np.float64, (m, d), elements=COORDINATE))
    if draw(st.booleans()):
        Y = Y * draw(st.sampled_from([0.1, 1.0])) + draw(st.floats(-3, 3, width=64))
    return X, draw(simplex_weights(n)), Y, draw(simplex_weights(m))


@st.composite
def kernels(draw, include_linear: bool = True):
    """A Gaussian, Laplacian, polynomial (or linear) kernel with drawn parameters."""
    bandwidth = draw(st.sampled_from([0.3, 1.0, 3.0]))
    choices = [GaussianKernel(bandwidth), LaplacianKernel(bandwidth),
               PolynomialKernel(draw(st.integers(1, 3)), draw(st.sampled_from([0.5, 1.0])), draw(st.sampled_from([0.0, 1.0])))]
    if include_linear:
        choices.append(LinearKernel())
    return draw(st.sampled_from(choices))
