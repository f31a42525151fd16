"""Izzo & Zou, Theorem 3: d points recover linear regression for every regulariser and any added data.

Statement. Let X ∈ ℝ^{n×d}, y ∈ ℝⁿ. Any (X̃, ỹ) with X̃ᵀX̃ = XᵀX and X̃ᵀỹ = Xᵀy satisfies, for every
data-independent regulariser R and every extra dataset (X', y'),

    argmin_θ ‖Xθ − y‖² + R(θ) = argmin_θ ‖X̃θ − ỹ‖² + R(θ),
    argmin_θ ‖[X; X']θ − [y; y']‖² + R(θ) = argmin_θ ‖[X̃; X']θ − [ỹ; y']‖² + R(θ),

because the two objectives differ by the constant yᵀy − ỹᵀỹ. The SVD gives such a set with
rank(X) ≤ d points (:func:`constructions.linear.distill_linear_regression`). Conversely d − 1
points cannot reproduce the ridge path of generic data: the path {θ(λ)} spans ℝᵈ, while every
path from fewer than d points stays in a (d−1)-dimensional subspace.

Conventions: unnormalised squared loss, ridge λ absolute; see :mod:`constructions.linear` for
the normalised-loss rescaling √(m/n).
"""

from __future__ import annotations

import itertools

import numpy as np
import sympy as sp
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from constructions.linear import distill_linear_regression, elastic_net, ridge_path
from empirical.datasets import load_statsmodels
from theorems import Assumption, Checks, Kind, Outcome, Theorem, Violation, register, search
from theorems.domains import Domain, integers, interval, parametric, sampled, tuples
from theorems.requirements import dataset
from theorems.searching import counterexample_outcome, property_outcome, within
from theorems.strategies import BOUNDED, regression_domain, regression_problem, with_condition
from theorems.tolerances import normal_equation_error_bound, unit_roundoff

# --- statement --------------------------------------------------------------------------------


def squared_loss(X: sp.Matrix, y: sp.Matrix, theta: sp.Matrix) -> sp.Expr:
    residual = X * theta - y
    return sp.expand((residual.T * residual)[0, 0])


def statement():
    """L(θ; X, y) − L(θ; X̃, ỹ) = θᵀ(XᵀX − X̃ᵀX̃)θ − 2θᵀ(Xᵀy − X̃ᵀỹ) + (yᵀy − ỹᵀỹ)."""
    d = 2
    G, Gt = sp.MatrixSymbol("XᵀX", d, d), sp.MatrixSymbol("X̃ᵀX̃", d, d)
    c, ct = sp.MatrixSymbol("Xᵀy", d, 1), sp.MatrixSymbol("X̃ᵀỹ", d, 1)
    theta = sp.MatrixSymbol("θ", d, 1)
    identities = sp.And(sp.Eq(Gt, G), sp.Eq(ct, c))
    same_loss = sp.Eq(
        sp.Symbol("L(θ; X, y)") - sp.Symbol("L(θ; X̃, ỹ)"),
        sp.Symbol("yᵀy") - sp.Symbol("ỹᵀỹ"),
    )
    return [identities, sp.Implies(identities, same_loss), theta.T * G * theta - 2 * theta.T * c]


# --- checks -----------------------------------------------------------------------------------
checks = Checks()

# (n, m, d): original rows, distilled rows, dimension. Table-driven like sympy's own tests.
SYMBOLIC_SIZES = [(3, 2, 2), (4, 2, 2), (4, 3, 3), (5, 1, 1)]


@checks.add("objective-identity", Kind.SYMBOLIC)
def objective_identity(ctx, sizes=tuple(SYMBOLIC_SIZES), loss=squared_loss) -> Outcome:
    """For symbolic X (n×d), y, X̃ (m×d), ỹ and θ, sympy expands L(θ;X,y) − L(θ;X̃,ỹ) −
    [θᵀ(XᵀX − X̃ᵀX̃)θ − 2θᵀ(Xᵀy − X̃ᵀỹ)] and confirms that no θ symbol is left: under the two
    identities the objectives differ by a θ-independent constant."""
    for n, m, d in sizes:
        X, Xt = sp.Matrix(n, d, sp.symbols(f"x0:{n * d}")), sp.Matrix(m, d, sp.symbols(f"s0:{m * d}"))
        y, yt = sp.Matrix(sp.symbols(f"y0:{n}")), sp.Matrix(sp.symbols(f"t0:{m}"))
        theta = sp.Matrix(sp.symbols(f"theta0:{d}"))
        gap = (theta.T * (X.T * X - Xt.T * Xt) * theta - 2 * theta.T * (X.T * y - Xt.T * yt))[0, 0]
        remainder = sp.expand(loss(X, y, theta) - loss(Xt, yt, theta) - gap)
        if remainder.free_symbols & set(theta):
            return Outcome.falsified({"n": n, "m": m, "d": d, "remainder": str(remainder)},
                                     "the loss difference depends on θ beyond the two identities")
    return Outcome.verified(sizes=len(sizes))


def exact_factor(gram: sp.Matrix) -> sp.Matrix:
    """X̃ = D^{1/2} Lᵀ from the exact LDLᵀ factorisation of a rational Gram matrix, so X̃ᵀX̃ = G."""
    lower, diagonal = gram.LDLdecomposition(hermitian=False)
    return diagonal.applyfunc(sp.sqrt) * lower.T


@checks.add("exact-certificate", Kind.SYMBOLIC)
def exact_certificate(ctx, factor=exact_factor) -> Outcome:
    """On integer data (5×3), X̃ = D^{1/2}Lᵀ from the exact LDLᵀ of XᵀX and ỹ = X̃θ₀ satisfy both
    identities exactly, and the ridge solution (X̃ᵀX̃ + λI)⁻¹X̃ᵀỹ equals (XᵀX + λI)⁻¹Xᵀy as a
    rational function of a symbolic λ: the error is exactly 0, no tolerance."""
    rng = ctx.rng("data")
    while True:
        X = sp.Matrix(rng.integers(-4, 5, size=(5, 3)).tolist())
        if X.rank() == 3:
            break
    y = sp.Matrix(rng.integers(-6, 7, size=5).tolist())
    gram, moment = X.T * X, X.T * y
    Xt = factor(gram)
    yt = Xt * gram.LUsolve(moment)
    lam = sp.Symbol("lambda", positive=True)
    eye = sp.eye(3)
    gram_error = sp.simplify(Xt.T * Xt - gram)
    moment_error = sp.simplify(Xt.T * yt - moment)
    path_error = sp.simplify((Xt.T * Xt + lam * eye).LUsolve(Xt.T * yt) - (gram + lam * eye).LUsolve(moment))
    exact = all(e == 0 for e in (*gram_error, *moment_error, *path_error))
    counterexample = None if exact else {"X": X.tolist(), "y": list(y), "gram_error": str(gram_error)}
    return Outcome.decide(exact, counterexample, "", nonzero_entries=sum(e != 0 for e in (*gram_error, *moment_error)))


# --- independent references ------------------------------------------------------------------
# The solvers in constructions.linear are compared with methods written here: refined normal
# equations (λ > 0) and LAPACK's least squares (λ = 0) for ridge, active-set enumeration for the
# elastic net. Every bound is fixed by the data before the solver under test runs.


def factorisation_roundoff(X) -> float:
    """γ = 10·n·d·u for an n × d matrix X. A Householder factorisation (QR, or the bidiagonalisation
    inside the SVD) is exact for data perturbed by γ̃_{nd}·‖X‖ (Higham, *Accuracy and Stability of
    Numerical Algorithms*, Thm 19.4); the distilled set and every solver here are such
    factorisations. The rounding of one n-term inner product, 10·n·u, is not enough: the
    ridge-path search found a 4 × 4 X whose SVD reconstructs it only to 97·u·‖X‖."""
    return 10 * X.shape[0] * X.shape[1] * unit_roundoff()


def reference_ridge(X, y, lam: float) -> np.ndarray:
    """λ > 0: (XᵀX + λI)θ = Xᵀy solved by LU and refined with residuals in extended precision
    (np.longdouble), accurate to a few u·‖θ‖ while κ(XᵀX + λI)·u ≪ 1; λ = 0: numpy's minimum-norm
    lstsq (LAPACK gelsd, the same rcond default as the solver)."""
    if lam == 0:
        return np.linalg.lstsq(X, y, rcond=None)[0]
    wide_X, wide_y = X.astype(np.longdouble), y.astype(np.longdouble)
    system = wide_X.T @ wide_X + lam * np.eye(X.shape[1], dtype=np.longdouble)
    moment = wide_X.T @ wide_y
    rounded = system.astype(float)
    theta = np.linalg.solve(rounded, moment.astype(float))
    for _ in range(3):
        theta = theta + np.linalg.solve(rounded, (moment - system @ theta).astype(float))
    return theta


def ridge_bound(X, y, theta, lam: float) -> float:
    """normal_equation_error_bound with XᵀX, Xᵀy perturbed by 2γ‖X‖², 2γ‖X‖‖y‖ (γ from
    :func:`factorisation_roundoff`; two factorisations lie between the data and a compared fit:
    the construction's SVD and the solver's) and λ_min(XᵀX + λI), or σ_r² (smallest kept) at λ = 0."""
    singular = np.linalg.svd(X, compute_uv=False)
    if lam > 0:
        smallest = (singular[-1] ** 2 if X.shape[0] >= X.shape[1] else 0.0) + lam
    else:
        smallest = singular[np.linalg.matrix_rank(X) - 1] ** 2
    return normal_equation_error_bound(singular[0], np.linalg.norm(y), np.linalg.norm(theta), smallest,
                                       2 * X.shape[0] * X.shape[1])


def ridge_mismatch(X, y, Xt, yt, lambdas, extra=None, solver=ridge_path) -> tuple[float, float]:
    """The (error, bound) pair with the largest error/bound over λ, for θ from ``solver`` on the data
    AND on the distilled set against θ_ref from :func:`reference_ridge` on the data."""
    if extra is not None:
        X, Xt = np.vstack([X, extra[0]]), np.vstack([Xt, extra[0]])
        y, yt = np.concatenate([y, extra[1]]), np.concatenate([yt, extra[1]])
    paths = solver(X, y, lambdas).coefficients, solver(Xt, yt, lambdas).coefficients
    pairs = []
    for i, lam in enumerate(lambdas):
        reference = reference_ridge(X, y, lam)
        bound = ridge_bound(X, y, reference, lam)
        pairs += [(float(np.linalg.norm(path[i] - reference)), bound) for path in paths]
    ratios = [ratio(error, bound) for error, bound in pairs]
    return pairs[int(np.argmax(ratios))] if not np.isnan(ratios).any() else (np.nan, 1.0)


def ratio(error: float, bound: float) -> float:
    """error/bound, with 0/0 = 0 and x/0 = inf (exact data such as y = 0 give a zero bound)."""
    return error / bound if bound > 0 else (0.0 if error == 0 else np.inf)


def within_bound(pair: tuple[float, float], what: str) -> dict:
    """The error/bound figure of a comparison that must have error ≤ bound: a Violation above, an
    error for NaN (:func:`theorems.searching.within`)."""
    error, bound = pair
    within(error, bound, f"{what} differ by {ratio(error, bound):.3g}× the bound")
    return {"error_over_bound": ratio(error, bound)}


def lambda_grid(X, count: int = 9) -> np.ndarray:
    """0 and a log grid from 1e-4 to 1e4 times the mean eigenvalue tr(XᵀX)/d."""
    scale = np.trace(X.T @ X) / X.shape[1]
    return np.concatenate([[0.0], scale * np.logspace(-4, 4, count - 1)])


@checks.add("ridge-path", Kind.PROPERTY)
def ridge_path_check(ctx, distill=distill_linear_regression, solver=ridge_path) -> Outcome:
    """For full-rank X (n ≥ d ≤ 5, κ(X) ≤ 10³) the ridge solutions from ``solver`` on the data and on
    the distilled set both equal the reference (refined normal equations; lstsq at λ = 0)
    over λ ∈ {0} ∪ tr(XᵀX)/d·[10⁻⁴, 10⁴], to within the rounding bound
    2γ·(‖X‖²‖θ‖ + ‖X‖‖y‖)/λ_min(XᵀX + λI), γ = 10·n·d·u (figure: worst error / bound); the path reports
    rank d with nothing dropped, and the construction reports ``rank`` = ``dimension`` = d."""

    def prop(problem):
        X, y = problem
        result = distill(X, y)
        if not (result.rank == X.shape[1] == result.dimension):
            raise Violation("full-rank X: the construction reports another rank or dimension", rank=result.rank,
                            dimension=result.dimension, d=X.shape[1])
        path = solver(X, y, [0.0])
        if not (path.rank == X.shape[1] and path.dropped == 0):
            raise Violation("full-rank X: the ridge path reports a truncation", rank=path.rank, dropped=path.dropped)
        return within_bound(ridge_mismatch(X, y, result.X, result.y, lambda_grid(X), solver=solver), "ridge paths")

    return property_outcome(search(ctx, regression_domain(), prop, fraction=0.5, label="ridge"))


# Elastic net: F(θ) = ‖Xθ − y‖² + l1‖θ‖₁ + l2‖θ‖², μ = 2(σ_min(X)² + l2)-strongly convex.
SOLVER_TOLERANCE = 1e-13  # the accuracy demanded: elastic_net's default stopping rule, tol = 1e-13


def kkt_residual(X, y, theta, l1: float, l2: float) -> np.ndarray:
    """Minimum-norm subgradient of F at θ from the optimality conditions: with g = 2Xᵀ(Xθ − y) + 2l2θ,
    g_j + l1·sign(θ_j) where θ_j ≠ 0 and the excess max(|g_j| − l1, 0) where θ_j = 0."""
    gradient = 2 * X.T @ (X @ theta - y) + 2 * l2 * theta
    return np.where(theta != 0, gradient + l1 * np.sign(theta), np.maximum(np.abs(gradient) - l1, 0.0))


def active_set_reference(X, y, l1: float, l2: float) -> np.ndarray:
    """A second method: for each sign pattern σ ∈ {−1, 0, 1}ᵈ solve the stationarity equations on its
    support, (G_SS + l2 I)θ_S = c_S − (l1/2)σ_S, and keep the candidate with the smallest KKT residual
    (the true minimiser's pattern gives a residual at rounding level)."""
    gram, moment, d = X.T @ X, X.T @ y, X.shape[1]
    best, best_residual = np.zeros(d), np.inf
    for pattern in itertools.product((-1.0, 0.0, 1.0), repeat=d):
        signs = np.array(pattern)
        support = signs != 0
        theta = np.zeros(d)
        if support.any():
            block = gram[np.ix_(support, support)] + l2 * np.eye(int(support.sum()))
            theta[support] = np.linalg.solve(block, moment[support] - l1 / 2 * signs[support])
        residual = np.linalg.norm(kkt_residual(X, y, theta, l1, l2))
        if residual < best_residual:
            best, best_residual = theta, residual
    return best


def kkt_tolerance(X, y, theta, l2: float) -> float:
    """The solver's stopping rule SOLVER_TOLERANCE·2(‖G‖‖θ‖ + ‖c‖) plus the rounding of g evaluated
    here and of a distilled set's XᵀX, Xᵀy: γ·2(‖X‖²‖θ‖ + ‖X‖‖y‖) (γ from :func:`factorisation_roundoff`),
    at the reference θ."""
    norm_X, norm_theta = np.linalg.norm(X, 2), np.linalg.norm(theta)
    stopping = SOLVER_TOLERANCE * 2 * (norm_X**2 * norm_theta + np.linalg.norm(X.T @ y))
    rounding = factorisation_roundoff(X) * 2 * ((norm_X**2 + l2) * norm_theta + norm_X * np.linalg.norm(y))
    return stopping + rounding


def regression_example(d: int, n_fraction: float, condition: float, scale: float, rng, max_n: int = 12):
    """Full-rank (X, y) as :func:`theorems.strategies.regression_problem` makes them: n = d + the
    fraction of the way to max_n, X with singular values scale·(1 … 1/condition) and singular vectors
    of a uniform [−1, 1] matrix, y uniform in [−10, 10]."""
    n = d + int(round(n_fraction * (max(max_n, d) - d)))
    X = with_condition(rng.uniform(-1.0, 1.0, (n, d)) + 1e-3 * np.eye(n, d), condition, scale=scale)
    return X, rng.uniform(-10.0, 10.0, n)


L1_FACTORS = (1e-3, 1.0, 1e-1)  # l1 / (tr(XᵀX)/d·(1 + ‖y‖)): both ends first (a grid's corners)
L2_FACTORS = (0.0, 0.1)  # l2 / (tr(XᵀX)/d): lasso and elastic net
ENET_CONDITION = 30.0  # the largest κ(X) the elastic-net check draws


def penalised(X, y, l1_factor: float, l2_factor: float):
    """(X, y, l1, l2) with the penalties relative to the data: l1 = l1_factor·s·(1 + ‖y‖) and
    l2 = l2_factor·s, s = tr(XᵀX)/d (the mean eigenvalue of XᵀX)."""
    scale = np.trace(X.T @ X) / X.shape[1]
    return X, y, scale * l1_factor * (1 + np.linalg.norm(y)), scale * l2_factor


@st.composite
def elastic_net_problem(draw):
    """A full-rank regression problem (κ(X) ≤ 30) and relative penalties from L1_FACTORS, L2_FACTORS."""
    X, y = draw(regression_problem(max_condition=ENET_CONDITION))
    return penalised(X, y, draw(st.sampled_from(L1_FACTORS)), draw(st.sampled_from(L2_FACTORS)))


def elastic_net_domain() -> Domain:
    """The domain of :func:`elastic_net_problem`: d ∈ {1 … 5}, n from d to 12, κ(X) ∈ [1, 30] and
    both penalties at their ends (every corner), each with the others at midpoints; the scale of X
    is drawn (the penalties are relative to it)."""

    def build(params, rng):
        d, n_fraction, condition, l1_factor, l2_factor = params
        X, y = regression_example(d, n_fraction, condition, rng.choice([1e-2, 1.0, 1e2]), rng)
        return penalised(X, y, l1_factor, l2_factor)

    parameters = tuples(integers(1, 5, points=3), interval(0.0, 1.0, points=3),
                        interval(1.0, ENET_CONDITION, points=3, log=True), sampled(list(L1_FACTORS)),
                        sampled(list(L2_FACTORS)))
    return parametric(elastic_net_problem(), parameters, build,
                      description="(X, y, l1, l2): d ≤ 5, n ≤ 12, κ(X) ≤ 30, l1 and l2 at both ends")


@checks.add("elastic-net", Kind.PROPERTY)
def elastic_net_check(ctx, distill=distill_linear_regression, solver=elastic_net) -> Outcome:
    """L1 (lasso) and elastic-net solutions from ``solver`` on the data and on the distilled set both
    satisfy the optimality conditions OF THE DATA's objective, ‖s(θ)‖ ≤ τ (s the minimum-norm
    subgradient computed here, τ the solver's stopping rule plus rounding, fixed before the solver
    runs), and lie within 2τ/μ of a second method, active-set enumeration."""

    def prop(args):
        X, y, l1, l2 = args
        reference = active_set_reference(X, y, l1, l2)
        tau = kkt_tolerance(X, y, reference, l2)
        mu = 2 * (np.linalg.svd(X, compute_uv=False)[-1] ** 2 + l2)
        reference_kkt = np.linalg.norm(kkt_residual(X, y, reference, l1, l2))
        if not reference_kkt <= tau:
            raise RuntimeError(f"active-set reference residual {reference_kkt:.3g} exceeds τ = {tau:.3g}")
        result = distill(X, y)
        kkt, distance = [], []
        for theta in (solver(X, y, l1, l2), solver(result.X, result.y, l1, l2)):
            kkt.append(within(np.linalg.norm(kkt_residual(X, y, theta, l1, l2)), tau,
                              "elastic-net solution misses the data's optimality conditions"))
            distance.append(within(np.linalg.norm(theta - reference), 2 * tau / mu,
                                   "elastic-net solution is farther than 2τ/μ from active-set enumeration"))
        return {"kkt_over_tolerance": max(ratio(f["error"], f["bound"]) for f in kkt),
                "distance_over_bound": max(ratio(f["error"], f["bound"]) for f in distance)}

    return property_outcome(search(ctx, elastic_net_domain(), prop, fraction=0.1, label="enet"))


EXTRA_CONDITION = 1e2  # κ of an appended block with at least d rows


def extra_block(raw, condition: float, scale: float, extra_y):
    """The appended data (X', y'): with at least d rows X' keeps the singular vectors of ``raw`` and
    gets singular values scale·(1 … 1/condition); with fewer rows X' = raw (entries in [−1, 1])."""
    rows, d = raw.shape
    extra_X = with_condition(raw + 1e-3 * np.eye(rows, d), condition, scale=scale) if rows >= d else raw
    return extra_X, extra_y


@st.composite
def added_data_problem(draw):
    """A full-rank regression problem and 1 … 6 appended rows (:func:`extra_block`)."""
    X, y = draw(regression_problem())
    rows = draw(st.integers(min_value=1, max_value=6))
    raw = draw(arrays(np.float64, (rows, X.shape[1]), elements=BOUNDED))
    condition = draw(st.floats(min_value=1.0, max_value=EXTRA_CONDITION))
    scale = draw(st.sampled_from([1e-2, 1.0, 1e2]))
    extra_y = draw(arrays(np.float64, (rows,), elements=st.floats(-10, 10, width=64)))
    return X, y, extra_block(raw, condition, scale, extra_y)


def added_data_domain() -> Domain:
    """The domain of :func:`added_data_problem`: d ∈ {1 … 5}, n from d to 12, κ(X) ≤ 10³, 1 … 6
    appended rows (fewer and more than d) and their κ ≤ 10² at the ends and midpoints; the scales
    of X and X' are drawn."""

    def build(params, rng):
        d, n_fraction, condition, rows, extra_condition = params
        X, y = regression_example(d, n_fraction, condition, rng.choice([1e-2, 1.0, 1e2]), rng)
        extra = extra_block(rng.uniform(-1.0, 1.0, (rows, d)), extra_condition, rng.choice([1e-2, 1.0, 1e2]),
                            rng.uniform(-10.0, 10.0, rows))
        return X, y, extra

    parameters = tuples(integers(1, 5, points=3), interval(0.0, 1.0, points=3), interval(1.0, 1e3, points=3, log=True),
                        integers(1, 6, points=3), interval(1.0, EXTRA_CONDITION, points=3, log=True))
    return parametric(added_data_problem(), parameters, build,
                      description="(X, y, X', y'): d ≤ 5, n ≤ 12, κ(X) ≤ 10³, 1 … 6 rows appended with κ ≤ 10²")


@checks.add("added-data", Kind.PROPERTY)
def added_data_check(ctx, distill=distill_linear_regression) -> Outcome:
    """Combination distillation: after appending a random extra dataset (X', y') to both the data and
    the distilled set, the ridge paths still equal the reference on the stacked data within the
    rounding bound."""

    def prop(args):
        X, y, extra = args
        result = distill(X, y)
        return within_bound(ridge_mismatch(X, y, result.X, result.y, lambda_grid(X), extra=extra),
                            "fits after adding data")

    return property_outcome(search(ctx, added_data_domain(), prop, fraction=0.5, label="added"))


def sufficient_statistics_error(X, y, Xt, yt) -> tuple[float, float]:
    """‖X̃ᵀX̃ − XᵀX‖/‖X‖² and ‖X̃ᵀỹ − Xᵀy‖/(‖X‖‖y‖)."""
    norm_X = np.linalg.norm(X, 2)
    gram = np.linalg.norm(Xt.T @ Xt - X.T @ X, 2) / norm_X**2
    moment = np.linalg.norm(Xt.T @ yt - X.T @ y) / max(norm_X * np.linalg.norm(y), np.finfo(float).tiny)
    return gram, moment


@checks.add("rank-deficient", Kind.PROPERTY)
def rank_deficient_check(ctx, distill=distill_linear_regression, solver=ridge_path) -> Outcome:
    """For X of rank r < d (numpy's matrix_rank) the construction returns exactly r points and reports
    rank r and dimension d; X̃ᵀX̃ = XᵀX, X̃ᵀỹ = Xᵀy hold to γ = 10·n·d·u relative to ‖X‖² and ‖X‖‖y‖ (the SVD's
    backward error, which also covers the dropped σ_{r+1} ≤ max(n, d)·eps·σ₁). ``solver``
    reports rank r and d − r dropped at λ = 0 on the data, rank r and none dropped on the r × d
    distilled set (dropped counts min(n, d) − rank), and its minimum-norm least-squares and ridge
    solutions on the data and the distilled set equal the reference within the rounding bound
    (σ_r² in place of λ_min at λ = 0)."""

    def prop(problem):
        X, y = problem
        rank = np.linalg.matrix_rank(X)
        result = distill(X, y)
        if not (result.X.shape == (rank, X.shape[1]) and result.rank == rank and result.dimension == X.shape[1]):
            raise Violation(f"returned {result.X.shape[0]} points (reported rank {result.rank}) for rank {rank}",
                            points=result.X.shape[0], rank=rank)
        tol = factorisation_roundoff(X)
        gram, moment = sufficient_statistics_error(X, y, result.X, result.y)
        within(np.max([gram, moment]), tol, "sufficient statistics differ", gram_error=gram, moment_error=moment)
        path, distilled_path = solver(X, y, [0.0]), solver(result.X, result.y, [0.0])
        if not (path.rank == rank and path.dropped == X.shape[1] - rank
                and distilled_path.rank == rank and distilled_path.dropped == 0):
            raise Violation("the ridge path misreports the truncation", reported_rank=path.rank, rank=rank,
                            dropped=path.dropped, distilled_dropped=distilled_path.dropped)
        mismatch = ridge_mismatch(X, y, result.X, result.y, lambda_grid(X), solver=solver)
        return {"gram_error": gram, "moment_error": moment, **within_bound(mismatch, "minimum-norm and ridge fits")}

    return property_outcome(search(ctx, regression_domain(rank_deficient=True), prop, fraction=0.5, label="rank"))


def threshold_matrix(left_raw, right_raw, y):
    """(X, y) with X = Q₁ diag(1, …, 10⁻², 1.5·max(n, d)·eps, √(n·d)·eps) Q₂ᵀ, Q₁ and Q₂ the
    orthonormal factors of ``left_raw`` + I (n × d) and ``right_raw`` + 2I (d × d): the second-smallest
    singular value lies just above numpy's threshold max(n, d)·eps·σ₁, the smallest between
    min(n, d)·eps·σ₁ and that threshold (for n ≥ 10d)."""
    n, d = left_raw.shape
    left, _ = np.linalg.qr(left_raw + np.eye(n, d))
    right, _ = np.linalg.qr(right_raw + 2 * np.eye(d))
    eps = np.finfo(float).eps
    singular = np.concatenate([np.geomspace(1.0, 1e-2, d - 2), [1.5 * n * eps, np.sqrt(n * d) * eps]])
    return (left * singular) @ right.T, y


@st.composite
def threshold_problem(draw):
    """:func:`threshold_matrix` with d ∈ {3, 4, 5}, 10d ≤ n ≤ 10d + 20, entries in [−1, 1] and y in
    [−10, 10]."""
    d = draw(st.integers(min_value=3, max_value=5))
    n = draw(st.integers(min_value=10 * d, max_value=10 * d + 20))
    return threshold_matrix(draw(arrays(np.float64, (n, d), elements=BOUNDED)),
                            draw(arrays(np.float64, (d, d), elements=BOUNDED)),
                            draw(arrays(np.float64, (n,), elements=st.floats(min_value=-10, max_value=10, width=64))))


def threshold_domain() -> Domain:
    """The domain of :func:`threshold_problem`: d ∈ {3, 4, 5} and n at 10d, 10d + 10, 10d + 20."""

    def build(params, rng):
        d, extra_rows = params
        n = 10 * d + extra_rows
        return threshold_matrix(rng.uniform(-1.0, 1.0, (n, d)), rng.uniform(-1.0, 1.0, (d, d)),
                                rng.uniform(-10.0, 10.0, n))

    return parametric(threshold_problem(), tuples(integers(3, 5), integers(0, 20, points=3)), build,
                      description="(X, y): d ∈ {3, 4, 5}, 10d ≤ n ≤ 10d + 20, σ_d and σ_{d−1} astride the threshold")


@checks.add("rank-threshold", Kind.PROPERTY)
def rank_threshold_check(ctx, distill=distill_linear_regression, solver=ridge_path) -> Outcome:
    """The documented rank threshold is numpy's max(n, d)·eps·σ₁, neither lower nor higher: for X
    whose second-smallest singular value lies above it and whose smallest lies strictly between
    min(n, d)·eps·σ₁ and it (both asserted from the data), the construction returns d − 1 points
    and ``solver`` reports rank d − 1 with one value dropped. (The truncated fit itself is compared
    with lstsq by rank-deficient; here its bound, 1/σ_{d−1}² ≈ 10²⁶, would say nothing.)"""

    def prop(problem):
        X, y = problem
        singular = np.linalg.svd(X, compute_uv=False)
        eps = np.finfo(float).eps
        threshold, lower = max(X.shape) * eps * singular[0], min(X.shape) * eps * singular[0]
        assume(singular[-2] > threshold and lower < singular[-1] < threshold)
        d = X.shape[1]
        result, path = distill(X, y), solver(X, y, [0.0])
        if not (result.rank == d - 1 and result.X.shape[0] == d - 1 and path.rank == d - 1 and path.dropped == 1):
            raise Violation("rank threshold not at max(n, d)·eps·σ₁", points=result.X.shape[0], path_rank=path.rank,
                            dropped=path.dropped, d=d)
        return {"threshold_over_kept": threshold / singular[-2], "dropped_over_threshold": singular[-1] / threshold}

    return property_outcome(search(ctx, threshold_domain(), prop, fraction=0.25, label="threshold"))


@checks.add("normalised-loss", Kind.PROPERTY)
def normalised_loss_check(ctx, distill=distill_linear_regression) -> Outcome:
    """Under the averaged loss (1/n)‖Xθ − y‖² + λ‖θ‖² against (1/m)‖X̃θ − ỹ‖² + λ‖θ‖², the set from
    ``distill(..., normalised=True)`` (scaled by √(m/n)) gives the same ridge path, and reports
    ``normalised`` as True (the flag a user reads to know which loss the set is for)."""

    def prop(problem):
        X, y = problem
        result = distill(X, y, normalised=True)
        if result.normalised is not True:
            raise Violation(f"the set for the averaged loss reports normalised = {result.normalised!r}")
        n, m = X.shape[0], result.X.shape[0]
        mismatch = ridge_mismatch(X / np.sqrt(n), y / np.sqrt(n), result.X / np.sqrt(m), result.y / np.sqrt(m),
                                  lambda_grid(X / np.sqrt(n)))
        return within_bound(mismatch, "normalised ridge paths")

    return property_outcome(search(ctx, regression_domain(), prop, fraction=0.5, label="normalised"))


def truncated_distillation(X, y, points: int):
    """The best attempt with ``points`` points: the SVD construction keeping the largest singular values."""
    result = distill_linear_regression(X, y)
    return result.X[:points], result.y[:points]


def at_least_two_columns(problem):
    """(X, y) with a ramp column appended when X has one column (d − 1 = 0 points is no test)."""
    X, y = problem
    if X.shape[1] < 2:
        X = np.hstack([X, np.linspace(-1, 1, X.shape[0])[:, None]])
    return X, y


def fewer_points_domain() -> Domain:
    """Regression data with 2 ≤ d ≤ 4, n ≤ 10 and κ(X) ≤ 10 (a one-column X gets a ramp column):
    :func:`theorems.strategies.regression_domain`'s grid over d, n, κ and scale."""
    return regression_domain(max_n=10, max_d=4, max_condition=10.0).map(at_least_two_columns)


@checks.add("fewer-points", Kind.COUNTEREXAMPLE)
def fewer_points_check(ctx, points_short=1) -> Outcome:
    """Drop 'd points': with d − ``points_short`` points the ridge path is not reproduced. For
    generic data the path matrix P = [θ(λ₁) … θ(λ_d)] has σ_d(P) > 0, while every path from fewer
    than d points lies in a (d−1)-dimensional subspace, so ANY such set is at Frobenius distance
    ≥ σ_d(P) (Eckart–Young); the search must exhibit data where σ_d(P) exceeds its rounding bound
    and the best attempt (truncated SVD) indeed misses by at least that much."""

    def prop(args):
        X, y = args
        d = X.shape[1]
        m = d - points_short
        lambdas = np.trace(X.T @ X) / d * np.logspace(-1, 1, d)
        path = np.array([reference_ridge(X, y, lam) for lam in lambdas])
        sigma_d = np.linalg.svd(path, compute_uv=False)[-1] if m < d else 0.0
        rounding = factorisation_roundoff(X) * np.linalg.norm(path)
        if m > 0:
            Xt, yt = truncated_distillation(X, y, m)
            attempt = np.array([reference_ridge(Xt, yt, lam) for lam in lambdas])
        else:
            attempt = np.zeros_like(path)
        miss = np.linalg.norm(attempt - path)
        if sigma_d > rounding and miss >= sigma_d - rounding:
            raise Violation(f"{m} points miss the ridge path by {miss:.3g} ≥ σ_d(P) = {sigma_d:.3g} > 0",
                            d=d, points=m, sigma_d=sigma_d, miss=miss)
        return None

    return counterexample_outcome(search(ctx, fewer_points_domain(), prop, fraction=0.2, label="fewer"), "at least d points")


def certified_longley_params() -> np.ndarray:
    """NIST StRD's certified Longley coefficients (15 digits) as statsmodels ships them for its tests,
    reordered to (const, GNPDEFL, GNP, UNEMP, ARMED, POP, YEAR)."""
    from statsmodels.regression.tests.results.results_regression import Longley

    params = np.array(Longley().params)
    return np.concatenate([params[-1:], params[:-1]])


def coefficient_bounds(X, y, theta) -> np.ndarray:
    """First-order bound on |δθ_j| for a least-squares solve backward stable column by column
    (|ΔX_{:,k}| ≤ γ‖x_k‖, ‖Δy‖ ≤ γ‖y‖, γ from :func:`factorisation_roundoff`):
    δθ = X⁺(Δy − ΔXθ) + (XᵀX)⁻¹ΔXᵀr gives
    |δθ_j| ≤ γ[‖e_jᵀX⁺‖(‖y‖ + Σ_k‖x_k‖|θ_k|) + ‖r‖ Σ_k |(XᵀX)⁻¹_jk| ‖x_k‖].
    X⁺ and (XᵀX)⁻¹ come from the column-scaled X, whose κ is far smaller (Longley: 4·10⁴ against 5·10⁹)."""
    gamma = factorisation_roundoff(X)
    norms = np.linalg.norm(X, axis=0)
    scaled = X / norms
    pseudo_inverse = np.linalg.pinv(scaled) / norms[:, None]
    inverse_gram = np.linalg.inv(scaled.T @ scaled) / np.outer(norms, norms)
    residual = np.linalg.norm(y - X @ theta)
    return gamma * (np.linalg.norm(pseudo_inverse, axis=1) * (np.linalg.norm(y) + norms @ np.abs(theta))
                    + residual * (np.abs(inverse_gram) @ norms))


@checks.add("longley", Kind.REAL_DATA, needs=(dataset("longley"),))
def longley_check(ctx, distill=distill_linear_regression, solver=ridge_path) -> Outcome:
    """statsmodels' ``longley`` (16 × 6 plus an intercept, κ(X) ≈ 5·10⁹). Raw data: the 7 distilled
    points keep XᵀX and Xᵀy to γ = 10·n·d·u relative, and the OLS fit (``solver`` at λ = 0) on them and
    on the data matches NIST's certified coefficients within the componentwise rounding bound of
    :func:`coefficient_bounds` (figure: worst |θ_j − θ_j^NIST| / bound_j). Standardised predictors
    (centred, unit variance; centred response): the ridge path matches the reference."""
    raw = load_statsmodels("longley", add_constant=True)
    result = distill(raw.X, raw.y)
    gram, moment = sufficient_statistics_error(raw.X, raw.y, result.X, result.y)
    tol = factorisation_roundoff(raw.X)
    certified = certified_longley_params()
    bounds = coefficient_bounds(raw.X, raw.y, certified)
    fits = solver(raw.X, raw.y, [0.0]), solver(result.X, result.y, [0.0])
    ols_ratio = float(np.max([np.abs(fit.coefficients[0] - certified) / bounds for fit in fits]))
    full_rank = result.rank == raw.X.shape[1] and all(fit.rank == raw.X.shape[1] and fit.dropped == 0 for fit in fits)

    X = (raw.X[:, 1:] - raw.X[:, 1:].mean(0)) / raw.X[:, 1:].std(0)
    y = raw.y - raw.y.mean()
    standard = distill(X, y)
    path_error, path_bound = ridge_mismatch(X, y, standard.X, standard.y, lambda_grid(X), solver=solver)
    path_ratio = ratio(path_error, path_bound)
    figures = dict(points=result.X.shape[0], gram_error=gram, moment_error=moment, tolerance=tol,
                   ols_error_over_bound=ols_ratio, path_error_over_bound=path_ratio)
    if not full_rank:
        raise Violation("longley: a rank other than 7 reported", **figures)
    within(np.max([gram, moment]), tol, "longley: the distilled set's XᵀX, Xᵀy differ", **figures)
    within(ols_ratio, 1.0, "longley: OLS differs from NIST's certified coefficients", **figures)
    within(path_error, path_bound, "longley: standardised ridge paths differ", **figures)
    return Outcome.verified(**figures)


THEOREM = register(
    Theorem(
        id="izzo-zou/theorem-3",
        title="d points recover linear regression for every regulariser and any added data",
        source="Izzo & Zou, A Theoretical Study of Dataset Distillation, Theorem 3",
        claim=("If X̃ᵀX̃ = XᵀX and X̃ᵀỹ = Xᵀy, then training on (X̃, ỹ) gives the same model as training "
               "on (X, y) for every data-independent regulariser and after appending any extra data; the "
               "SVD construction x̃ᵢ = σᵢvᵢ, ỹᵢ = x̃ᵢᵀθ₀ achieves this with rank(X) ≤ d points, and d − 1 "
               "points cannot reproduce the ridge path of generic data."),
        statement=statement,
        assumptions=(
            Assumption("squared-loss", "the unnormalised squared loss Σ(θᵀxᵢ − yᵢ)² (or the averaged loss with √(m/n) rescaling)"),
            Assumption("data-independent-regulariser", "R(θ) does not depend on the training data"),
            Assumption("at least d points", "the distilled set has rank(X) points; fewer cannot carry XᵀX"),
        ),
        checks=checks.freeze(),
        construction=distill_linear_regression,
        conventions="unnormalised squared loss; ridge λ absolute; rows are examples",
    )
)
