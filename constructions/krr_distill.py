"""Analytic dataset distillation for kernel ridge regression (Chen, Huang & Weng, NeurIPS 2024).

Conventions (rows are examples)
-------------------------------
Data X ∈ ℝ^{n×d}, label matrix Y ∈ ℝ^{n×k} (one-hot, *uncentred* by default; ``label_matrix(...,
centred=True)`` subtracts the class frequencies), features F = φ(X) ∈ ℝ^{n×p}. The model is
W = argmin ‖FW − Y‖²_F + λ‖W‖²_F ∈ ℝ^{p×k} with λ absolute (not scaled by n or tr K). Write

    G_λ(F) = Fᵀ(FFᵀ + λI)⁻¹ = (FᵀF + λI)⁻¹Fᵀ   (λ > 0),     G_0(F) = F⁺,

so W = G_λ(F) Y. The paper's column convention is the transpose of ours: its X, Y, φ(X), W are our
Xᵀ, Yᵀ, Fᵀ, Wᵀ, and its φ_λ(X)⁺ and D are our G_λ(F)ᵀ and Gᵀ.

Theorem 4.1 / 5.1 in these terms: m distilled points with labels Y_S ∈ ℝ^{m×k} of rank k (so
m ≥ k) give W_S = G_{λS}(F_S) Y_S = W exactly when G_{λS}(F_S) = G for some G of the form

    G = W Y_S⁺ + Z (I_m − Y_S Y_S⁺),   Z ∈ ℝ^{p×m} arbitrary,

and, with the reduced SVD G = U diag(σ'ᵢ) Vᵀ, F_S = V diag(σᵢ) Uᵀ where σᵢ = 1/σ'ᵢ for λ_S = 0 and
σᵢ = (1 ± √(1 − 4λ_Sσ'ᵢ²))/(2σ'ᵢ) for 0 < λ_S ≤ 1/(4σ'₁²) (σᵢ/(σᵢ² + λ_S) = σ'ᵢ). When φ is
surjective, X_S = φ⁻¹(F_S). When φ has a bounded range (random Fourier features) F_S is first
scaled by c ≤ 1 into the range; Y_S ↦ cY_S and λ_S ↦ c²λ_S keep W_S unchanged.

Modes: ``noise`` draws Z with N(0, 1) entries and uses one-hot labels (``ipc`` points per class);
``real`` takes ``ipc`` real points per class X̂_S, soft labels Y_S = φ(X̂_S) W and
Z = G_{λS}(φ(X̂_S)) — the admissible G closest to the real points' operator (Corollary 4.1.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.linalg import blas as _blas, lapack as _lapack

from constructions.krr import fit_ridge_full_lambda
from constructions.validation import as_matrix, require_nonnegative, require_positive_int

ROOTS = {"+": 1.0, "-": -1.0}


# --- the linear algebra of Theorem 4.1 ---------------------------------------------------------


def ridge_operator(F, lam: float) -> np.ndarray:
    """G_λ(F) = Fᵀ(FFᵀ + λI)⁻¹ ∈ ℝ^{p×m} (F⁺ for λ = 0); the model trained on (F, Y) is G_λ(F) Y."""
    F = as_matrix(F, "features")
    lam = require_nonnegative(lam, "λ_S")
    if lam == 0:
        return np.linalg.pinv(F)
    m, p = F.shape
    if p <= m:
        return np.linalg.solve(F.T @ F + lam * np.eye(p), F.T)
    return np.linalg.solve(F @ F.T + lam * np.eye(m), F).T


def admissible_operator(W, Y_S, Z=None) -> np.ndarray:
    """G = W Y_S⁺ + Z(I − Y_S Y_S⁺): every G with G Y_S = W (Theorem 4.1), Z = 0 when omitted.

    Needs Y_S of full column rank k (so m ≥ k); with fewer points there is no solution for a
    general W of rank k.
    """
    return _admissible(as_matrix(W, "W"), as_matrix(Y_S, "Y_S"), None if Z is None else as_matrix(Z, "Z"))


def _admissible(W, Y_S, Z) -> np.ndarray:
    """:func:`admissible_operator` on arrays already validated (finite, 2-D)."""
    m, k = Y_S.shape
    if W.shape[1] != k:
        raise ValueError(f"W has {W.shape[1]} columns (classes) but Y_S has {k}; they must match")
    if m < k:
        raise ValueError(f"Theorem 4.1 needs m ≥ k distilled points, got m = {m} < k = {k}")
    # one SVD of Y_S gives its rank (numpy's matrix_rank tolerance), Y_S⁺ and an orthonormal basis Q of
    # Range(Y_S): three factorisations' worth of information for the price of one
    basis, singular, right, info = _lapack.dgesdd(Y_S, full_matrices=0)  # numpy's svd wrapper costs as much at k = 10
    _require_lapack(info, "gesdd")
    rank = int(np.sum(singular > singular.max(initial=0.0) * max(m, k) * np.finfo(float).eps))
    if rank < k:
        raise ValueError(f"Theorem 4.1 needs rank Y_S = k = {k}, got rank {rank}")
    G = W @ ((right.T / singular) @ basis.T)  # W Y_S⁺ with Y_S⁺ = V diag(1/s) Uᵀ, the k×m factor first
    if Z is not None:
        if Z.shape != (W.shape[0], m):
            raise ValueError(f"Z must have shape ({W.shape[0]}, {m}), got {Z.shape}")
        if m > k:  # when m = k, I − Y_S Y_S⁺ = 0 and Z does not enter
            # I − Y_S Y_S⁺ = I − Q Qᵀ: Z − (ZQ)Qᵀ costs 2·p·m·k flops instead of the 2·p·m² of the
            # projector formed whole. One pass leaves ~u·‖Z‖ along Range(Y_S), large beside a small
            # Z(I − QQᵀ); the second pass (twice is enough, as in Gram–Schmidt) brings it to
            # ~u·‖Z(I − QQᵀ)‖, so G Y_S = W holds to rounding relative to ‖G‖ whatever Z's size.
            for _ in range(2):
                Z = Z - (Z @ basis) @ basis.T
            G = G + Z
    return G


def lambda_s_bound(G) -> float:
    """The largest admissible λ_S, 1/(4σ'₁²) with σ'₁ = ‖G‖₂."""
    top = np.linalg.norm(as_matrix(G, "G"), 2)
    return np.inf if top == 0 else 1.0 / (4.0 * top**2)


def bound_rounding(shape) -> float:
    """Relative rounding of a computed bound 1/(4σ'₁²): a λ_S within this of the construction's bound is AT
    the bound (Theorem 4.1 allows it), so a caller's own ``lambda_s_bound`` or SVD of the same G is accepted.

    LAPACK's error bound for a computed singular value σ̂ of σ is p(m, n)·ε·‖G‖₂ with p a modestly
    growing function of the sizes; for σ'₁ = ‖G‖₂ that is a relative error c·size·u (size = max(m, n)).
    The bound squares σ'₁, so each computation of it errs by 2c·size·u relative, and two computations
    (the caller's and this construction's, with or without singular vectors, of G or of Gᵀ) differ by
    up to 4c·size·u. Measured (numpy/scipy gesdd and gesvd with and without vectors, norm(G, 2), on G and
    Gᵀ, sizes 2 to 64, spectra equal, clustered within 10⁻¹⁴, geometric to 10⁻¹⁶ and Gaussian, scales
    10^±6): the two bounds differ by at most 60·size·u (size 3, σ' = (1, 1, 1) + 10⁻¹⁴), i.e. c = 15,
    and by ~240 u whatever the size beyond 8. c = 40 leaves a factor 2.7 at the worst size; the band,
    160·size·u ≈ 10⁻¹² at size 64, stays far below the smallest overshoot (10⁻⁹) that must be refused."""
    return 4 * 40 * max(shape) * float(np.finfo(float).eps) / 2


def _operator_svd(G):
    """Reduced SVD of G with numerically zero singular values dropped (a prefix, as they are sorted:
    slices, not copies)."""
    U, singular, Vt = np.linalg.svd(G, full_matrices=False)
    if singular.size and singular[0] > 0:
        kept = int(np.count_nonzero(singular > singular[0] * max(G.shape) * np.finfo(float).eps))
    else:
        kept = int(np.count_nonzero(singular > 0))
    return U[:, :kept], singular[:kept], Vt[:kept]


def _pseudo_inverse_by_qr(G):
    """(G⁺, σ'₁) for a tall G (p ≥ m) of full column rank: G = QR, G⁺ = R⁻¹Qᵀ, σ'₁ = ‖R‖₂; None when R's
    singular values show G numerically rank-deficient (the SVD path then drops the null directions).

    The same accuracy as the SVD route (forward error ~κ(G)·u, Householder QR being backward stable) for
    about half the flops: QR, the singular values of the m×m R alone, and R⁻¹ applied to Qᵀ. LAPACK and
    BLAS are called directly with blocked workspaces (64 columns' worth): at m = 10 the wrappers'
    checks cost as much as the arithmetic, and the default minimal workspace runs geqrf/orgqr unblocked
    (2.4× slower at m = 500). R⁻¹Qᵀ is Q R⁻ᵀ by one triangular solve (trsm, m²p flops) for m > 64, and
    by R⁻¹ then a product (2m²p flops) for m ≤ 64, where trsm's overhead dominates (measured, one
    thread, p = 784: 6 against 17 µs at m = 10, 300 against 283 µs at m = 100, 8.1 against 4.6 ms at
    m = 500)."""
    m = G.shape[1]
    workspace = 64 * m
    packed, tau, _, info = _lapack.dgeqrf(G, lwork=workspace)  # G is finite: built from checked inputs
    _require_lapack(info, "geqrf")
    R = np.triu(packed[:m])
    _, singular, _, info = _lapack.dgesdd(R, compute_uv=0)
    _require_lapack(info, "gesdd")
    if not singular[-1] > singular[0] * max(G.shape) * np.finfo(float).eps:
        return None
    Q, _, info = _lapack.dorgqr(packed, tau, lwork=workspace)
    _require_lapack(info, "orgqr")
    if m <= 64:
        R_inverse, info = _lapack.dtrtri(R)
        _require_lapack(info, "trtri")
        return R_inverse @ Q.T, float(singular[0])
    return _blas.dtrsm(1.0, np.asfortranarray(R), Q, side=1, trans_a=1, overwrite_b=1).T, float(singular[0])


def _require_lapack(info: int, routine: str) -> None:
    """LAPACK reports failure through ``info`` instead of raising: a nonzero one is a RuntimeError."""
    if info != 0:
        raise RuntimeError(f"LAPACK {routine} failed (info = {info})")


@dataclass(frozen=True)
class OperatorFeatures:
    """F_S with G_{λS}(F_S) = G, the λ_S it is built for, and whether ``clip`` replaced the requested λ_S
    by the bound. Unpacks as ``F_S, lam_s = ...``."""

    F: np.ndarray
    lam_s: float
    clipped: bool

    def __iter__(self):
        return iter((self.F, self.lam_s))


def _features_from_svd(U, singular, Vt, lam_s: float, root: str, clip: bool, shape) -> OperatorFeatures:
    if root not in ROOTS:
        raise ValueError(f"root must be one of {sorted(ROOTS)}, got {root!r}")
    if lam_s == 0 and root == "-":
        raise ValueError("the '−' root is σ = 0 when λ_S = 0 (no features): use root='+' or λ_S > 0")
    bound = np.inf if singular.size == 0 else 1.0 / (4.0 * singular[0] ** 2)
    clipped = False
    if lam_s > bound * (1.0 + bound_rounding(shape)):
        if not clip:
            raise ValueError(f"λ_S = {lam_s:.6g} exceeds Theorem 4.1's bound 1/(4σ'₁²) = {bound:.6g}; "
                             "no distilled features exist (pass clip=True to use the bound)")
        lam_s, clipped = bound, True
    if lam_s == 0:
        sigma = 1.0 / singular
    else:
        # within rounding of the bound 1 − 4λ_Sσ'₁² may come out slightly negative: that is the double root
        discriminant = np.sqrt(np.clip(1.0 - 4.0 * lam_s * singular**2, 0.0, None))
        larger = (1.0 + discriminant) / (2.0 * singular)
        # the '−' root as λ_S/σ₊ (the roots multiply to λ_S): no cancellation when 4λ_Sσ'² is small
        sigma = larger if ROOTS[root] > 0 else lam_s / larger
    return OperatorFeatures((Vt.T * sigma) @ U.T, float(lam_s), clipped)


def features_from_operator(G, lam_s: float = 0.0, root: str = "+", clip: bool = False) -> OperatorFeatures:
    """F_S (m×p) with G_{λS}(F_S) = G, the λ_S used and whether it was clipped.

    σᵢ = 1/σ'ᵢ (λ_S = 0) or (1 ± √(1 − 4λ_Sσ'ᵢ²))/(2σ'ᵢ); ``root`` picks the sign ('+' is the
    branch that tends to 1/σ'ᵢ as λ_S → 0; '−' needs λ_S > 0). Directions with σ'ᵢ = 0 get σᵢ = 0.
    λ_S above the bound 1/(4σ'₁²) (beyond ``bound_rounding``) is a ValueError, or with ``clip`` is
    replaced by the bound and flagged ``clipped``.
    """
    G = as_matrix(G, "G")
    lam_s = require_nonnegative(lam_s, "λ_S")
    return _features_from_svd(*_operator_svd(G), lam_s, root, clip, G.shape)


def cosine(A, B) -> float:
    """⟨A, B⟩_F / (‖A‖_F ‖B‖_F)."""
    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    denominator = np.linalg.norm(A) * np.linalg.norm(B)
    return float(np.sum(A * B) / denominator) if denominator > 0 else 0.0


def relative_error(A, reference) -> float:
    scale = np.linalg.norm(reference)
    return float(np.linalg.norm(np.asarray(A) - reference) / scale) if scale > 0 else float(np.linalg.norm(A))


# --- labels and samples ------------------------------------------------------------------------


def label_matrix(labels, classes: int, centred: bool = False) -> np.ndarray:
    """One-hot rows (n×k); ``centred`` subtracts the column means (class frequencies)."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0:
        raise ValueError("labels must be a non-empty 1-D array of integers")
    if np.any(labels < 0) or np.any(labels >= classes) or np.any(labels != np.round(labels)):
        raise ValueError(f"labels must be integers in 0..{classes - 1}")
    Y = np.eye(classes)[labels.astype(int)]
    return Y - Y.mean(axis=0) if centred else Y


def class_of_rows(Y) -> np.ndarray:
    """The class of each row of a label matrix (arg-max)."""
    return np.argmax(as_matrix(Y, "Y"), axis=1)


def sample_per_class(classes_of_rows: np.ndarray, k: int, ipc: int, rng: np.random.Generator) -> np.ndarray:
    """``ipc`` row indices per class, drawn without replacement, in class order."""
    chosen = []
    for c in range(k):
        members = np.flatnonzero(classes_of_rows == c)
        if members.size < ipc:
            raise ValueError(f"class {c} has {members.size} examples, fewer than ipc = {ipc}")
        chosen.append(np.sort(rng.choice(members, size=ipc, replace=False)))
    return np.concatenate(chosen)


# --- the distiller -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DistillReport:
    """How well the distilled set reproduces W, measured by retraining on the recovered X_S.

    ``cosine`` = ⟨W, W_S⟩/(‖W‖‖W_S‖), ``relative_error`` = ‖W_S − W‖/‖W‖, ``points`` = m, ``lam_s`` the
    ridge to train with and ``lam_s_bound`` Theorem 4.1's bound, both for the returned (range-scaled)
    labels, ``scale`` the range scaling c, ``clipped`` whether the requested λ_S was above the bound
    and replaced by it (the set is then built, and must be trained, with the bound: it reproduces W,
    but not with the λ_S asked for).
    """

    cosine: float
    relative_error: float
    points: int
    lam_s: float
    scale: float
    lam_s_bound: float
    clipped: bool


@dataclass(frozen=True)
class Distilled:
    """X_S (m×d), Y_S (m×k), the λ_S to train with, W_S retrained on φ(X_S), and the report."""

    X: np.ndarray
    Y: np.ndarray
    lam_s: float
    W_s: np.ndarray
    report: DistillReport


def _noise_setup(X, Y, feature_map, W, ipc, lam_s, rng):
    """One-hot labels, ``ipc`` per class; Z drawn N(0, 1) later."""
    return np.repeat(np.eye(Y.shape[1]), ipc, axis=0), None


def _real_setup(X, Y, feature_map, W, ipc, lam_s, rng):
    """``ipc`` real points per class: soft labels φ(X̂_S)W and Z = G_{λS}(φ(X̂_S)) (Corollary 4.1.1)."""
    picked = sample_per_class(class_of_rows(Y), Y.shape[1], ipc, rng)
    F_hat = feature_map(X[picked])
    return F_hat @ W, ridge_operator(F_hat, lam_s)


MODES = {"noise": _noise_setup, "real": _real_setup}


@dataclass(frozen=True)
class Construction:
    """The distilled set before verification: X_S, labels, λ_S and its bound (after range scaling),
    the scaling and whether λ_S was clipped."""

    X: np.ndarray
    Y: np.ndarray
    lam_s: float
    scale: float
    lam_s_bound: float
    clipped: bool


def construct_distilled(W, feature_map, Y_S, *, lam_s: float = 0.0, reference=None, rng=None,
                        clip: bool = False, root: str = "+") -> Construction:
    """The distillation step given the trained model W (p×k) and distilled labels Y_S (m×k).

    ``reference`` (p×m) is the Z of Theorem 4.1 (Corollary 4.1.1 when it is a real operator);
    without it Z has N(0, 1) entries from ``rng``. Features are scaled into a bounded map's range
    (labels, λ_S and its bound rescaled to match) and mapped back through ``feature_map.preimage``.
    λ_S above Theorem 4.1's bound is a ValueError, or with ``clip`` the bound (flagged ``clipped``).
    """
    W = as_matrix(W, "W")
    Y_S = as_matrix(Y_S, "Y_S")
    if W.shape[0] != feature_map.p:
        raise ValueError(f"W has {W.shape[0]} rows but the feature map outputs p = {feature_map.p}")
    if not feature_map.surjective:
        raise ValueError(f"{type(feature_map).__name__} is not surjective here: Theorem 5.1's construction "
                         "needs a surjective feature map (see Theorems 5.2/5.3 for injective ones)")
    if reference is None:
        if rng is None:
            raise ValueError("give either a reference operator or a seeded rng for Z")
        reference = rng.normal(size=(W.shape[0], Y_S.shape[0]))
    lam_s = require_nonnegative(lam_s, "λ_S")
    G = _admissible(W, Y_S, as_matrix(reference, "Z"))
    # λ_S = 0 with the '+' root is F_S = G⁺: by QR when G is tall and of full column rank (the common case,
    # p ≥ m), else through the SVD, which also serves λ_S > 0 (σᵢ from each σ'ᵢ)
    fast = _pseudo_inverse_by_qr(G) if lam_s == 0 and root == "+" and G.shape[0] >= G.shape[1] else None
    if fast is not None:
        features, bound = OperatorFeatures(fast[0], 0.0, False), 1.0 / (4.0 * fast[1] ** 2)
    else:
        U, singular, Vt = _operator_svd(G)
        bound = np.inf if singular.size == 0 else 1.0 / (4.0 * singular[0] ** 2)
        features = _features_from_svd(U, singular, Vt, lam_s, root, clip, (W.shape[0], Y_S.shape[0]))
    F_S = features.F
    scale = 1.0
    if feature_map.bound is not None:
        largest = float(np.max(np.abs(F_S)))
        scale = min(1.0, feature_map.bound / largest) if largest > 0 else 1.0
    X_S = feature_map.preimage(scale * F_S)
    return Construction(X_S, scale * Y_S, float(scale**2 * features.lam_s), float(scale), float(scale**2 * bound),
                        features.clipped)


def distill_model(W, feature_map, Y_S, *, lam_s: float = 0.0, reference=None, rng=None,
                  clip: bool = False, root: str = "+") -> Distilled:
    """:func:`construct_distilled`, then retrain on φ(recovered X_S) and compare with W (the report)."""
    W = as_matrix(W, "W")
    built = construct_distilled(W, feature_map, Y_S, lam_s=lam_s, reference=reference, rng=rng, clip=clip, root=root)
    W_s = fit_ridge_full_lambda(feature_map(built.X), built.Y, built.lam_s)
    report = DistillReport(cosine(W, W_s), relative_error(W_s, W), built.X.shape[0], built.lam_s, built.scale,
                           built.lam_s_bound, built.clipped)
    return Distilled(built.X, built.Y, built.lam_s, W_s, report)


def _fit_model(F, Y, lam, device):
    if device is None:
        return fit_ridge_full_lambda(F, Y, lam)
    import torch

    Ft = torch.as_tensor(F, dtype=torch.float64, device=device)
    Yt = torch.as_tensor(Y, dtype=torch.float64, device=device)
    n, p = F.shape
    if p <= n:
        W = torch.linalg.solve(Ft.T @ Ft + lam * torch.eye(p, dtype=torch.float64, device=device), Ft.T @ Yt)
    else:
        W = Ft.T @ torch.linalg.solve(Ft @ Ft.T + lam * torch.eye(n, dtype=torch.float64, device=device), Yt)
    return W.cpu().numpy()


def distill_krr(X, Y, feature_map, ipc: int, lam: float, *, lam_s: float = 0.0, mode: str = "noise",
                seed: int = 0, clip: bool = False, device: Any = None, W=None) -> Distilled:
    """Distil (X, Y) to ``ipc`` points per class for KRR with ``feature_map`` (see the module docstring).

    ``Y`` is the n×k label matrix the model is trained on (one-hot or centred one-hot; the class of
    a row is its arg-max). ``lam`` is the original ridge, ``lam_s`` the distilled one (an error above
    the Theorem 4.1 bound unless ``clip``). ``device`` (e.g. ``"cpu"``, ``"cuda"``) computes the
    original fit with torch in float64; ``W`` skips the fit when the model is already known.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {sorted(MODES)}, got {mode!r}")
    ipc = require_positive_int(ipc, "ipc")
    lam = require_nonnegative(lam, "λ")
    X = as_matrix(X, "X")
    Y = as_matrix(Y, "Y")
    if Y.shape[0] != X.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but Y has {Y.shape[0]}; they must match")
    if X.shape[1] != feature_map.d:
        raise ValueError(f"X has {X.shape[1]} columns but the feature map takes d = {feature_map.d}")
    if not feature_map.surjective:
        raise ValueError(f"{type(feature_map).__name__} is not surjective here: Theorem 5.1's construction "
                         "needs a surjective feature map")
    rng = np.random.default_rng(seed)
    if W is None:
        W = _fit_model(feature_map(X), Y, lam, device)
    Y_S, reference = MODES[mode](X, Y, feature_map, W, ipc, lam_s, rng)
    return distill_model(W, feature_map, Y_S, lam_s=lam_s, reference=reference, rng=rng, clip=clip)
