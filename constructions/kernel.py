"""Gaussian kernel (ridge) regression, and why it cannot be distilled (Izzo & Zou, Theorem 2).

Conventions
-----------
* Kernel: k(x, z) = exp(−γ‖x − z‖²) with γ > 0; γ = 1 is the paper's kernel.
* Rows of ``X`` (n × d) are examples. Kernel ridge regression minimises the *unnormalised*
  objective Σᵢ (yᵢ − f(xᵢ))² + λ‖f‖²_H over the RKHS H, with λ ≥ 0 absolute. By the representer
  theorem f = Σᵢ αᵢ k(·, xᵢ) with α = (K + λI)⁻¹y for λ > 0; for λ = 0 (interpolation, or least
  squares when inputs repeat) α = K⁺y, the minimum-norm choice of coefficients of the
  minimum-RKHS-norm solution.

The certificate
---------------
For candidate centres x̃₁ … x̃ₘ let B = [k(xᵢ, x̃ⱼ)] (n × m), C = [k(x̃ⱼ, x̃ₗ)] (m × m). Any model
trained on a dataset with these inputs is g = Σⱼ βⱼ k(·, x̃ⱼ), and

    min_β ‖f − g‖²_H = min_β [α; −β]ᵀ [[K, B], [Bᵀ, C]] [α; −β] = αᵀ S α,   S = K − B C⁻¹ Bᵀ,

the Schur complement of C in the joint Gram matrix. S ⪰ λ_min(S) I, so the squared residual is at
least λ_min(S)‖α‖², and λ_min(S) ≥ λ_min(joint Gram) > 0 when all n + m inputs are distinct.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from constructions.validation import as_matrix, as_vector, require_nonnegative, require_positive_int


def _require_positive(value: float, name: str) -> float:
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value}")
    return value


def gaussian_gram(A, B=None, gamma: float = 1.0) -> np.ndarray:
    """[exp(−γ‖aᵢ − bⱼ‖²)]ᵢⱼ for the rows of A and B (B = A when omitted)."""
    A = as_matrix(A, "A")
    B = A if B is None else as_matrix(B, "B")
    gamma = _require_positive(gamma, "gamma")
    if A.shape[1] != B.shape[1]:
        raise ValueError(f"A has {A.shape[1]} columns but B has {B.shape[1]}; the inputs must have the same dimension")
    squared = np.sum(A**2, 1)[:, None] + np.sum(B**2, 1)[None, :] - 2 * A @ B.T
    return np.exp(-gamma * np.maximum(squared, 0.0))


@dataclass(frozen=True)
class KernelModel:
    """f = Σᵢ coefficients[i] · exp(−γ‖· − centres[i]‖²)."""

    centres: np.ndarray
    coefficients: np.ndarray
    gamma: float

    def predict(self, Z) -> np.ndarray:
        Z = as_matrix(Z, "Z")
        if Z.shape[1] != self.centres.shape[1]:
            raise ValueError(f"Z has {Z.shape[1]} columns but the model's inputs have {self.centres.shape[1]}")
        return gaussian_gram(Z, self.centres, self.gamma) @ self.coefficients


def kernel_ridge_fit(X, y, lam: float = 0.0, gamma: float = 1.0, kernel=gaussian_gram) -> KernelModel:
    """Kernel ridge regression in its dual form: α = (K + λI)⁻¹y (λ > 0) or K⁺y (λ = 0).

    ``kernel(A, B, gamma)`` gives the Gram matrix (Gaussian by default).
    """
    X = as_matrix(X, "X")
    y = as_vector(y, "y", length=X.shape[0])
    lam = require_nonnegative(lam, "lam")
    gram = kernel(X, X, gamma)
    if lam > 0:
        alpha = np.linalg.solve(gram + lam * np.eye(len(y)), y)
    else:
        alpha = np.linalg.pinv(gram, hermitian=True) @ y
    return KernelModel(X, alpha, float(gamma))


def labels_reproducing(centres, coefficients, lam: float = 0.0, gamma: float = 1.0, kernel=gaussian_gram) -> np.ndarray:
    """Labels ỹ = (K̃ + λI)a: kernel ridge with strength λ on (centres, ỹ) returns coefficients a."""
    centres = as_matrix(centres, "centres")
    coefficients = as_vector(coefficients, "coefficients", length=centres.shape[0])
    lam = require_nonnegative(lam, "lam")
    return (kernel(centres, centres, gamma) + lam * np.eye(len(coefficients))) @ coefficients


def unit_roundoff() -> float:
    return float(np.finfo(float).eps) / 2


@dataclass(frozen=True)
class ProjectionCertificate:
    """How far f = Σαᵢk(·, xᵢ) is from span{k(·, x̃ⱼ)} in the RKHS norm, with rounding bounds.

    ``uncovered`` are the data points that are not themselves centres (U); ``residual_sq`` =
    α_Uᵀ S_U α_U (= αᵀSα); ``lower_bound`` = λ_min(S_U)‖α_U‖²; ``schur_tolerance`` bounds the
    rounding error of the computed λ_min(S_U) (see :func:`projection_certificate`);
    ``joint_lambda_min`` is λ_min of the Gram matrix of U ∪ centres, a second lower bound on
    λ_min(S_U).
    """

    residual_sq: float
    lambda_min_schur: float
    alpha_norm_sq: float
    lower_bound: float
    schur_tolerance: float
    residual_tolerance: float
    joint_lambda_min: float
    joint_tolerance: float
    uncovered: int
    digits: int = 16

    @property
    def certified(self) -> bool:
        """λ_min(S_U) exceeds its rounding bound and α_U ≠ 0: no combination of the centres is f."""
        return self.uncovered > 0 and self.lambda_min_schur > self.schur_tolerance and self.alpha_norm_sq > 0


def projection_certificate(X, alpha, candidates, gamma: float = 1.0, kernel=gaussian_gram,
                           digits: int = 50) -> ProjectionCertificate:
    """The Schur-complement certificate for candidate centres (module docstring).

    A data point that is itself a centre (exactly) has k(·, xᵢ) in the span, so its term is
    absorbed: the residual is that of f_U = Σ_{i∈U} αᵢk(·, xᵢ) over the uncovered points U, i.e.
    α_Uᵀ S_U α_U with S_U = K_UU − B_U C⁻¹ B_Uᵀ, and it is ≥ λ_min(S_U)‖α_U‖². When no centre is
    a data point, U is everything and this is the plain bound λ_min(S)‖α‖².

    C⁻¹ is applied through the eigendecomposition of C, keeping eigenvalues above 10·m·u·λ_max(C)
    (centres whose sections are dependent to rounding level span nothing more); κ(C) below is
    λ_max over the smallest kept eigenvalue.

    Rounding (u the unit round-off, N = n + m): forming the Gram matrices costs O(u) per entry;
    the eigendecomposition is backward stable, so B C⁻¹ Bᵀ (⪯ K) carries a relative error
    ≲ 10·m·κ(C)·u, and the computed S_U is within ``schur_tolerance`` = 10·N·u·‖K‖₂·κ(C) of the
    exact one (Weyl's inequality moves λ_min by no more). The residual is a difference of two
    terms of size ≤ α_UᵀK_UUα_U, so its error is ≤ ``residual_tolerance`` = schur_tolerance·‖α_U‖².

    When that double-precision bound is inconclusive (nearly coincident centres make κ(C) large),
    the same computation is repeated in mpmath with ``digits`` decimal digits (u = 10^(1−digits)/2)
    on the same float inputs, for the Gaussian kernel.
    """
    X = as_matrix(X, "X")
    alpha = as_vector(alpha, "alpha", length=X.shape[0])
    candidates = as_matrix(candidates, "candidates")
    if candidates.shape[1] != X.shape[1]:
        raise ValueError(f"candidates have {candidates.shape[1]} columns but X has {X.shape[1]}")
    covered = np.array([np.any(np.all(candidates == x, axis=1)) for x in X])
    Xu, alpha_u = X[~covered], alpha[~covered]
    size = X.shape[0] + candidates.shape[0]
    whitened, condition_C = _whitened_sections(kernel(candidates, candidates, gamma), candidates.shape[0])
    schur_tolerance = 10 * size * unit_roundoff() * np.linalg.norm(kernel(X, X, gamma), 2) * condition_C
    if Xu.shape[0] == 0:
        return ProjectionCertificate(0.0, 0.0, 0.0, 0.0, schur_tolerance, 0.0, 0.0, 0.0, 0)
    K = kernel(Xu, Xu, gamma)
    B = kernel(Xu, candidates, gamma)
    projected = B @ whitened
    schur = K - projected @ projected.T
    schur = (schur + schur.T) / 2
    joint = np.block([[K, B], [B.T, kernel(candidates, candidates, gamma)]])
    alpha_norm_sq = float(alpha_u @ alpha_u)
    lambda_min_schur = float(np.linalg.eigvalsh(schur)[0])
    certificate = ProjectionCertificate(
        residual_sq=float(alpha_u @ schur @ alpha_u),
        lambda_min_schur=lambda_min_schur,
        alpha_norm_sq=alpha_norm_sq,
        lower_bound=lambda_min_schur * alpha_norm_sq,
        schur_tolerance=schur_tolerance,
        residual_tolerance=schur_tolerance * alpha_norm_sq,
        joint_lambda_min=float(np.linalg.eigvalsh(joint)[0]),
        joint_tolerance=10 * size * unit_roundoff() * np.linalg.norm(joint, 2),
        uncovered=int(Xu.shape[0]),
    )
    if certificate.certified or kernel is not gaussian_gram:
        return certificate
    return _certificate_mp(X, Xu, alpha_u, candidates, gamma, digits)


def _certificate_mp(X, Xu, alpha_u, candidates, gamma: float, digits: int) -> ProjectionCertificate:
    """:func:`projection_certificate` in mpmath at ``digits`` digits (Gaussian kernel only)."""
    import mpmath

    with mpmath.workdps(digits):
        def gram(A, B):
            return mpmath.matrix([[mpmath.exp(-mpmath.mpf(gamma) * sum((mpmath.mpf(float(a)) - mpmath.mpf(float(b))) ** 2
                                                                          for a, b in zip(row_a, row_b)))
                                   for row_b in B] for row_a in A])

        K, B, C = gram(Xu, Xu), gram(Xu, candidates), gram(candidates, candidates)
        eigen_C = sorted(mpmath.eigsy(C)[0])
        if eigen_C[0] <= 0:
            raise ValueError("candidate centres coincide: their Gram matrix is singular even at high precision")
        schur = K - B * mpmath.inverse(C) * B.T
        schur = (schur + schur.T) / 2
        a = mpmath.matrix([mpmath.mpf(float(v)) for v in alpha_u])
        unit = mpmath.mpf(10) ** (1 - digits) / 2
        norm_K = max(mpmath.eigsy(gram(X, X))[0])
        tolerance = 10 * (X.shape[0] + candidates.shape[0]) * unit * norm_K * eigen_C[-1] / eigen_C[0]
        lambda_min = min(mpmath.eigsy(schur)[0])
        alpha_norm_sq = (a.T * a)[0, 0]
        return ProjectionCertificate(
            residual_sq=float((a.T * schur * a)[0, 0]),
            lambda_min_schur=float(lambda_min),
            alpha_norm_sq=float(alpha_norm_sq),
            lower_bound=float(lambda_min * alpha_norm_sq),
            schur_tolerance=float(tolerance),
            residual_tolerance=float(tolerance * alpha_norm_sq),
            joint_lambda_min=float("nan"),
            joint_tolerance=float("nan"),
            uncovered=int(Xu.shape[0]),
            digits=digits,
        )


def _whitened_sections(C: np.ndarray, m: int) -> tuple[np.ndarray, float]:
    """Q_k Λ_k^{-1/2} over the eigenvalues of C above 10·m·u·λ_max, and λ_max / (smallest kept).

    B C⁺ Bᵀ = (B Q_k Λ_k^{-1/2})(…)ᵀ: projection onto the span of the centres' sections, with
    directions below rounding level dropped (a smaller span can only enlarge the residual).
    """
    eigenvalues, eigenvectors = np.linalg.eigh(C)
    keep = eigenvalues > 10 * m * unit_roundoff() * eigenvalues[-1]
    return eigenvectors[:, keep] / np.sqrt(eigenvalues[keep]), float(eigenvalues[-1] / eigenvalues[keep][0])


def snap_to_data(candidates: np.ndarray, X: np.ndarray, radius: float) -> np.ndarray:
    """Move every centre within ``radius`` of a data point onto that point, then drop repeated
    centres (a repeated centre adds nothing to the span)."""
    snapped = candidates.copy()
    for j, centre in enumerate(candidates):
        distances = np.linalg.norm(X - centre, axis=1)
        nearest = int(np.argmin(distances))
        if distances[nearest] <= radius:
            snapped[j] = X[nearest]
    return np.unique(snapped, axis=0)


def projection_residual(X, alpha, candidates, gamma: float = 1.0) -> tuple[float, np.ndarray]:
    """R(x̃) = αᵀKα − bᵀC⁺b (b = f(x̃)) and its gradient in the centres (Gaussian kernel).

    With β = C⁺b and r = f − Σβⱼk(·, x̃ⱼ) the residual function, ∂R/∂x̃ⱼ = −2βⱼ∇r(x̃ⱼ), where
    ∇ₓk(x, z) = −2γ(x − z)k(x, z).
    """
    K = gaussian_gram(X, X, gamma)
    B = gaussian_gram(X, candidates, gamma)
    C = gaussian_gram(candidates, candidates, gamma)
    b = B.T @ alpha
    beta = np.linalg.lstsq(C, b, rcond=None)[0]
    value = float(alpha @ K @ alpha - b @ beta)

    to_data = candidates[:, None, :] - X[None, :, :]
    to_centres = candidates[:, None, :] - candidates[None, :, :]
    grad_r = -2 * gamma * (np.einsum("jid,ji,i->jd", to_data, B.T, alpha)
                           - np.einsum("jld,jl,l->jd", to_centres, C, beta))
    gradient = -2 * beta[:, None] * grad_r
    return value, gradient


def best_centres(X, alpha, m: int, gamma: float, rng: np.random.Generator, *, restarts: int = 2,
                 max_iter: int = 100) -> np.ndarray:
    """The m centres (m ≥ 1) that a BFGS search finds closest to f = Σαᵢk(·, xᵢ) in the RKHS.

    Starts: the m data points with the largest abs(αᵢ) (where the gradient, −2βⱼ∇r(x̃ⱼ), is in
    general nonzero, so the search moves on when moving pays), then ``restarts`` − 1 random
    subsets of the data moved by 1 % of the data's spread. Each run stops after ``max_iter``
    iterations or when the largest gradient entry falls below 10⁻⁸·αᵀKα (the objective's own
    scale). The best end point is polished by
    :func:`snap_to_data` with radius 10⁻³ × the smallest distance between data points: the search
    drives a centre towards a data point it covers but stops short of it, and the snapped set is
    the one the certificate then judges (it may have fewer than m distinct centres).
    """
    X = as_matrix(X, "X")
    alpha = as_vector(alpha, "alpha", length=X.shape[0])
    m = require_positive_int(m, "m")
    restarts, max_iter = require_positive_int(restarts, "restarts"), require_positive_int(max_iter, "max_iter")
    n, d = X.shape
    scale = float(alpha @ gaussian_gram(X, X, gamma) @ alpha)
    spread = max(float(np.ptp(X)), 1.0)
    order = np.argsort(-np.abs(alpha))
    starts = [X[np.resize(order, m)]]
    for _ in range(restarts - 1):
        starts.append(X[rng.choice(n, size=m, replace=m > n)])
    best, best_value = None, np.inf
    for index, start in enumerate(starts):
        if index > 0:
            start = start + 0.01 * spread * rng.standard_normal(start.shape)

        def objective(flat):
            value, gradient = projection_residual(X, alpha, flat.reshape(m, d), gamma)
            return value, gradient.ravel()

        result = optimize.minimize(objective, start.ravel(), jac=True, method="BFGS",
                                   options={"maxiter": max_iter, "gtol": 1e-8 * max(scale, 1e-300)})
        if result.fun < best_value:
            best, best_value = result.x.reshape(m, d), result.fun
    gaps = np.linalg.norm(X[:, None, :] - X[None, :, :], axis=2)[np.triu_indices(n, 1)]
    radius = 1e-3 * float(gaps.min()) if gaps.size else 0.0
    return snap_to_data(best, X, radius)


@dataclass(frozen=True)
class KernelCompression:
    """A smaller training set (``X``, ``y``) for kernel ridge with strength ``lam`` reproducing a model."""

    X: np.ndarray
    y: np.ndarray
    lam: float
    coefficients: np.ndarray


def compress_kernel_model(model: KernelModel, lam: float = 0.0, zero_tolerance: float = 0.0) -> KernelCompression:
    """Merge repeated centres (adding their coefficients) and drop coefficients with abs(aᵢ) ≤
    ``zero_tolerance``; relabel so that kernel ridge with strength ``lam`` on the result
    returns the same function. This is exact compression when inputs repeat or some αᵢ = 0,
    the two cases Theorem 2 excludes.
    """
    lam = require_nonnegative(lam, "lam")
    zero_tolerance = require_nonnegative(zero_tolerance, "zero_tolerance")
    unique, inverse = np.unique(model.centres, axis=0, return_inverse=True)
    merged = np.zeros(unique.shape[0])
    np.add.at(merged, inverse.ravel(), model.coefficients)
    keep = np.abs(merged) > zero_tolerance
    if not np.any(keep):
        raise ValueError("every coefficient is below zero_tolerance: the model is the zero function")
    centres, coefficients = unique[keep], merged[keep]
    labels = labels_reproducing(centres, coefficients, lam, model.gamma)
    return KernelCompression(centres, labels, lam, coefficients)
