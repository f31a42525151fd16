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

import numpy as np
import sympy as sp
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from constructions.linear import (
    distill_linear_regression,
    elastic_net,
    elastic_net_subgradient,
    ridge_path,
)
from empirical.datasets import load_statsmodels
from theorems import Assumption, Checks, Kind, Outcome, Theorem, Violation, register, search
from theorems.requirements import dataset
from theorems.search import counterexample_outcome, property_outcome
from theorems.strategies import conditioned_matrix, regression_problem
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


def ridge_mismatch(X, y, Xt, yt, lambdas, extra=None):
    """max over λ of ‖θ_dist(λ) − θ_orig(λ)‖ divided by its rounding bound (≤ 1 means equal)."""
    if extra is not None:
        X, Xt = np.vstack([X, extra[0]]), np.vstack([Xt, extra[0]])
        y, yt = np.concatenate([y, extra[1]]), np.concatenate([yt, extra[1]])
    original, distilled = ridge_path(X, y, lambdas), ridge_path(Xt, yt, lambdas)
    smallest = np.linalg.eigvalsh(X.T @ X)[0]
    worst = 0.0
    for lam, theta_o, theta_d in zip(lambdas, original, distilled):
        # bound from tolerances.normal_equation_error_bound: rounding of XᵀX, Xᵀy over n-term sums
        bound = normal_equation_error_bound(np.linalg.norm(X, 2), np.linalg.norm(y), np.linalg.norm(theta_o),
                                            smallest + lam, max(X.shape))
        error = np.linalg.norm(theta_d - theta_o)
        worst = max(worst, error / bound if bound > 0 else (0.0 if error == 0 else np.inf))
    return worst


def within_bound(ratio: float, what: str) -> dict:
    """Figures for a comparison whose error/bound ratio must stay ≤ 1; a Violation otherwise."""
    if ratio > 1:
        raise Violation(f"{what} differ by {ratio:.3g}× the bound", error_over_bound=ratio)
    return {"error_over_bound": ratio}


def lambda_grid(X, count: int = 9) -> np.ndarray:
    """0 and a log grid from 1e-4 to 1e4 times the mean eigenvalue tr(XᵀX)/d."""
    scale = np.trace(X.T @ X) / X.shape[1]
    return np.concatenate([[0.0], scale * np.logspace(-4, 4, count - 1)])


@checks.add("ridge-path", Kind.PROPERTY)
def ridge_path_check(ctx, distill=distill_linear_regression) -> Outcome:
    """For full-rank X (n ≥ d ≤ 5, κ(X) ≤ 10³) the ridge solutions on the distilled set equal those
    on the data over λ ∈ {0} ∪ tr(XᵀX)/d·[10⁻⁴, 10⁴], to within the rounding bound
    10·n·u·(‖X‖²‖θ‖ + ‖X‖‖y‖)/λ_min(XᵀX + λI) (figure: worst error / bound)."""

    def prop(problem):
        X, y = problem
        result = distill(X, y)
        return within_bound(ridge_mismatch(X, y, result.X, result.y, lambda_grid(X)), "ridge paths")

    return property_outcome(search(ctx, regression_problem(), prop, label="ridge"))


@checks.add("elastic-net", Kind.PROPERTY)
def elastic_net_check(ctx, distill=distill_linear_regression) -> Outcome:
    """L1 (lasso) and elastic-net solutions, computed by coordinate descent separately on the data
    and on the distilled set, agree within the certificate ‖θ − θ*‖ ≤ ‖s‖/μ: s the minimum-norm
    subgradient each solver leaves, μ = 2(λ_min(XᵀX) + l2) the strong-convexity modulus, plus the
    rounding of XᵀX (10·n·u·‖X‖²‖θ‖/μ)."""

    @st.composite
    def problem(draw):
        X, y = draw(regression_problem(max_condition=30.0))
        scale = np.trace(X.T @ X) / X.shape[1]
        l1 = scale * draw(st.sampled_from([1e-3, 1e-1, 1.0])) * (1 + np.linalg.norm(y))
        l2 = scale * draw(st.sampled_from([0.0, 0.1]))
        return X, y, l1, l2

    def prop(args):
        X, y, l1, l2 = args
        result = distill(X, y)
        theta_o, theta_d = elastic_net(X, y, l1, l2), elastic_net(result.X, result.y, l1, l2)
        gram_o, gram_d = X.T @ X, result.X.T @ result.X
        mu = 2 * (np.linalg.eigvalsh(gram_o)[0] + l2)
        residual_o = np.linalg.norm(elastic_net_subgradient(gram_o, X.T @ y, theta_o, l1, l2))
        residual_d = np.linalg.norm(elastic_net_subgradient(gram_d, result.X.T @ result.y, theta_d, l1, l2))
        rounding = 10 * max(X.shape) * unit_roundoff() * (np.linalg.norm(X, 2) ** 2 * np.linalg.norm(theta_o)
                                                          + np.linalg.norm(X, 2) * np.linalg.norm(y)) / mu
        bound = (residual_o + residual_d) / mu + 2 * rounding
        ratio = np.linalg.norm(theta_o - theta_d) / bound if bound > 0 else 0.0
        return within_bound(ratio, "elastic-net solutions")

    return property_outcome(search(ctx, problem(), prop, fraction=0.5, label="enet"))


@checks.add("added-data", Kind.PROPERTY)
def added_data_check(ctx, distill=distill_linear_regression) -> Outcome:
    """Combination distillation: after appending a random extra dataset (X', y') to both the data and
    the distilled set, the ridge paths still coincide within the rounding bound."""

    @st.composite
    def problem(draw):
        X, y = draw(regression_problem())
        extra_rows = draw(st.integers(min_value=1, max_value=6))
        extra_X = draw(conditioned_matrix(extra_rows, X.shape[1], 1e2)) if extra_rows >= X.shape[1] else draw(
            arrays(np.float64, (extra_rows, X.shape[1]), elements=st.floats(-1, 1, width=64)))
        extra_y = draw(arrays(np.float64, (extra_rows,), elements=st.floats(-10, 10, width=64)))
        return X, y, (extra_X, extra_y)

    def prop(args):
        X, y, extra = args
        result = distill(X, y)
        return within_bound(ridge_mismatch(X, y, result.X, result.y, lambda_grid(X), extra=extra),
                            "fits after adding data")

    return property_outcome(search(ctx, problem(), prop, label="added"))


@checks.add("rank-deficient", Kind.PROPERTY)
def rank_deficient_check(ctx, distill=distill_linear_regression) -> Outcome:
    """For X of rank r < d the construction returns exactly r points, and X̃ᵀX̃ = XᵀX, X̃ᵀỹ = Xᵀy hold
    to 10·n·u relative to ‖X‖² and ‖X‖‖y‖ (the rounding of an n-term inner product)."""

    def prop(problem):
        X, y = problem
        rank = np.linalg.matrix_rank(X)
        result = distill(X, y)
        if result.X.shape[0] != rank:
            raise Violation(f"returned {result.X.shape[0]} points for rank {rank}", points=result.X.shape[0], rank=rank)
        tol = 10 * max(X.shape) * unit_roundoff()
        norm_X = np.linalg.norm(X, 2)
        gram = np.linalg.norm(result.X.T @ result.X - X.T @ X, 2) / norm_X**2
        moment = np.linalg.norm(result.X.T @ result.y - X.T @ y) / max(norm_X * np.linalg.norm(y), np.finfo(float).tiny)
        if max(gram, moment) > tol:
            raise Violation("sufficient statistics differ", gram_error=gram, moment_error=moment, tolerance=tol)
        return {"gram_error": gram, "moment_error": moment}

    return property_outcome(search(ctx, regression_problem(rank_deficient=True), prop, label="rank"))


@checks.add("normalised-loss", Kind.PROPERTY)
def normalised_loss_check(ctx, distill=distill_linear_regression) -> Outcome:
    """Under the averaged loss (1/n)‖Xθ − y‖² + λ‖θ‖² against (1/m)‖X̃θ − ỹ‖² + λ‖θ‖², the set from
    ``distill(..., normalised=True)`` (scaled by √(m/n)) gives the same ridge path."""

    def prop(problem):
        X, y = problem
        result = distill(X, y, normalised=True)
        n, m = X.shape[0], result.X.shape[0]
        ratio = ridge_mismatch(X / np.sqrt(n), y / np.sqrt(n), result.X / np.sqrt(m), result.y / np.sqrt(m),
                               lambda_grid(X / np.sqrt(n)))
        return within_bound(ratio, "normalised ridge paths")

    return property_outcome(search(ctx, regression_problem(), prop, fraction=0.5, label="normalised"))


def truncated_distillation(X, y, points: int):
    """The best attempt with ``points`` points: the SVD construction keeping the largest singular values."""
    result = distill_linear_regression(X, y)
    return result.X[:points], result.y[:points]


@checks.add("fewer-points", Kind.COUNTEREXAMPLE)
def fewer_points_check(ctx, points_short=1) -> Outcome:
    """Drop 'd points': with d − ``points_short`` points the ridge path is not reproduced. For
    generic data the path matrix P = [θ(λ₁) … θ(λ_d)] has σ_d(P) > 0, while every path from fewer
    than d points lies in a (d−1)-dimensional subspace, so ANY such set is at Frobenius distance
    ≥ σ_d(P) (Eckart–Young); the search must exhibit data where σ_d(P) exceeds its rounding bound
    and the best attempt (truncated SVD) indeed misses by at least that much."""

    @st.composite
    def problem(draw):
        X, y = draw(regression_problem(max_n=10, max_d=4, max_condition=10.0))
        if X.shape[1] < 2:
            X = np.hstack([X, np.linspace(-1, 1, X.shape[0])[:, None]])
        return X, y

    def prop(args):
        X, y = args
        d = X.shape[1]
        m = d - points_short
        lambdas = np.trace(X.T @ X) / d * np.logspace(-1, 1, d)
        path = ridge_path(X, y, lambdas)
        sigma_d = np.linalg.svd(path, compute_uv=False)[-1] if m < d else 0.0
        rounding = 10 * max(X.shape) * unit_roundoff() * np.linalg.norm(path)
        if m > 0:
            Xt, yt = truncated_distillation(X, y, m)
            attempt = ridge_path(Xt, yt, lambdas)
        else:
            attempt = np.zeros_like(path)
        miss = np.linalg.norm(attempt - path)
        if sigma_d > rounding and miss >= sigma_d - rounding:
            raise Violation(f"{m} points miss the ridge path by {miss:.3g} ≥ σ_d(P) = {sigma_d:.3g} > 0",
                            d=d, points=m, sigma_d=sigma_d, miss=miss)
        return None

    return counterexample_outcome(search(ctx, problem(), prop, fraction=0.2, label="fewer"), "at least d points")


@checks.add("longley", Kind.REAL_DATA, needs=(dataset("longley"),))
def longley_check(ctx, distill=distill_linear_regression) -> Outcome:
    """statsmodels' ``longley`` (16 × 6, κ(X) ≈ 5·10⁹ with an intercept column). Raw data: the
    distilled 7 points keep XᵀX and Xᵀy to 10·n·u relative. Standardised predictors (centred,
    unit variance; centred response, so the intercept is ȳ): the distilled OLS fit matches
    statsmodels' OLS and the ridge path matches, within the rounding bound."""
    raw = load_statsmodels("longley", add_constant=True)
    result = distill(raw.X, raw.y)
    norm_X = np.linalg.norm(raw.X, 2)
    gram = np.linalg.norm(result.X.T @ result.X - raw.X.T @ raw.X, 2) / norm_X**2
    moment = np.linalg.norm(result.X.T @ result.y - raw.X.T @ raw.y) / (norm_X * np.linalg.norm(raw.y))
    tol = 10 * raw.X.shape[0] * unit_roundoff()

    import statsmodels.api as sm

    X = (raw.X[:, 1:] - raw.X[:, 1:].mean(0)) / raw.X[:, 1:].std(0)
    y = raw.y - raw.y.mean()
    standard = distill(X, y)
    reference = sm.OLS(y, X).fit().params
    ols_error = np.linalg.norm(ridge_path(standard.X, standard.y, [0.0])[0] - reference)
    ols_bound = normal_equation_error_bound(np.linalg.norm(X, 2), np.linalg.norm(y), np.linalg.norm(reference),
                                            np.linalg.eigvalsh(X.T @ X)[0], X.shape[0])
    path_ratio = ridge_mismatch(X, y, standard.X, standard.y, lambda_grid(X))
    holds = gram <= tol and moment <= tol and ols_error <= ols_bound and path_ratio <= 1
    return Outcome.decide(holds, None if holds else {"gram_error": gram, "moment_error": moment},
                          "" if holds else "longley: distilled set does not reproduce the fits",
                          points=result.X.shape[0], gram_error=gram, moment_error=moment, tolerance=tol,
                          ols_error_over_bound=ols_error / ols_bound, path_error_over_bound=path_ratio)


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
