"""Hypothesis strategies shared by the theorem modules.

Matrices are drawn as bounded finite floats and then given a *controlled condition number*:
the drawn matrix A = U S Vᵀ keeps its singular vectors, and its singular values are replaced by a
geometric sequence from 1 down to 1/κ with κ drawn in [1, max_condition]. Hypothesis still shrinks
the entries (and κ), so a counterexample comes out small.
"""

from __future__ import annotations

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
