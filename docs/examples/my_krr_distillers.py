"""Two user KRR distillation steps for Chen, Huang & Weng's Theorem 5.1.

``lstsq_distill_step`` builds the distilled points with the library's construction and retrains
W_S by least squares on the stacked system [φ(X_S); √λ_S·I] W = [Y_S; 0] (one orthogonal solve,
no normal equations), as a faster or GPU port might. ``lstsq_distill_step_label_slip`` returns
labels 0.1 % too large, as a rescaling bug would.
"""

import numpy as np

from constructions.krr_distill import Distilled, DistillReport, construct_distilled


def _ridge_lstsq(F, Y, lam):
    """argmin ‖FW − Y‖² + λ‖W‖² by least squares on the stacked system."""
    p = F.shape[1]
    A = np.vstack([F, np.sqrt(lam) * np.eye(p)]) if lam > 0 else F
    B = np.vstack([Y, np.zeros((p, Y.shape[1]))]) if lam > 0 else Y
    return np.linalg.lstsq(A, B, rcond=None)[0]


def lstsq_distill_step(W, feature_map, Y_S, *, lam_s=0.0, reference=None, rng=None, clip=False, root="+"):
    """The distillation step given W, with W_S retrained by least squares."""
    built = construct_distilled(W, feature_map, Y_S, lam_s=lam_s, reference=reference, rng=rng, clip=clip, root=root)
    W_s = _ridge_lstsq(feature_map(built.X), built.Y, built.lam_s)
    W = np.asarray(W, float)
    cosine = float(np.sum(W * W_s) / (np.linalg.norm(W) * np.linalg.norm(W_s)))
    error = float(np.linalg.norm(W_s - W) / np.linalg.norm(W))
    report = DistillReport(cosine, error, built.X.shape[0], built.lam_s, built.scale, built.lam_s_bound, built.clipped)
    return Distilled(built.X, built.Y, built.lam_s, W_s, report)


def lstsq_distill_step_label_slip(W, feature_map, Y_S, *, lam_s=0.0, reference=None, rng=None, clip=False,
                                  root="+"):
    """``lstsq_distill_step`` whose returned labels are 0.1 % too large."""
    good = lstsq_distill_step(W, feature_map, Y_S, lam_s=lam_s, reference=reference, rng=rng, clip=clip, root=root)
    return Distilled(good.X, good.Y * 1.001, good.lam_s, good.W_s, good.report)
