"""Selvan & Chen: a small MMD transfers risk uniformly over the model class, and to the minimiser.

Statement. Let z = (x, y) ∈ ℝᵈ × ℝ and let every loss ℓ_θ, θ ∈ Θ, lie in the ball of radius B of an
RKHS H. For weighted empirical measures T, S with risks R_P(θ) = E_P ℓ_θ,

    sup_{θ∈Θ} |R_T(θ) − R_S(θ)| ≤ B · MMD_H(T, S),
    R_T(θ̂_S) − min_Θ R_T ≤ 2B · MMD_H(T, S),   θ̂_S ∈ argmin_Θ R_S,

the first by the RKHS bound, the second from R_T(θ̂_S) ≤ R_S(θ̂_S) + B·MMD ≤ R_S(θ_T) + B·MMD ≤
R_T(θ_T) + 2B·MMD.

Construction (explicit features). The squared loss of a linear model is
(θᵀx − y)² = ⟨c(θ), ψ(z)⟩ with ψ(z) = (vec(xxᵀ), x·y, y²) ∈ ℝ^{d²+d+1} and
c(θ) = (vec(θθᵀ), −2θ, 1), so ℓ_θ lies in the RKHS of k(z, z') = ψ(z)ᵀψ(z') = (xᵀx')² + xᵀx'·yy' + y²y'²
with ‖ℓ_θ‖_H = ‖c(θ)‖ = √(‖θ‖⁴ + 4‖θ‖² + 1) (c(θ) lies in the span of ψ, so it is the minimum-norm
representer). Over Θ = {‖θ‖ ≤ r}, B(r) = √(r⁴ + 4r² + 1).

The assumption that matters: the loss must lie in H. The cubic loss (θᵀx − y)³ does not; with
S = −T (every z negated) ψ is unchanged, MMD = 0, yet the cubic risks differ.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.optimize import brentq

from constructions.discrepancy import LinearKernel, mmd
from constructions.validation import as_matrix, as_vector
from theorems import Assumption, Checks, Kind, Outcome, Theorem, Violation, register, search
from theorems.domains import integers, parametric, sampled, tuples
from theorems.searching import counterexample_outcome, property_outcome
from theorems.selvan_chen._strategies import COORDINATE, coordinates, entries, simplex_from, simplex_weights
from theorems.tolerances import unit_roundoff

# --- the construction -------------------------------------------------------------------------


def quadratic_features(X, y) -> np.ndarray:
    """ψ(x, y) = (vec(xxᵀ), x·y, y²), one row per example."""
    X = as_matrix(X, "X")
    y = as_vector(y, "y", length=X.shape[0])
    outer = np.einsum("ni,nj->nij", X, X).reshape(X.shape[0], -1)
    return np.hstack([outer, X * y[:, None], (y**2)[:, None]])


def loss_coefficients(theta: np.ndarray) -> np.ndarray:
    """c(θ) with ⟨c(θ), ψ(x, y)⟩ = (θᵀx − y)²."""
    return np.concatenate([np.outer(theta, theta).ravel(), -2.0 * theta, [1.0]])


def loss_ball_radius(r: float) -> float:
    """B(r) = sup_{‖θ‖≤r} ‖c(θ)‖ = √(r⁴ + 4r² + 1)."""
    return float(np.sqrt(r**4 + 4 * r**2 + 1))


def risk(theta, X, y, w) -> float:
    """Σ wᵢ (θᵀxᵢ − yᵢ)²."""
    return float(w @ (X @ theta - y) ** 2)


def ball_least_squares(X, y, w, radius: float) -> np.ndarray:
    """argmin_{‖θ‖≤r} Σ wᵢ(θᵀxᵢ − yᵢ)²: the minimum-norm unconstrained solution when it lies in the
    ball, else θ(λ) = (G + λI)⁻¹h with G = XᵀWX, h = XᵀWy and λ > 0 solving ‖θ(λ)‖ = r (h lies in
    the range of G, so ‖θ(λ)‖ decreases from the minimum-norm solution's norm to 0)."""
    G, h = X.T @ (w[:, None] * X), X.T @ (w * y)
    eigenvalues, vectors = np.linalg.eigh(G)
    projected = vectors.T @ h
    cutoff = max(eigenvalues.max(), 0.0) * G.shape[0] * np.finfo(float).eps
    positive = eigenvalues > cutoff
    minimum_norm = vectors[:, positive] @ (projected[positive] / eigenvalues[positive])
    if np.linalg.norm(minimum_norm) <= radius:
        return minimum_norm

    def excess(lam):
        return np.linalg.norm(projected[positive] / (eigenvalues[positive] + lam)) - radius

    # λ ∈ (0, ‖h‖/r]: an absolute tolerance in units of that bracket keeps the root-find scale-free
    # (‖θ‖ then errs by ≤ 10⁻¹⁵·κ(G) relative); a floor of 1 left ‖θ‖ = r(1 + 2·10⁻¹⁰) for data of size 10⁻³
    upper = np.linalg.norm(h) / radius
    lam = brentq(excess, 0.0, upper, xtol=1e-15 * upper, rtol=4 * np.finfo(float).eps)
    # brentq's absolute tolerance leaves ‖θ‖ off by up to 10⁻¹⁵·upper/(σ_min + λ) relative, large when G is
    # ill conditioned (σ = 2.5·10⁻⁷ and 0.7 left ‖θ‖ = r(1 + 1.7·10⁻¹¹)); Newton on the secular equation
    # φ(λ) = 1/‖θ(λ)‖ − 1/r, nearly linear in λ (φ' = Σ cᵢ²/(sᵢ + λ)³ / ‖θ‖³ > 0), brings it to rounding
    s, c = eigenvalues[positive], projected[positive]
    for _ in range(3):
        theta_norm = np.linalg.norm(c / (s + lam))
        step = (1.0 / theta_norm - 1.0 / radius) / (np.sum(c**2 / (s + lam) ** 3) / theta_norm**3)
        if not (np.isfinite(step) and lam - step > 0):
            break
        lam -= step
    return vectors[:, positive] @ (c / (s + lam))


def kkt_residual(theta, X, y, w, radius: float) -> float:
    """Relative violation of the KKT conditions of the ball-constrained problem: ∇R + 2λθ = 0
    with λ ≥ 0, λ(‖θ‖ − r) = 0, ‖θ‖ ≤ r (λ fitted by least squares, clipped at 0)."""
    gradient = 2.0 * (X.T @ (w * (X @ theta - y)))
    norm = np.linalg.norm(theta)
    on_sphere = norm >= radius * (1 - 1e-9)
    lam = max(-(gradient @ theta) / (2.0 * norm**2), 0.0) if on_sphere and norm > 0 else 0.0
    stationarity = np.linalg.norm(gradient + 2.0 * lam * theta)
    scale = 2.0 * np.linalg.norm(X, 2) * (np.linalg.norm(X, 2) * max(norm, radius) + np.linalg.norm(y)) + 1e-300
    return float(max(stationarity / scale, max(norm - radius, 0.0) / radius))


# --- statement --------------------------------------------------------------------------------


def statement():
    B, D = sp.symbols("B MMD", nonnegative=True)
    gap = sp.Abs(sp.Symbol("R_T(θ)") - sp.Symbol("R_S(θ)"))
    excess = sp.Symbol("R_T(θ̂_S)") - sp.Symbol("min R_T")
    t = sp.Symbol("‖θ‖", nonnegative=True)
    return [sp.LessThan(gap, B * D), sp.LessThan(excess, 2 * B * D),
            sp.Eq(sp.Symbol("‖ℓ_θ‖²_H"), t**4 + 4 * t**2 + 1)]


# --- checks -----------------------------------------------------------------------------------
checks = Checks()


def symbolic_coefficients(theta: sp.Matrix) -> sp.Matrix:
    return sp.Matrix([*(theta * theta.T), *(-2 * theta), 1])


def symbolic_features(x: sp.Matrix, y: sp.Symbol) -> sp.Matrix:
    return sp.Matrix([*(x * x.T), *(x * y), y**2])


@checks.add("loss-in-rkhs", Kind.SYMBOLIC)
def loss_in_rkhs(ctx, dimensions=(1, 2, 3), coefficients=symbolic_coefficients) -> Outcome:
    """sympy: (θᵀx − y)² − ⟨c(θ), ψ(x, y)⟩ expands to 0 and ‖c(θ)‖² = ‖θ‖⁴ + 4‖θ‖² + 1, for d = 1, 2, 3."""
    for d in dimensions:
        theta, x = sp.Matrix(sp.symbols(f"t0:{d}", real=True)), sp.Matrix(sp.symbols(f"x0:{d}", real=True))
        y = sp.Symbol("y", real=True)
        c = coefficients(theta)
        loss_gap = sp.expand(((theta.T * x)[0, 0] - y) ** 2 - (c.T * symbolic_features(x, y))[0, 0])
        sq = (theta.T * theta)[0, 0]
        norm_gap = sp.expand((c.T * c)[0, 0] - (sq**2 + 4 * sq + 1))
        if loss_gap != 0 or norm_gap != 0:
            return Outcome.falsified({"d": d, "loss_remainder": str(loss_gap), "norm_remainder": str(norm_gap)},
                                     "the squared loss is not ⟨c(θ), ψ⟩ with the claimed norm")
    return Outcome.verified(dimensions=len(dimensions))


RADII = (1.0, 0.1, 3.0)


@st.composite
def regression_pair(draw, max_n: int = 10, max_m: int = 6, max_d: int = 3):
    """Weighted T = (X, y, a), S = (Xs, ys, b) and a radius r."""
    d = draw(st.integers(1, max_d))
    n, m = draw(st.integers(1, max_n)), draw(st.integers(1, max_m))
    X = draw(arrays(np.float64, (n, d), elements=COORDINATE))
    y = draw(arrays(np.float64, (n,), elements=COORDINATE))
    Xs = draw(arrays(np.float64, (m, d), elements=COORDINATE))
    ys = draw(arrays(np.float64, (m,), elements=COORDINATE))
    return X, y, draw(simplex_weights(n)), Xs, ys, draw(simplex_weights(m)), draw(st.sampled_from(RADII))


def regression_pair_domain(max_n: int = 10, max_m: int = 6, max_d: int = 3):
    """The domain of :func:`regression_pair`: d, n, m at their ends and middle, every entry regime
    (inputs and targets alike) and every radius r."""

    def build(params, rng):
        d, n, m, regime, r = params
        return (coordinates(rng, (n, d), regime), coordinates(rng, (n,), regime), simplex_from(rng, n),
                coordinates(rng, (m, d), regime), coordinates(rng, (m,), regime), simplex_from(rng, m), r)

    parameters = tuples(integers(1, max_d), integers(1, max_n, points=3), integers(1, max_m, points=3), entries(),
                        sampled(list(RADII)))
    return parametric(regression_pair(max_n, max_m, max_d), parameters, build,
                      description=f"(T, S, r): n ≤ {max_n}, m ≤ {max_m} weighted pairs (x, y) in d ≤ {max_d}, "
                                  "r ∈ {0.1, 1, 3}")


def transfer_tolerance(X, y, Xs, ys, radius: float, B: float) -> float:
    """Rounding allowance: risks are sums of n + m squared residuals of size ≤ s = (r‖x‖ + |y|)²
    (error ≤ (n + m + d)·u·2s); MMD² sums features of norm ≤ R_ψ (error ≤ (n + m + D)·u·4R_ψ²,
    so MMD moves by ≤ √ of that). Each with a factor 10."""
    Z, targets = np.vstack([X, Xs]), np.concatenate([y, ys])
    s = (radius * np.linalg.norm(Z, axis=1).max() + np.abs(targets).max()) ** 2
    features = quadratic_features(Z, targets)
    r_psi = np.linalg.norm(features, axis=1).max()
    eps = 10.0 * (Z.shape[0] + features.shape[1]) * unit_roundoff()
    return eps * 2.0 * s + B * np.sqrt(eps * 4.0 * r_psi**2)


def feature_mmd(X, y, a, Xs, ys, b) -> float:
    return mmd(quadratic_features(X, y), quadratic_features(Xs, ys), LinearKernel(), weights_T=a, weights_S=b)


@checks.add("uniform-bound", Kind.PROPERTY)
def uniform_bound(ctx, radius_bound=loss_ball_radius) -> Outcome:
    """For random weighted T, S (n ≤ 10, m ≤ 6, d ≤ 3) and 20 seeded θ in the ball ‖θ‖ ≤ r (on the
    sphere and inside), |R_T(θ) − R_S(θ)| ≤ B(r)·MMD + :func:`transfer_tolerance`."""
    rng = ctx.rng("thetas")

    def prop(example):
        X, y, a, Xs, ys, b, r = example
        B = radius_bound(r)
        distance = feature_mmd(X, y, a, Xs, ys, b)
        tol = transfer_tolerance(X, y, Xs, ys, r, B)
        directions = rng.standard_normal((20, X.shape[1]))
        radii = r * np.concatenate([np.ones(10), rng.uniform(0, 1, 10)])
        worst = 0.0
        for theta in directions / np.linalg.norm(directions, axis=1, keepdims=True) * radii[:, None]:
            gap = abs(risk(theta, X, y, a) - risk(theta, Xs, ys, b))
            if not gap <= B * distance + tol:
                raise Violation(f"|R_T − R_S| = {gap:.4g} > B·MMD = {B * distance:.4g}", gap=gap,
                                bound=B * distance, theta_norm=float(np.linalg.norm(theta)))
            worst = max(worst, gap / (B * distance + tol) if B * distance + tol > 0 else 0.0)
        return {"gap_over_bound": worst}

    return property_outcome(search(ctx, regression_pair_domain(), prop, fraction=0.5, label="uniform"))


@checks.add("minimiser-excess", Kind.PROPERTY)
def minimiser_excess(ctx, minimise=ball_least_squares) -> Outcome:
    """The ball-constrained minimisers θ̂_S, θ̂_T (checked by their KKT residual ≤ 10·(n + d)·u·10³,
    the conditioning allowance of an eigen-solve and a root-find) satisfy
    0 ≤ R_T(θ̂_S) − R_T(θ̂_T) ≤ 2B(r)·MMD + 2·:func:`transfer_tolerance`."""

    def prop(example):
        X, y, a, Xs, ys, b, r = example
        theta_s, theta_t = minimise(Xs, ys, b, r), minimise(X, y, a, r)
        kkt_tol = 1e3 * 10.0 * (X.shape[0] + X.shape[1]) * unit_roundoff()
        residual = max(kkt_residual(theta_s, Xs, ys, b, r), kkt_residual(theta_t, X, y, a, r))
        if not residual <= kkt_tol:
            raise Violation(f"a minimiser fails its KKT conditions (residual {residual:.3g})", kkt_residual=residual)
        B = loss_ball_radius(r)
        excess = risk(theta_s, X, y, a) - risk(theta_t, X, y, a)
        tol = 2.0 * transfer_tolerance(X, y, Xs, ys, r, B)
        bound = 2.0 * B * feature_mmd(X, y, a, Xs, ys, b)
        if not -tol <= excess <= bound + tol:
            raise Violation(f"excess risk {excess:.4g} outside [0, 2B·MMD = {bound:.4g}]", excess=excess, bound=bound)
        return {"excess_over_bound": excess / (bound + tol) if bound + tol > 0 else 0.0, "kkt_residual": residual}

    return property_outcome(search(ctx, regression_pair_domain(), prop, fraction=0.5, label="minimiser"))


def cubic_loss(theta, X, y) -> np.ndarray:
    """(θᵀx − y)³: odd in z, so not a function of ψ(z)."""
    return (X @ theta - y) ** 3


@checks.add("loss-outside-rkhs", Kind.COUNTEREXAMPLE)
def loss_outside_rkhs(ctx, loss=cubic_loss) -> Outcome:
    """Drop 'ℓ_θ ∈ H': for the cubic loss and S = −T (features ψ unchanged, MMD = 0) the risks differ,
    so no finite B can bound |R_T − R_S| by B·MMD."""

    def prop(example):
        X, y, a, _, _, _, r = example
        theta = np.full(X.shape[1], r / np.sqrt(X.shape[1]))
        gap = abs(a @ loss(theta, X, y) - a @ loss(theta, -X, -y))
        B = loss_ball_radius(r)
        distance = feature_mmd(X, y, a, -X, -y, a)
        # cubic residuals are one factor (r‖x‖ + |y|) larger than the squared ones the tolerance assumes
        tol = transfer_tolerance(X, y, -X, -y, r, B) * (1 + r * np.abs(X).max() + np.abs(y).max())
        if gap > B * distance + tol:
            raise Violation(f"|R_T − R_S| = {gap:.4g} with MMD = {distance:.3g}", gap=gap, mmd=distance)
        return None

    return counterexample_outcome(search(ctx, regression_pair_domain(), prop, fraction=0.25, label="cubic"),
                                  "every loss lies in the RKHS ball")


THEOREM = register(
    Theorem(
        id="selvan-chen/risk-transfer",
        title="Losses in an RKHS ball: risk gap ≤ B·MMD uniformly, excess risk of the S-minimiser ≤ 2B·MMD",
        source="Selvan & Chen, A Discrepancy-Based Perspective on Dataset Condensation (arXiv:2509.10367)",
        claim=("If every ℓ_θ lies in an RKHS ball of radius B then sup_θ |R_T(θ) − R_S(θ)| ≤ B·MMD(T, S) and the "
               "minimiser on S has excess full-data risk ≤ 2B·MMD; checked for the squared loss of a linear "
               "model, which lies in the RKHS of ψ(z) = (xxᵀ, xy, y²) with B(r) = √(r⁴ + 4r² + 1)."),
        statement=statement,
        assumptions=(
            Assumption("every loss lies in the RKHS ball", "‖ℓ_θ‖_H ≤ B for every θ ∈ Θ"),
            Assumption("minimisers over the same Θ", "θ̂_S and min R_T range over the same parameter set"),
        ),
        checks=checks.freeze(),
        construction=ball_least_squares,
        conventions="risks are weighted means Σ wᵢ ℓ(zᵢ); Θ = {‖θ‖₂ ≤ r}; MMD is the biased V-statistic",
    )
)
