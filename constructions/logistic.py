"""Ridge-regularised logistic regression, its regularisation path, and attempts to compress it
(Izzo & Zou, Theorem 4 and the conjecture after it).

Conventions
-----------
* Rows of ``X`` (n × d) are examples, no intercept is added (append a column of ones yourself).
* Labels: the original data have y ∈ {0, 1} (validated by :func:`require_original_labels`); a
  distilled set may carry soft labels ỹ ∈ [0, 1] and positive weights w̃ (default 1).
* Objective (the paper's normalised cross-entropy plus ridge):

      L(θ) = (1/W) Σᵢ wᵢ [log(1 + e^{θᵀxᵢ}) − yᵢ θᵀxᵢ] + λ‖θ‖²,   W = Σᵢ wᵢ,

  i.e. (1/n)Σ cross-entropy + λ‖θ‖² for unit weights; λ is absolute.
* The gradient is (1/W) Σᵢ wᵢ (σ(θᵀxᵢ) − yᵢ) xᵢ + 2λθ, σ(t) = 1/(1 + e^{−t}).

Because log(1 + e^{−t}) + t = log(1 + e^{t}), the point (−x, 1 − y) has exactly the loss of
(x, y): inputs matter only up to sign. :func:`merge_equivalent_points` uses this.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize
from scipy.special import expit, lambertw

from constructions.validation import as_matrix, as_vector, require_binary, require_nonnegative, require_positive_int


def require_original_labels(y) -> np.ndarray:
    """Original data: labels must be exactly 0 or 1."""
    return require_binary(as_vector(y, "y"), "y")


def _require_soft(y: np.ndarray) -> np.ndarray:
    if np.any((y < 0) | (y > 1)):
        raise ValueError(f"labels must lie in [0, 1] (soft labels), found {float(y.min())} … {float(y.max())}")
    return y


def _weights(weights, n: int) -> np.ndarray:
    if weights is None:
        return np.ones(n)
    weights = as_vector(weights, "weights", length=n)
    if np.any(weights <= 0):
        raise ValueError(f"weights must be > 0, found {float(weights.min())}")
    return weights


@dataclass(frozen=True)
class LogisticData:
    """A (possibly weighted, soft-labelled) logistic-regression training set."""

    X: np.ndarray
    y: np.ndarray
    weights: np.ndarray

    @classmethod
    def build(cls, X, y, weights=None, *, binary: bool = True) -> "LogisticData":
        """Validate shapes, finiteness, labels ({0, 1} when ``binary``, else [0, 1]) and weights (> 0)."""
        X = as_matrix(X, "X")
        y = as_vector(y, "y", length=X.shape[0])
        y = require_binary(y, "y") if binary else _require_soft(y)
        return cls(X, y, _weights(weights, X.shape[0]))

    def __len__(self) -> int:
        return self.X.shape[0]


def data_gradient(data: LogisticData, theta: np.ndarray) -> np.ndarray:
    """(1/W) Σ wᵢ (σ(θᵀxᵢ) − yᵢ) xᵢ: the gradient of the averaged cross-entropy (no ridge)."""
    residual = expit(data.X @ theta) - data.y
    return (data.weights * residual) @ data.X / data.weights.sum()


def objective(data: LogisticData, theta: np.ndarray, lam: float) -> float:
    margins = data.X @ theta
    losses = np.logaddexp(0.0, margins) - data.y * margins
    return float(data.weights @ losses / data.weights.sum() + lam * theta @ theta)


def fit_logistic_ridge_full_lambda(data: LogisticData, lam: float, *, start=None, tol: float = 1e-13,
                       max_iter: int = 100) -> np.ndarray:
    """argmin L(θ) = (1/W)Σ wᵢ cross-entropy(yᵢ ∈ [0, 1]) + λ‖θ‖² (penalty λ, not halved) by Newton's
    method with backtracking.

    Stops when ‖∇L(θ)‖ ≤ tol·(1 + ‖(1/W)Σwᵢyᵢxᵢ‖) + 10·n·eps·max‖xᵢ‖ (relative to the size of
    the data term, plus the rounding floor of an n-term gradient sum); for
    λ > 0, L is 2λ-strongly convex, so the returned θ is within that gradient norm / 2λ of the
    minimiser; it also requires the Newton step to be below 10⁻⁸(1 + ‖θ‖). At λ = 0 on separable
    data the gradient vanishes only as ‖θ‖ → ∞, where the Hessian underflows too: a stopping point
    whose Hessian is singular to rounding (λ_min ≤ 10·d·eps·‖(1/W)Σwxxᵀ‖) raises ValueError, as
    does failing to converge in ``max_iter`` iterations.
    """
    lam = require_nonnegative(lam, "lam")
    require_positive_int(max_iter, "max_iter")
    d = data.X.shape[1]
    theta = np.zeros(d) if start is None else np.array(start, dtype=float)
    target = tol * (1 + np.linalg.norm((data.weights * data.y) @ data.X / data.weights.sum())) \
        + 10 * len(data) * np.finfo(float).eps * np.max(np.linalg.norm(data.X, axis=1))
    second_moment = np.linalg.norm((data.X * data.weights[:, None]).T @ data.X / data.weights.sum(), 2)
    for _ in range(max_iter):
        gradient = data_gradient(data, theta) + 2 * lam * theta
        p = expit(data.X @ theta)
        curvature = (data.weights * p * (1 - p)) / data.weights.sum()
        hessian = (data.X * curvature[:, None]).T @ data.X + 2 * lam * np.eye(d)
        step = np.linalg.solve(hessian, gradient) if lam > 0 else np.linalg.lstsq(hessian, gradient, rcond=None)[0]
        if np.linalg.norm(gradient) <= target and np.linalg.norm(step) <= 1e-8 * (1 + np.linalg.norm(theta)):
            if lam == 0 and np.linalg.eigvalsh(hessian)[0] <= 10 * d * np.finfo(float).eps * second_moment:
                raise ValueError("no finite minimiser at λ = 0: the Hessian vanishes where the gradient does "
                                 "(data separable through 0, or X rank-deficient)")
            return theta
        current, scale = objective(data, theta, lam), 1.0
        slack = 10 * np.finfo(float).eps * (1 + abs(current))  # objective differences below this are rounding
        while objective(data, theta - scale * step, lam) > current - 1e-4 * scale * gradient @ step + slack \
                and scale > 1e-12:
            scale /= 2
        theta = theta - scale * step
    raise ValueError(f"Newton did not converge in {max_iter} iterations at λ = {lam} (separable data at λ = 0?)")


def regularisation_path(data: LogisticData, lambdas, **kwargs) -> np.ndarray:
    """θ(λ) for every λ (rows, in the given order), warm-started from the largest λ down."""
    lambdas = np.atleast_1d(np.asarray(lambdas, dtype=float))
    for lam in lambdas:
        require_nonnegative(lam, "λ")
    path = np.zeros((len(lambdas), data.X.shape[1]))
    theta = None
    for index in np.argsort(-lambdas):
        theta = fit_logistic_ridge_full_lambda(data, lambdas[index], start=theta, **kwargs)
        path[index] = theta
    return path


def path_residual(candidate: LogisticData, path: np.ndarray, lambdas) -> np.ndarray:
    """Stacked ∇L_candidate(θ(λ)) over the grid: zero iff θ(λ) minimises the candidate's
    objective at the same λ (strict convexity), i.e. the paths coincide on the grid."""
    lambdas = np.asarray(lambdas, dtype=float)
    residual = expit(path @ candidate.X.T) - candidate.y  # (grid × points)
    gradients = (residual * candidate.weights) @ candidate.X / candidate.weights.sum()
    return (gradients + 2 * lambdas[:, None] * path).ravel()


def path_scale(path: np.ndarray, lambdas) -> float:
    """sqrt Σ_λ ‖2λθ(λ)‖²: the size of the data gradient along the path (it balances the ridge)."""
    return float(np.sqrt(sum(np.sum((2 * lam * theta) ** 2) for theta, lam in zip(path, lambdas))))


@dataclass(frozen=True)
class CompressionAttempt:
    """The best m-point set an optimiser found, and its relative residual ρ (0 = exact)."""

    data: LogisticData
    relative_residual: float
    starts: int


def best_path_attempt(path: np.ndarray, lambdas, starts, residual_fn=path_residual, *, max_nfev: int = 100,
                      scale: float | None = None, weighted: bool = False) -> CompressionAttempt:
    """Fit m soft-labelled points so that ``residual_fn`` (default :func:`path_residual`)
    vanishes: scipy's trust-region least squares with ỹ ∈ [0, 1], one run per start. With
    ``weighted`` the points also carry free positive weights w̃ = e^{v}, v ∈ [−10, 10] (start 0),
    and their inputs stay within 100 × the largest start entry (at least 100), where the
    residual's finite-difference Jacobian cannot overflow; otherwise all weights are 1 and the
    inputs are free.

    ``starts`` is a list of (X̃, ỹ) initial sets of equal size m. Each run stops at
    ``max_nfev`` evaluations, when the cost changes by less than ftol = 10⁻¹⁰ relatively, or when
    the step or scaled gradient falls below 10⁻¹² (near a zero-residual set Gauss–Newton converges
    quadratically, so an exact set is reached far below ftol); ρ = ‖residual‖ / ``scale``
    (default :func:`path_scale`, the size of the data gradient along the path).
    """
    starts = list(starts)
    if not starts:
        raise ValueError("best_path_attempt needs at least one start")
    m, d = np.shape(starts[0][0])
    scale = path_scale(path, lambdas) if scale is None else float(scale)
    if not scale > 0:
        raise ValueError(f"the residual scale is {scale}: a path that stays at 0 has no relative residual")
    extra = m if weighted else 0
    reach = 100 * max(1.0, max(float(np.max(np.abs(X0))) for X0, _ in starts)) if weighted else np.inf
    lower = np.concatenate([np.full(m * d, -reach), np.zeros(m), np.full(extra, -10.0)])
    upper = np.concatenate([np.full(m * d, reach), np.ones(m), np.full(extra, 10.0)])

    def unpack(z):
        weights = np.exp(z[m * d + m:]) if weighted else np.ones(m)
        return LogisticData(z[: m * d].reshape(m, d), z[m * d: m * d + m], weights)

    best, best_value = None, np.inf
    for X0, y0 in starts:
        z0 = np.concatenate([np.asarray(X0, float).ravel(), np.clip(np.asarray(y0, float), 0, 1), np.zeros(extra)])
        result = optimize.least_squares(lambda z: residual_fn(unpack(z), path, lambdas) / scale, z0,
                                        bounds=(lower, upper), ftol=1e-10, xtol=1e-12, gtol=1e-12,
                                        max_nfev=max_nfev)
        value = float(np.linalg.norm(result.fun))
        if value < best_value:
            best, best_value = unpack(result.x), value
    return CompressionAttempt(best, best_value, len(starts))


def attempt_starts(data: LogisticData, m: int, rng: np.random.Generator, count: int = 3,
                   jitter: float = 0.05) -> list:
    """Initial m-point sets: the data without its last n − m points, then random subsets, each
    with soft labels at the subset's labels and inputs moved by ``jitter`` × their spread."""
    m = require_positive_int(m, "m")
    n = len(data)
    spread = max(float(np.ptp(data.X)), 1.0)
    subsets = [np.arange(m) % n] + [rng.choice(n, size=m, replace=m > n) for _ in range(count - 1)]
    return [(data.X[s] + jitter * spread * rng.standard_normal((m, data.X.shape[1])), data.y[s]) for s in subsets]


def canonical_sign(X: np.ndarray) -> np.ndarray:
    """+1 or −1 per row: the sign that makes the row's first nonzero entry positive (+1 for 0)."""
    signs = np.ones(X.shape[0])
    for i, row in enumerate(X):
        nonzero = np.flatnonzero(row)
        if nonzero.size:
            signs[i] = np.sign(row[nonzero[0]])
    return signs


def merge_equivalent_points(data: LogisticData) -> LogisticData:
    """Replace each (x, y) by its canonical twin ((x, y) or (−x, 1 − y), same loss), then merge
    equal inputs: weights add, labels are weight-averaged. The objective is unchanged for every
    λ and after appending any data (the total weight W is kept), so this is an exact
    hyperparameter and combination distillation with one point per class {x, −x}.
    """
    signs = canonical_sign(data.X)
    X = data.X * signs[:, None]
    y = np.where(signs > 0, data.y, 1 - data.y)
    unique, inverse = np.unique(X, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    weights = np.bincount(inverse, weights=data.weights, minlength=unique.shape[0])
    labels = np.bincount(inverse, weights=data.weights * y, minlength=unique.shape[0]) / weights
    return LogisticData(unique, labels, weights)


def fold_mirror_symmetric(data: LogisticData, normal) -> LogisticData:
    """For data invariant under the reflection x ↦ x − 2(vᵀx)v (labels included), project every
    input onto the mirror hyperplane vᵀx = 0 and merge the images. By symmetry and strict
    convexity the ridge solution lies in the hyperplane for every λ > 0, where the projected data
    have the same objective; with every point paired, all weights are equal, so the result is an
    unweighted set half the size. Raises ValueError if the data are not mirror symmetric.
    """
    normal = as_vector(normal, "normal", length=data.X.shape[1])
    if np.linalg.norm(normal) == 0:
        raise ValueError("normal must be a nonzero vector")
    normal = normal / np.linalg.norm(normal)
    mirrored = data.X - 2 * np.outer(data.X @ normal, normal)
    for x, y, w in zip(mirrored, data.y, data.weights):
        match = np.flatnonzero(np.all(np.isclose(data.X, x, rtol=0, atol=1e-12), axis=1))
        if not np.any((data.y[match] == y) & (data.weights[match] == w)):
            raise ValueError("the data are not symmetric under the reflection (inputs, labels and weights)")
    projected = data.X - np.outer(data.X @ normal, normal)
    return merge_equivalent_points(LogisticData(projected, data.y, data.weights))


def balanced_pair(data: LogisticData) -> LogisticData:
    """{(x₁, 0), (x₁, 1)}: two unweighted points whose data gradient at θ = 0, (½ − 0)x₁ + (½ − 1)x₁,
    vanishes, so their ridge path is θ(λ) ≡ 0. When the data's own gradient at 0,
    (1/W)Σwᵢ(½ − yᵢ)xᵢ, vanishes too, 0 minimises both objectives for every λ > 0 (strict
    convexity) and the pair is an exact hyperparameter distillation of any number of points.
    Raises ValueError when that gradient exceeds its rounding level 10·n·eps·max‖xᵢ‖.
    """
    at_zero = np.linalg.norm(data_gradient(data, np.zeros(data.X.shape[1])))
    level = 10 * len(data) * np.finfo(float).eps * np.max(np.linalg.norm(data.X, axis=1))
    if at_zero > level:
        raise ValueError(f"the ridge path is not identically 0: ‖(1/W)Σw(½ − y)x‖ = {at_zero:.3g} > {level:.3g}")
    return LogisticData(np.repeat(data.X[:1], 2, axis=0), np.array([0.0, 1.0]), np.ones(2))


LAMBERT_W_INV_E = float(lambertw(1 / np.e).real)  # W(1/e) = 0.27846…, the root of w·eʷ = 1/e


def minimiser_radius(lam: float) -> float:
    """√(W(1/e)/(2λ)): every ridge-logistic minimiser at strength λ > 0 (any weights, labels in
    [0, 1]) has ‖θ‖ ≤ this radius. Stationarity dotted with θ gives
    2λ‖θ‖² = −(1/W)Σwᵢ(σ(tᵢ) − yᵢ)tᵢ with tᵢ = θᵀxᵢ, and (σ(t) − y)t ≥ min_t −tσ(−t) = −W(1/e)
    (attained at t = 1 + W(1/e)) for every y ∈ [0, 1]."""
    lam = require_nonnegative(lam, "lam")
    if lam == 0:
        raise ValueError("minimiser_radius needs λ > 0 (at λ = 0 minimisers are unbounded)")
    return float(np.sqrt(LAMBERT_W_INV_E / (2 * lam)))


def data_making_minimiser(data: LogisticData, theta, lam: float) -> LogisticData:
    """Unweighted label-0 points D such that θ minimises the objective of data ∪ D at λ (all
    weights of D equal to 1; the union keeps the data's weights), for any θ with
    2λ‖θ‖² < W(1/e) — the open ball inside :func:`minimiser_radius`.

    Stationarity of the union (total weight W + m) asks Σ_D σ(θᵀz)z = v with
    v = −2λ(W + m)θ − Σwᵢ(σ(θᵀxᵢ) − yᵢ)xᵢ. A single label-0 point z = s·a (s > 0) gives
    σ(θᵀz)z = a exactly when sσ(s·θᵀa) = 1, which has a root when θᵀa ≥ 0 or −θᵀa < W(1/e)
    (for c = θᵀa < 0 the maximum of sσ(sc) is W(1/e)/(−c)). So m copies of one point with
    a = v/m work once −θᵀv/m < W(1/e); since −θᵀv/m = 2λ‖θ‖² + (2λW‖θ‖² + θᵀΣwᵢ(σ − yᵢ)xᵢ)/m,
    the m used here (the first with −θᵀv/m ≤ W(1/e) − δ/2, δ = W(1/e) − 2λ‖θ‖²) is finite
    inside the ball. Raises ValueError outside it.
    """
    theta = as_vector(theta, "theta", length=data.X.shape[1])
    lam = require_nonnegative(lam, "lam")
    if not 2 * lam * theta @ theta < LAMBERT_W_INV_E:
        raise ValueError(f"2λ‖θ‖² = {2 * lam * theta @ theta:.6g} is not below W(1/e) = {LAMBERT_W_INV_E:.6g}: "
                         "no data make θ a minimiser")
    total = data.weights.sum()
    data_sum = data_gradient(data, theta) * total
    slack = LAMBERT_W_INV_E - 2 * lam * theta @ theta
    # −θᵀv/m = 2λ‖θ‖² + (2λW‖θ‖² + θᵀΣ)/m: below W(1/e) − slack/2 once m exceeds this count
    count = max(1, int(np.ceil(max(0.0, 2 * lam * total * theta @ theta + theta @ data_sum) / (slack / 2))))
    a = (-2 * lam * (total + count) * theta - data_sum) / count
    c = float(theta @ a)
    if np.linalg.norm(a) == 0:
        z = np.zeros_like(theta)
    else:
        # a bracket [0, upper] with h(upper) ≥ 1 for h(s) = sσ(sc): h(2) ≥ 1 when c ≥ 0, h(4) ≥ 4σ(−1) > 1
        # when −¼ ≤ c < 0, and for c < −¼ the maximiser (1 + W(1/e))/(−c) of h (where h = W(1/e)/(−c) > 1)
        upper = 2.0 if c >= 0 else 4.0 if c >= -0.25 else (1 + LAMBERT_W_INV_E) / -c
        s = optimize.brentq(lambda s: s * expit(s * c) - 1, 0.0, upper, xtol=1e-15, rtol=4 * np.finfo(float).eps)
        z = s * a
    return LogisticData(np.tile(z, (count, 1)), np.zeros(count), np.ones(count))


def sigmoid_feature_matrix(X, thetas, feature=expit) -> np.ndarray:
    """A = [1 | feature(θⱼᵀxᵢ)] (N × (n + 1)): full column rank certifies that the functions
    θ ↦ 1, σ(θᵀx₁), …, σ(θᵀxₙ) are linearly independent."""
    X = as_matrix(X, "X")
    thetas = as_matrix(thetas, "thetas")
    if thetas.shape[1] != X.shape[1]:
        raise ValueError(f"thetas have {thetas.shape[1]} columns but X has {X.shape[1]}")
    return np.column_stack([np.ones(thetas.shape[0]), feature(thetas @ X.T)])
