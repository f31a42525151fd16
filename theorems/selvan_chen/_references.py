"""Independent references for the Selvan & Chen checks: the library's kernels, metric and
transport solver are compared with these, never with themselves.

* Kernel and distance formulas are written once as sympy expressions in the coordinates of two
  points and turned into vectorised numpy functions by ``sympy.lambdify``: a wrong bandwidth
  power, a squared distance in the Laplacian or a city-block metric in the library then disagrees
  with the formula at almost every pair of points.
* Exact W_p between two uniform sets of the same size is an assignment problem (Birkhoff: the
  extreme points of the doubly stochastic matrices are permutations), solved by scipy's
  ``linear_sum_assignment`` (Hungarian / LAPJV), not by POT's network simplex.
* Exact W1 between weighted sets is the transport linear programme solved by scipy's HiGHS
  (``linprog``), whose own primal residual bounds how far its value can be from the optimum.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp
from scipy.optimize import linear_sum_assignment, linprog

# --- kernel formulas ----------------------------------------------------------------------------

SIGMA, SCALE, OFFSET = sp.symbols("sigma gamma c", positive=True)
DEGREE = sp.Symbol("p", positive=True, integer=True)


def _coordinates(d: int) -> tuple[list, list]:
    return list(sp.symbols(f"x0:{d}", real=True)), list(sp.symbols(f"y0:{d}", real=True))


def formula(name: str, d: int) -> tuple[sp.Expr, list]:
    """(expression, parameter symbols) of kernel ``name`` between x, y ∈ ℝᵈ, written from its
    definition: linear Σxᵢyᵢ, Gaussian exp(−Σ(xᵢ−yᵢ)²/(2σ²)), Laplacian exp(−√Σ(xᵢ−yᵢ)²/σ),
    polynomial (γΣxᵢyᵢ + c)^p, distance √Σ(xᵢ−yᵢ)² (Euclidean)."""
    x, y = _coordinates(d)
    squared = sum((xi - yi) ** 2 for xi, yi in zip(x, y))
    inner = sum(xi * yi for xi, yi in zip(x, y))
    expressions = {
        "linear": (inner, []),
        "gaussian": (sp.exp(-squared / (2 * SIGMA**2)), [SIGMA]),
        "laplacian": (sp.exp(-sp.sqrt(squared) / SIGMA), [SIGMA]),
        "polynomial": ((SCALE * inner + OFFSET) ** DEGREE, [DEGREE, SCALE, OFFSET]),
        "distance": (sp.sqrt(squared), []),
    }
    if name not in expressions:
        raise ValueError(f"no reference formula for {name!r}; valid: {', '.join(expressions)}")
    return expressions[name]


@lru_cache(maxsize=None)
def _lambdified(name: str, d: int):
    expression, parameters = formula(name, d)
    x, y = _coordinates(d)
    return sp.lambdify([*x, *y, *parameters], expression, modules="numpy")


def parameters_of(k) -> tuple:
    """The formula's parameter values read from a library kernel object's fields."""
    if k.name in ("gaussian", "laplacian"):
        return (float(k.bandwidth),)
    if k.name == "polynomial":
        return (int(k.degree), float(k.scale), float(k.offset))
    return ()


def reference_matrix(name: str, X: np.ndarray, Y: np.ndarray, parameters: tuple = ()) -> np.ndarray:
    """The formula of ``name`` at every pair (xᵢ, yⱼ), by broadcasting the lambdified expression."""
    d = X.shape[1]
    left = [X[:, i][:, None] for i in range(d)]
    right = [Y[:, i][None, :] for i in range(d)]
    values = _lambdified(name, d)(*left, *right, *parameters)
    return np.broadcast_to(np.asarray(values, dtype=float), (X.shape[0], Y.shape[0])).copy()


def reference_mmd2(name: str, X, a, Y, b, parameters: tuple = ()) -> float:
    """aᵀK_XX a − 2aᵀK_XY b + bᵀK_YY b with every K from the formula."""
    return float(a @ reference_matrix(name, X, X, parameters) @ a - 2 * a @ reference_matrix(name, X, Y, parameters) @ b
                 + b @ reference_matrix(name, Y, Y, parameters) @ b)


# --- transport --------------------------------------------------------------------------------


def euclidean_cost(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """‖xᵢ − yⱼ‖₂ from the sympy distance formula."""
    return reference_matrix("distance", X, Y)


def assignment_wasserstein(X: np.ndarray, Y: np.ndarray, p: float) -> float:
    """W_p between the uniform measures on the rows of X and Y (same count n): min over
    permutations σ of (1/n Σ ‖xᵢ − y_σ(i)‖^p)^{1/p}, by ``linear_sum_assignment``."""
    if X.shape[0] != Y.shape[0]:
        raise ValueError(f"the assignment reference needs equal sizes, got {X.shape[0]} and {Y.shape[0]}")
    cost = euclidean_cost(X, Y) ** p
    rows, cols = linear_sum_assignment(cost)
    return float(cost[rows, cols].mean()) ** (1.0 / p)


def linprog_w1(X: np.ndarray, a: np.ndarray, Y: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """(value, allowance) of the W1 transport LP solved by HiGHS's dual simplex.

    The LP is min Σ πᵢⱼCᵢⱼ over π ≥ 0 with row sums a and column sums b. HiGHS returns a vertex π̂
    whose marginal residual ρ = ‖π̂1 − a‖₁ + ‖π̂ᵀ1 − b‖₁ is measured here; repairing the marginals
    moves at most ρ mass, so the value is within ρ·max C of a feasible plan's, and the reduced costs
    of a simplex vertex are feasible to HiGHS's dual tolerance τ (set to 10⁻¹⁰, its smallest accepted value), which bounds the
    sub-optimality of a unit-mass plan by τ·(n + m)·max C. The allowance is the sum of both."""
    n, m = X.shape[0], Y.shape[0]
    cost = euclidean_cost(X, Y)
    rows = np.kron(np.eye(n), np.ones((1, m)))
    cols = np.kron(np.ones((1, n)), np.eye(m))
    tau = 1e-10
    solution = linprog(cost.ravel(), A_eq=np.vstack([rows, cols]), b_eq=np.concatenate([a, b]), bounds=(0, None),
                       method="highs-ds", options={"dual_feasibility_tolerance": tau,
                                                   "primal_feasibility_tolerance": tau})
    if solution.status != 0:
        raise RuntimeError(f"HiGHS did not solve the transport LP: {solution.message}")
    plan = np.maximum(solution.x, 0.0).reshape(n, m)
    residual = float(np.abs(plan.sum(1) - a).sum() + np.abs(plan.sum(0) - b).sum())
    largest = float(cost.max(initial=0.0))
    return float((plan * cost).sum()), (residual + tau * (n + m)) * largest
