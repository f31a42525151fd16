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
    raw = draw(arrays(np.float64, (n, d), elements=BOUNDED)) + 1e-3 * np.eye(n, d)
    X = with_condition(raw, draw(st.floats(min_value=1.0, max_value=10.0)), scale=math.sqrt(n))
    uniforms = draw(arrays(np.float64, (n,), elements=st.floats(min_value=0.0, max_value=1.0)))
    direction = draw(arrays(np.float64, (d,), elements=BOUNDED)) + 1e-3
    eta = X @ (direction / np.linalg.norm(direction) * draw(st.floats(min_value=0.5, max_value=2.0)))
    responses = {
        "gaussian": lambda: (X, eta + 4 * uniforms - 2 + np.linspace(-0.5, 0.5, n)),
        "bernoulli": lambda: (np.vstack([X, X[:d]]),
                              np.concatenate([(uniforms < 1 / (1 + np.exp(-eta))).astype(float),
                                              (uniforms[:d] >= 1 / (1 + np.exp(-eta[:d]))).astype(float)])),
        "poisson": lambda: (X, np.maximum(np.floor(-np.log1p(-0.999 * uniforms) * np.exp(eta)),
                                          (np.arange(n) < d).astype(float))),
    }
    X, y = responses[family.name]()
    return family.name, X, y


@st.composite
def separated_inputs(draw, max_n: int = 6, max_d: int = 3, duplicate: bool = False):
    """n distinct inputs in ℝᵈ whose first coordinates are at least 0.5/√γ apart (so the Gram
    matrix is well conditioned), a bandwidth γ, and, with ``duplicate``, one input repeated."""
    d = draw(st.integers(min_value=1, max_value=max_d))
    n = draw(st.integers(min_value=2, max_value=max_n))
    gamma = draw(st.sampled_from([0.5, 1.0, 2.0]))
    gaps = draw(arrays(np.float64, (n,), elements=st.floats(0.0, 1.0, width=64)))
    first = np.cumsum(0.5 / np.sqrt(gamma) + gaps)
    rest = draw(arrays(np.float64, (n, d - 1), elements=st.floats(-1.5, 1.5, width=64)))
    X = np.column_stack([first - first.mean(), rest])
    if duplicate:
        source, target = draw(st.permutations(range(n)))[:2]
        X[target] = X[source]
    return X, gamma


@st.composite
def kernel_problem(draw, max_n: int = 6, max_d: int = 3, duplicate: bool = False):
    X, gamma = draw(separated_inputs(max_n, max_d, duplicate))
    magnitudes = draw(arrays(np.float64, (X.shape[0],), elements=st.floats(0.1, 1.0, width=64)))
    signs = draw(arrays(np.bool_, (X.shape[0],)))
    y = np.where(signs, -magnitudes, magnitudes)
    lam = draw(st.sampled_from([0.0, 1e-2, 1.0]))
    return X, y, gamma, lam


@st.composite
def logistic_ridge_problem_pm1(draw):
    """n ≤ 20 rows of norm about 1 (κ(X) ≤ 10) in d ≤ 4, labels ±1 (hypothesis chooses them
    freely: separable data are fine, ridge keeps θ* finite), λ ∈ 10^[−3, 0]."""
    d = draw(st.integers(min_value=1, max_value=4))
    n = draw(st.integers(min_value=d, max_value=20))
    raw = draw(arrays(np.float64, (n, d), elements=BOUNDED)) + 1e-3 * np.eye(n, d)
    X = with_condition(raw, draw(st.floats(min_value=1.0, max_value=10.0)), scale=math.sqrt(n))
    labels = draw(arrays(np.float64, (n,), elements=st.sampled_from([-1.0, 1.0])))
    lam = 10.0 ** draw(st.floats(min_value=-3, max_value=0))
    return X, labels, lam
