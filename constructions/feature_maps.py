"""Explicit feature maps φ: ℝ^d → ℝ^p for kernel ridge regression, with preimages where they exist.

Conventions
-----------
* Rows are examples: ``φ(X)`` maps X ∈ ℝ^{n×d} to features F ∈ ℝ^{n×p}. (Chen, Huang & Weng write
  φ(X) ∈ ℝ^{p×n}, one column per example: their φ(X) is our ``φ(X)ᵀ``.)
* Every map is a frozen dataclass holding its (seeded) parameters; ``__call__`` evaluates it,
  ``surjective`` says whether every feature vector in ``box`` (or all of ℝ^p when ``bound`` is
  ``None``) has a preimage, and ``preimage(F)`` returns one (a ValueError when the map is not
  surjective or a row is out of range).

Maps
----
* :class:`IdentityMap`: φ(x) = x (linear ridge regression).
* :class:`LeakyReLUNetwork`: φ(x) = σ(W_L ⋯ σ(W_1 x)) with σ(t) = max(t, αt), 0 < α < 1, weights
  drawn N(0, 1/fan_in) from a seed. σ is a bijection of ℝ (σ⁻¹(t) = min(t, t/α)), so φ is
  surjective onto ℝ^p when every W_l has full row rank (width never grows); the preimage applies
  σ⁻¹ and the minimum-norm solve W_l⁺ layer by layer from the top.
* :class:`RandomFourierFeatures`: φ(x) = √(2/p)·cos(Ax + b), A ∈ ℝ^{p×d} with entries
  N(0, scale²/d), b ~ U[0, b_max]. We default to b_max = π (the authors' code; their paper writes
  U[0, 2π]; both give the same preimage formula). Range: the box [−√(2/p), √(2/p)]^p; when
  p ≤ d and rank A = p the map is onto the box, with preimage x = A⁺(arccos(√(p/2)·f) − b).
* :class:`DeepLinearNetwork`: φ(x) = W_L ⋯ W_1 x = Πx; injective (not surjective) when d < p and
  rank Π = d; its image is the subspace Range(Π).
"""

from __future__ import annotations

from dataclasses import dataclass, field
import warnings
from functools import cached_property

import numpy as np
import scipy.linalg

from constructions.validation import as_matrix, require_positive_int


def _input(X, d: int, name: str = "X") -> np.ndarray:
    X = as_matrix(X, name)
    if X.shape[1] != d:
        raise ValueError(f"{name} has {X.shape[1]} columns but the feature map takes d = {d} inputs")
    return X


def _weights(weights) -> tuple[np.ndarray, ...]:
    """Validate a chain of weight matrices W_1 (h_1×d), W_2 (h_2×h_1), ..."""
    if len(weights) < 1:
        raise ValueError("a network needs at least one weight matrix")
    checked, fan_in = [], as_matrix(weights[0], "W_1").shape[1]
    for index, weight in enumerate(weights, start=1):
        weight = as_matrix(weight, f"W_{index}")
        if weight.shape[1] != fan_in:
            raise ValueError(f"W_{index} has {weight.shape[1]} columns but its input has width {fan_in}")
        checked.append(weight)
        fan_in = weight.shape[0]
    return tuple(checked)


def seeded_weights(widths: tuple[int, ...], seed: int) -> tuple[np.ndarray, ...]:
    """Weights W_l ∈ ℝ^{widths[l]×widths[l-1]} with entries N(0, 1/fan_in), from ``seed``."""
    widths = tuple(require_positive_int(w, "width") for w in widths)
    if len(widths) < 2:
        raise ValueError("widths must list the input width and at least one layer width")
    rng = np.random.default_rng(seed)
    return tuple(rng.normal(0.0, 1.0 / np.sqrt(fan_in), size=(fan_out, fan_in))
                 for fan_in, fan_out in zip(widths[:-1], widths[1:]))


class MinNormSolver:
    """Minimum-norm solves M·x = r for one fixed matrix M (h×w), factored once and reused.

    Rank follows numpy's ``matrix_rank`` rule, σ_min > w·eps·σ_max. A square M is LU-factored
    (LAPACK getrf) and LAPACK gecon estimates rcond = 1/(‖M‖₁‖M⁻¹‖₁) from the factors. Since
    κ₂ ≤ w·κ₁ and gecon under-estimates ‖M⁻¹‖₁ by far less than a factor 10 in practice, an estimate
    rcond > 10·w²·eps already means κ₂ < 1/(w·eps): full rank, decided for the cost of one LU
    instead of an SVD, and the same factors serve every solve. A smaller estimate (near-singular M)
    and a non-square M are decided by ``matrix_rank`` itself; they solve by least squares (the
    minimum-norm solution).
    """

    def __init__(self, matrix: np.ndarray) -> None:
        self.matrix = matrix
        rows, cols = matrix.shape
        self.factors = None
        if rows == cols:
            with warnings.catch_warnings():  # an exactly singular M makes getrf warn; its zero pivot is caught below
                warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
                factors = scipy.linalg.lu_factor(matrix, check_finite=False)
            if np.all(np.diag(factors[0]) != 0):
                gecon = scipy.linalg.get_lapack_funcs("gecon", (factors[0],))
                rcond = gecon(factors[0], np.linalg.norm(matrix, 1), norm="1")[0]
                if rcond > 10 * cols**2 * np.finfo(float).eps:
                    self.factors = factors
        self.rank = rows if self.factors is not None else int(np.linalg.matrix_rank(matrix))

    @property
    def full_row_rank(self) -> bool:
        return self.matrix.shape[0] <= self.matrix.shape[1] and self.rank == self.matrix.shape[0]

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        """The minimum-norm x with M·x = rhs (an exact solve when M is square and nonsingular)."""
        if self.factors is not None:
            lu, pivots = self.factors
            # scipy's getrs wrapper (1.17 here) shifts the pivot array to 1-based in place and back, so
            # solves running in parallel threads must not share it (scipy/scipy#25992)
            return scipy.linalg.lu_solve((lu, pivots.copy()), rhs, check_finite=False)
        return np.linalg.lstsq(self.matrix, rhs, rcond=None)[0]


class _WeightChain:
    """Input width d and output width p of a map defined by a chain of weight matrices."""

    weights: tuple[np.ndarray, ...]

    @property
    def d(self) -> int:
        return self.weights[0].shape[1]

    @property
    def p(self) -> int:
        return self.weights[-1].shape[0]


@dataclass(frozen=True)
class IdentityMap:
    """φ(x) = x: kernel ridge regression with the linear kernel is linear ridge regression."""

    d: int
    bound = None

    def __call__(self, X) -> np.ndarray:
        return _input(X, self.d)

    @property
    def p(self) -> int:
        return self.d

    @property
    def surjective(self) -> bool:
        return True

    def preimage(self, F) -> np.ndarray:
        return _input(F, self.d, "features")


@dataclass(frozen=True)
class LeakyReLUNetwork(_WeightChain):
    """φ(x) = σ(W_L ⋯ σ(W_1 x)), σ(t) = max(t, α t) (see the module docstring)."""

    weights: tuple[np.ndarray, ...]
    slope: float = 0.1
    bound = None

    def __post_init__(self) -> None:
        if not 0 < float(self.slope) < 1:
            raise ValueError(f"the LeakyReLU slope α must lie in (0, 1), got {self.slope}")
        object.__setattr__(self, "weights", _weights(self.weights))

    @classmethod
    def seeded(cls, d: int, widths: tuple[int, ...], seed: int, slope: float = 0.1) -> "LeakyReLUNetwork":
        """Layers of the given widths after the input width d, weights N(0, 1/fan_in) from ``seed``."""
        return cls(seeded_weights((d, *widths), seed), slope)

    def __call__(self, X) -> np.ndarray:
        H = _input(X, self.d)
        for weight in self.weights:
            H = H @ weight.T
            np.maximum(H, self.slope * H, out=H)  # σ(t) = max(t, αt) for 0 < α < 1, in place
        return H

    @cached_property
    def _solvers(self) -> tuple[MinNormSolver, ...]:
        return tuple(MinNormSolver(weight) for weight in self.weights)

    @cached_property
    def surjective(self) -> bool:
        return all(solver.full_row_rank for solver in self._solvers)

    def preimage(self, F) -> np.ndarray:
        """One x per row with φ(x) = f: σ⁻¹ then the minimum-norm solve, layer by layer."""
        if not self.surjective:
            raise ValueError("this LeakyReLU network is not surjective (a layer lacks full row rank), so "
                             "Theorem 5.1's one-point-per-class construction does not apply")
        H = as_matrix(F, "features")
        if H.shape[1] != self.p:
            raise ValueError(f"features have {H.shape[1]} columns but the network outputs p = {self.p}")
        for solver in reversed(self._solvers):
            pre = np.where(H > 0, H, H / self.slope)
            H = solver.solve(pre.T).T
        return H


@dataclass(frozen=True)
class RandomFourierFeatures:
    """φ(x) = √(2/p)·cos(Ax + b) (see the module docstring for the convention on b)."""

    A: np.ndarray
    b: np.ndarray

    def __post_init__(self) -> None:
        A = as_matrix(self.A, "A")
        b = np.asarray(self.b, dtype=float).reshape(-1)
        if b.shape[0] != A.shape[0]:
            raise ValueError(f"b has {b.shape[0]} entries but A has {A.shape[0]} rows; they must match")
        if not np.all(np.isfinite(b)):
            raise ValueError("b contains non-finite values")
        object.__setattr__(self, "A", A)
        object.__setattr__(self, "b", b)

    @classmethod
    def seeded(cls, d: int, p: int, seed: int, scale: float = 1.0, b_max: float = np.pi) -> "RandomFourierFeatures":
        """A ~ N(0, scale²/d) (p×d), b ~ U[0, b_max] from ``seed``."""
        d, p = require_positive_int(d, "d"), require_positive_int(p, "p")
        if not (np.isfinite(scale) and scale > 0 and np.isfinite(b_max) and b_max > 0):
            raise ValueError(f"scale and b_max must be finite and > 0, got {scale}, {b_max}")
        rng = np.random.default_rng(seed)
        return cls(rng.normal(0.0, scale / np.sqrt(d), size=(p, d)), rng.uniform(0.0, b_max, size=p))

    @property
    def d(self) -> int:
        return self.A.shape[1]

    @property
    def p(self) -> int:
        return self.A.shape[0]

    @property
    def bound(self) -> float:
        """Every feature lies in [−bound, bound]."""
        return float(np.sqrt(2.0 / self.p))

    def __call__(self, X) -> np.ndarray:
        angles = _input(X, self.d) @ self.A.T
        angles += self.b
        np.cos(angles, out=angles)
        angles *= self.bound
        return angles

    @cached_property
    def _solver(self) -> MinNormSolver:
        return MinNormSolver(self.A)

    @cached_property
    def surjective(self) -> bool:
        return self._solver.full_row_rank

    def preimage(self, F) -> np.ndarray:
        """x = A⁺(arccos(√(p/2)·f) − b); needs p ≤ d, rank A = p and every entry of f within ±√(2/p)."""
        if not self.surjective:
            raise ValueError(f"random Fourier features with p = {self.p}, d = {self.d}, rank A = "
                             f"{np.linalg.matrix_rank(self.A)} are not surjective (need p ≤ d and rank A = p)")
        F = as_matrix(F, "features")
        if F.shape[1] != self.p:
            raise ValueError(f"features have {F.shape[1]} columns but the map outputs p = {self.p}")
        scaled = F / self.bound
        if np.max(np.abs(scaled)) > 1 + 1e-12:
            raise ValueError(f"features exceed the range ±√(2/p) by a factor {np.max(np.abs(scaled)):.3g}; "
                             "rescale them into the box first")
        angles = np.arccos(np.clip(scaled, -1.0, 1.0))
        return self._solver.solve((angles - self.b).T).T


@dataclass(frozen=True)
class DeepLinearNetwork(_WeightChain):
    """φ(x) = W_L ⋯ W_1 x = Πx: injective when rank Π = d ≤ p, surjective when rank Π = p."""

    weights: tuple[np.ndarray, ...]
    bound = None
    product: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        weights = _weights(self.weights)
        object.__setattr__(self, "weights", weights)
        product = weights[0]
        for weight in weights[1:]:
            product = weight @ product
        object.__setattr__(self, "product", product)

    @classmethod
    def seeded(cls, d: int, widths: tuple[int, ...], seed: int) -> "DeepLinearNetwork":
        return cls(seeded_weights((d, *widths), seed))

    def __call__(self, X) -> np.ndarray:
        return _input(X, self.d) @ self.product.T

    @cached_property
    def surjective(self) -> bool:
        return np.linalg.matrix_rank(self.product) == self.p

    @cached_property
    def injective(self) -> bool:
        return np.linalg.matrix_rank(self.product) == self.d

    def preimage(self, F, tol: float | None = None) -> np.ndarray:
        """x = Π⁺f, exact when f ∈ Range(Π) (always when Π is onto).

        Rows whose distance from Range(Π) exceeds ``tol`` (default 1e3·eps·max(‖F‖, 1)·size, for
        features computed to working precision) are refused; a caller whose features carry a known
        larger rounding error (e.g. κ(G)·u from an SVD-based inverse) passes that bound."""
        F = as_matrix(F, "features")
        if F.shape[1] != self.p:
            raise ValueError(f"features have {F.shape[1]} columns but the network outputs p = {self.p}")
        X = np.linalg.lstsq(self.product, F.T, rcond=None)[0].T
        residual = np.linalg.norm(X @ self.product.T - F)
        if tol is None:
            tol = 1e3 * np.finfo(float).eps * max(np.linalg.norm(F), 1.0) * max(F.shape)
        if residual > tol:
            raise ValueError(f"features lie outside Range(Π) (residual {residual:.3g}): a deep linear network "
                             f"with d = {self.d} < p = {self.p} is not surjective")
        return X
