"""Hypothesis strategies for the Selvan & Chen checks: small weighted point sets and kernels, and
their domains (``theorems.domains``): the same examples built from a few parameters, so that every
search first tries the boundary of the sizes, of the coordinates' range and of the kernel choices.

Each strategy draws its parameters and raw entries and hands them to a builder shared with its
domain (:func:`shifted`, :func:`normalised`); the domain's builder draws the entries from a numpy
generator in one of the :data:`ENTRY_REGIMES` of :data:`COORDINATE`'s set.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from constructions.discrepancy import GaussianKernel, LaplacianKernel, LinearKernel, PolynomialKernel
from theorems.domains import Domain, integers, parametric, sampled, tuples

# zero or of magnitude in [10⁻³, 2]: products of degree ≤ 3 kernels then stay far above the
# underflow threshold, where the relative rounding bounds of the checks no longer apply
SMALLEST, LARGEST = 1e-3, 2.0
COORDINATE = st.one_of(st.just(0.0), st.floats(SMALLEST, LARGEST, width=64), st.floats(-LARGEST, -SMALLEST, width=64))

ENTRY_REGIMES = ("mixed", "largest", "smallest", "zero")
"""How a domain's builder fills arrays with :data:`COORDINATE` values: ``mixed`` (a fifth zero, the
rest ±10^U with U uniform between the magnitudes' ends), every entry ±2 (``largest``), every entry
±10⁻³ (``smallest``), every entry 0 (``zero``: all points coincide). The first is the interior;
the other three are the boundary of the coordinates' range."""


def coordinates(rng: np.random.Generator, shape: tuple, regime: str = "mixed") -> np.ndarray:
    """An array of :data:`COORDINATE` values drawn from ``rng`` in one of :data:`ENTRY_REGIMES`."""
    signs = rng.choice([-1.0, 1.0], shape)
    if regime == "zero":
        return np.zeros(shape)
    if regime == "largest":
        return LARGEST * signs
    if regime == "smallest":
        return SMALLEST * signs
    magnitudes = np.clip(10.0 ** rng.uniform(math.log10(SMALLEST), math.log10(LARGEST), shape), SMALLEST, LARGEST)
    return np.where(rng.random(shape) < 0.2, 0.0, signs * magnitudes)


def entries() -> Domain:
    """The domain of entry regimes (interior first, so that it is the midpoint)."""
    return sampled(list(ENTRY_REGIMES))


def normalised(raw: np.ndarray) -> np.ndarray:
    """Weights raw/Σraw (raw ≥ 0.05 entrywise): on the simplex."""
    return raw / raw.sum()


@st.composite
def simplex_weights(draw, n: int) -> np.ndarray:
    """Weights ≥ 0 summing to one (uniform, or drawn from [0.05, 1] and normalised)."""
    if draw(st.booleans()):
        return np.full(n, 1.0 / n)
    return normalised(draw(arrays(np.float64, (n,), elements=st.floats(0.05, 1.0, width=64))))


def simplex_from(rng: np.random.Generator, n: int) -> np.ndarray:
    """:func:`simplex_weights` from a numpy generator: uniform half of the time."""
    return np.full(n, 1.0 / n) if rng.random() < 0.5 else normalised(rng.uniform(0.05, 1.0, n))


def shifted(Y: np.ndarray, factor: float, offset: float) -> np.ndarray:
    """Y·factor + offset: the second set moved near to or far from the first."""
    return Y * factor + offset


SHIFTS = ((1.0, 0.0), (0.1, -3.0), (1.0, 3.0), (0.1, 0.0))
"""(factor, offset) pairs the domains of :func:`weighted_pair` try: unmoved first, then the ends
of the strategy's offsets [−3, 3] with both factors."""


@st.composite
def weighted_pair(draw, max_n: int = 8, max_m: int = 6, max_d: int = 3, min_points: int = 1):
    """(X, a, Y, b): two weighted point sets in the same dimension; Y is optionally X shifted, so
    that near and far pairs both appear."""
    d = draw(st.integers(1, max_d))
    n, m = draw(st.integers(min_points, max_n)), draw(st.integers(min_points, max_m))
    X = draw(arrays(np.float64, (n, d), elements=COORDINATE))
    Y = draw(arrays(np.float64, (m, d), elements=COORDINATE))
    if draw(st.booleans()):
        Y = shifted(Y, draw(st.sampled_from([0.1, 1.0])), draw(st.floats(-3, 3, width=64)))
    return X, draw(simplex_weights(n)), Y, draw(simplex_weights(m))


def weighted_pair_axes(max_n: int = 8, max_m: int = 6, max_d: int = 3, min_points: int = 1) -> tuple[Domain, ...]:
    """The parameters of :func:`weighted_pair`: d, n, m (each at its ends and middle), the entry
    regime and the shift; :func:`build_weighted_pair` reads the first five of a parameter tuple."""
    return (integers(1, max_d), integers(min_points, max_n, points=3), integers(min_points, max_m, points=3),
            entries(), sampled(list(SHIFTS)))


def build_weighted_pair(params: tuple, rng: np.random.Generator):
    """(X, a, Y, b) of :func:`weighted_pair` from the parameters of :func:`weighted_pair_axes`."""
    d, n, m, regime, (factor, offset) = params[:5]
    X = coordinates(rng, (n, d), regime)
    Y = shifted(coordinates(rng, (m, d), regime), factor, offset)
    return X, simplex_from(rng, n), Y, simplex_from(rng, m)


def weighted_pair_domain(max_n: int = 8, max_m: int = 6, max_d: int = 3, min_points: int = 1) -> Domain:
    """The domain of :func:`weighted_pair`."""
    return parametric(weighted_pair(max_n, max_m, max_d, min_points),
                      tuples(*weighted_pair_axes(max_n, max_m, max_d, min_points)), build_weighted_pair,
                      description=f"(X, a, Y, b): n ≤ {max_n}, m ≤ {max_m} weighted points in d ≤ {max_d}")


BANDWIDTHS = (0.3, 1.0, 3.0)


def kernel_choices(include_linear: bool = True) -> list:
    """Every kernel :func:`kernels` can draw: the Gaussian of bandwidth 1 first (the midpoint), the
    largest polynomial (degree 3, scale 1, offset 1) second, then the rest."""
    polynomials = [PolynomialKernel(degree, scale, offset) for degree in (3, 1, 2) for scale in (1.0, 0.5)
                   for offset in (1.0, 0.0)]
    choices = [GaussianKernel(1.0), polynomials[0], *(GaussianKernel(h) for h in BANDWIDTHS if h != 1.0),
               *(LaplacianKernel(h) for h in BANDWIDTHS), *polynomials[1:]]
    return choices + [LinearKernel()] if include_linear else choices


@st.composite
def kernels(draw, include_linear: bool = True):
    """A Gaussian, Laplacian, polynomial (or linear) kernel with drawn parameters."""
    bandwidth = draw(st.sampled_from(BANDWIDTHS))
    choices = [GaussianKernel(bandwidth), LaplacianKernel(bandwidth),
               PolynomialKernel(draw(st.integers(1, 3)), draw(st.sampled_from([0.5, 1.0])), draw(st.sampled_from([0.0, 1.0])))]
    if include_linear:
        choices.append(LinearKernel())
    return draw(st.sampled_from(choices))


def kernel_axis(include_linear: bool = True) -> Domain:
    """Every kernel of :func:`kernel_choices` as one axis of a parameter domain."""
    return sampled(kernel_choices(include_linear))
