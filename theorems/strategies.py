"""Hypothesis strategies for writing claims: the problem generators the built-in theorems use.

Conventions are in the names and docstrings: ``logistic_ridge_problem_pm1`` draws labels ±1,
``glm_problem`` draws each family's canonical response (Gaussian reals, Bernoulli 0/1, Poisson
counts). Every generator returns plain numpy arrays, so a claim can feed them to any construction.

Matrices are drawn as bounded finite floats and then given a *controlled condition number*:
the drawn matrix A = U S Vᵀ keeps its singular vectors, and its singular values are replaced by a
geometric sequence from 1 down to 1/κ with κ drawn in [1, max_condition]. Hypothesis still shrinks
the entries (and κ), so a counterexample comes out small.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from theorems.domains import Domain, integers, interval, parametric, sampled, tuples

BOUNDED = st.floats(min_value=-1.0, max_value=1.0, allow_nan=False, allow_infinity=False, width=64)


def with_condition(raw: np.ndarray, condition: float, rank: int | None = None, scale: float = 1.0) -> np.ndarray:
    """``raw`` with its singular values replaced by scale·(1 … 1/condition), zero beyond ``rank``."""
    u, _, vt = np.linalg.svd(raw, full_matrices=False)
    k = min(raw.shape)
    singular = scale * np.geomspace(1.0, 1.0 / condition, k) if k > 1 else np.array([scale])
    if rank is not None:
        singular[rank:] = 0.0
    return (u * singular) @ vt


@st.composite
def conditioned_matrix(draw, n: int, d: int, max_condition: float = 1e3, rank: int | None = None) -> np.ndarray:
    raw = draw(arrays(np.float64, (n, d), elements=BOUNDED))
    # keep the singular vectors of a generic matrix: add a fixed full-rank pattern so that a
    # shrunk all-zero draw still has well-defined singular vectors
    raw = raw + 1e-3 * np.eye(n, d)
    condition = draw(st.floats(min_value=1.0, max_value=max_condition))
    scale = draw(st.sampled_from([1e-2, 1.0, 1e2]))
    return with_condition(raw, condition, rank, scale)


def _rank(d: int, n: int, fraction: float, rank_deficient: bool) -> int | None:
    """The rank a ``rank_deficient`` problem gets: 1 … min(n, d) − 1 chosen by ``fraction`` ∈ [0, 1]."""
    if not rank_deficient or min(n, d) <= 1:
        return None
    return 1 + int(round(fraction * (min(n, d) - 2)))


@st.composite
def regression_problem(draw, max_n: int = 12, max_d: int = 5, max_condition: float = 1e3,
                       rank_deficient: bool = False, tall: bool = True):
    """(X, y) with n ≥ d (when ``tall``) and κ(X) ≤ max_condition; ``rank_deficient`` gives rank < d."""
    d = draw(st.integers(min_value=2 if rank_deficient else 1, max_value=max_d))
    n = draw(st.integers(min_value=d if tall else 1, max_value=max(max_n, d)))
    rank = draw(st.integers(min_value=1, max_value=min(n, d) - 1)) if rank_deficient and min(n, d) > 1 else None
    X = draw(conditioned_matrix(n, d, max_condition, rank))
    y = draw(arrays(np.float64, (n,), elements=st.floats(min_value=-10, max_value=10, width=64)))
    return X, y


def regression_domain(max_n: int = 12, max_d: int = 5, max_condition: float = 1e3,
                      rank_deficient: bool = False, tall: bool = True) -> Domain:
    """The domain of :func:`regression_problem`: its grid spans d, n, κ(X), the scale of X and
    (when ``rank_deficient``) the rank, each at its ends and a few interior values."""
    d_lo = 2 if rank_deficient else 1

    def build(params, rng):
        d, n_fraction, condition, scale, rank_fraction = params
        n_lo = d if tall else 1
        n = n_lo + int(round(n_fraction * (max(max_n, d) - n_lo)))
        raw = rng.uniform(-1.0, 1.0, (n, d)) + 1e-3 * np.eye(n, d)
        X = with_condition(raw, condition, _rank(d, n, rank_fraction, rank_deficient), scale)
        return X, rng.uniform(-10.0, 10.0, n)

    parameters = tuples(integers(d_lo, max_d), interval(0.0, 1.0, points=5),
                        interval(1.0, max_condition, points=5, log=max_condition > 1.0),
                        sampled([1e-2, 1.0, 1e2]), interval(0.0, 1.0, points=3))
    return parametric(regression_problem(max_n, max_d, max_condition, rank_deficient, tall), parameters, build,
                      description=f"(X, y): d ≤ {max_d}, n ≤ {max_n}, κ(X) ≤ {max_condition:g}")


def _glm_data(family_name: str, raw: np.ndarray, condition: float, uniforms: np.ndarray,
              direction: np.ndarray, size: float):
    """(X, y) of :func:`glm_problem` from its free draws (see there)."""
    n, d = raw.shape
    X = with_condition(raw + 1e-3 * np.eye(n, d), condition, scale=math.sqrt(n))
    eta = X @ (direction / np.linalg.norm(direction) * size)
    if family_name == "gaussian":
        return X, eta + 4 * uniforms - 2 + np.linspace(-0.5, 0.5, n)
    if family_name == "bernoulli":
        return (np.vstack([X, X[:d]]),
                np.concatenate([(uniforms < 1 / (1 + np.exp(-eta))).astype(float),
                                (uniforms[:d] >= 1 / (1 + np.exp(-eta[:d]))).astype(float)]))
    return X, np.maximum(np.floor(-np.log1p(-0.999 * uniforms) * np.exp(eta)), (np.arange(n) < d).astype(float))


@st.composite
def glm_problem(draw):
    """(family name, X, y) with n ≥ d + 2 rows of norm about 1 (κ(X) ≤ 10), a linear predictor
    η = Xβ with ‖β‖ ∈ [0.5, 2], and responses valid for the family: Gaussian η + noise (a fixed
    ramp keeps y off span(X) when hypothesis shrinks the noise), Bernoulli thresholded uniforms,
    Poisson inverse-CDF exponential counts. Bernoulli and Poisson data get the overlap rows of
    :func:`synthetic_data` so that the MLE is finite."""
    from constructions.glm import FAMILIES

    family = FAMILIES[draw(st.sampled_from(list(FAMILIES)))]
    d = draw(st.integers(min_value=1, max_value=4))
    n = draw(st.integers(min_value=d + 2, max_value=20))
    raw = draw(arrays(np.float64, (n, d), elements=BOUNDED))
    condition = draw(st.floats(min_value=1.0, max_value=10.0))
    uniforms = draw(arrays(np.float64, (n,), elements=st.floats(min_value=0.0, max_value=1.0)))
    direction = draw(arrays(np.float64, (d,), elements=BOUNDED)) + 1e-3
    X, y = _glm_data(family.name, raw, condition, uniforms, direction, draw(st.floats(min_value=0.5, max_value=2.0)))
    return family.name, X, y


def glm_domain() -> Domain:
    """The domain of :func:`glm_problem`: every family at the ends and interior of d, n, κ(X)
    and ‖β‖."""
    from constructions.glm import FAMILIES

    def build(params, rng):
        family_name, d, n_fraction, condition, size = params
        n = d + 2 + int(round(n_fraction * (20 - d - 2)))
        direction = rng.uniform(-1.0, 1.0, d) + 1e-3
        X, y = _glm_data(family_name, rng.uniform(-1.0, 1.0, (n, d)), condition, rng.uniform(0.0, 1.0, n),
                         direction, size)
        return family_name, X, y

    parameters = tuples(sampled(list(FAMILIES)), integers(1, 4), interval(0.0, 1.0, points=5),
                        interval(1.0, 10.0, points=5), interval(0.5, 2.0, points=5))
    return parametric(glm_problem(), parameters, build, description="(family, X, y): d ≤ 4, n ≤ 20, κ(X) ≤ 10")


def _separated(gamma: float, gaps: np.ndarray, rest: np.ndarray, duplicate: tuple[int, int] | None):
    first = np.cumsum(0.5 / np.sqrt(gamma) + gaps)
    X = np.column_stack([first - first.mean(), rest])
    if duplicate is not None:
        source, target = duplicate
        X[target] = X[source]
    return X


@st.composite
def separated_inputs(draw, max_n: int = 6, max_d: int = 3, duplicate: bool = False):
    """n distinct inputs in ℝᵈ whose first coordinates are at least 0.5/√γ apart (so the Gram
    matrix is well conditioned), a bandwidth γ, and, with ``duplicate``, one input repeated."""
    d = draw(st.integers(min_value=1, max_value=max_d))
    n = draw(st.integers(min_value=2, max_value=max_n))
    gamma = draw(st.sampled_from(_GAMMAS))
    gaps = draw(arrays(np.float64, (n,), elements=st.floats(0.0, 1.0, width=64)))
    rest = draw(arrays(np.float64, (n, d - 1), elements=st.floats(-1.5, 1.5, width=64)))
    pair = tuple(draw(st.permutations(range(n)))[:2]) if duplicate else None
    return _separated(gamma, gaps, rest, pair), gamma


@st.composite
def kernel_problem(draw, max_n: int = 6, max_d: int = 3, duplicate: bool = False):
    X, gamma = draw(separated_inputs(max_n, max_d, duplicate))
    magnitudes = draw(arrays(np.float64, (X.shape[0],), elements=st.floats(0.1, 1.0, width=64)))
    signs = draw(arrays(np.bool_, (X.shape[0],)))
    y = np.where(signs, -magnitudes, magnitudes)
    lam = draw(st.sampled_from([0.0, 1e-2, 1.0]))
    return X, y, gamma, lam


_GAMMAS = [0.5, 1.0, 2.0]


def build_separated_inputs(params, rng, duplicate: bool):
    """(X, γ) of :func:`separated_inputs` from parameters (d, n, γ, …) and entries drawn from ``rng``."""
    d, n, gamma = params[:3]
    pair = tuple(rng.permutation(n)[:2]) if duplicate else None
    return _separated(gamma, rng.uniform(0.0, 1.0, n), rng.uniform(-1.5, 1.5, (n, d - 1)), pair), gamma


def separated_inputs_domain(max_n: int = 6, max_d: int = 3, duplicate: bool = False) -> Domain:
    """The domain of :func:`separated_inputs`: every d, n and γ at its ends and interior."""
    parameters = tuples(integers(1, max_d), integers(2, max_n), sampled(_GAMMAS))
    return parametric(separated_inputs(max_n, max_d, duplicate), parameters,
                      lambda params, rng: build_separated_inputs(params, rng, duplicate),
                      description=f"(X, γ): n ≤ {max_n} separated inputs in d ≤ {max_d}")


def kernel_domain(max_n: int = 6, max_d: int = 3, duplicate: bool = False) -> Domain:
    """The domain of :func:`kernel_problem`: d, n, γ and λ ∈ {0, 10⁻², 1} at their ends and interior."""

    def build(params, rng):
        X, gamma = build_separated_inputs(params, rng, duplicate)
        y = rng.uniform(0.1, 1.0, X.shape[0]) * rng.choice([-1.0, 1.0], X.shape[0])
        return X, y, gamma, params[3]

    parameters = tuples(integers(1, max_d), integers(2, max_n), sampled(_GAMMAS), sampled([0.0, 1e-2, 1.0]))
    return parametric(kernel_problem(max_n, max_d, duplicate), parameters, build,
                      description=f"(X, y, γ, λ): n ≤ {max_n} separated inputs in d ≤ {max_d}")


def _logistic_ridge(raw: np.ndarray, condition: float, labels: np.ndarray, log_lam: float):
    n, d = raw.shape
    X = with_condition(raw + 1e-3 * np.eye(n, d), condition, scale=math.sqrt(n))
    return X, labels, 10.0 ** log_lam


@st.composite
def logistic_ridge_problem_pm1(draw):
    """n ≤ 20 rows of norm about 1 (κ(X) ≤ 10) in d ≤ 4, labels ±1 (hypothesis chooses them
    freely: separable data are fine, ridge keeps θ* finite), λ ∈ 10^[−3, 0]."""
    d = draw(st.integers(min_value=1, max_value=4))
    n = draw(st.integers(min_value=d, max_value=20))
    raw = draw(arrays(np.float64, (n, d), elements=BOUNDED))
    condition = draw(st.floats(min_value=1.0, max_value=10.0))
    labels = draw(arrays(np.float64, (n,), elements=st.sampled_from([-1.0, 1.0])))
    return _logistic_ridge(raw, condition, labels, draw(st.floats(min_value=-3, max_value=0)))


def logistic_ridge_domain_pm1() -> Domain:
    """The domain of :func:`logistic_ridge_problem_pm1`: d, n, κ(X) and log₁₀ λ at their ends and
    interior (labels drawn)."""

    def build(params, rng):
        d, n_fraction, condition, log_lam = params
        n = d + int(round(n_fraction * (20 - d)))
        return _logistic_ridge(rng.uniform(-1.0, 1.0, (n, d)), condition, rng.choice([-1.0, 1.0], n), log_lam)

    parameters = tuples(integers(1, 4), interval(0.0, 1.0, points=5), interval(1.0, 10.0, points=5),
                        interval(-3.0, 0.0, points=5))
    return parametric(logistic_ridge_problem_pm1(), parameters, build,
                      description="(X, y ∈ ±1, λ): d ≤ 4, n ≤ 20, κ(X) ≤ 10, λ ∈ [10⁻³, 1]")
