"""The Gaussian mechanism, shared by the two privacy claims (:mod:`.theorem_6_2`, the paper's noise on Z,
and :mod:`.w_noise_privacy`, the project's noise on W).

A mechanism M(D) = f(D) + N(0, s²I) whose means move by at most Δ between neighbours (‖f(D) − f(D')‖₂ ≤ Δ)
is (ε, δ)-DP when s ≥ Δ√(2 ln(1.25/δ))/ε and 0 < ε < 1 (Dwork & Roth, Theorem A.1). The exact δ(ε) of
one pair of neighbours whose means are ``shift`` apart (Balle & Wang 2018, Theorem 8) is
Φ(shift/2s − εs/shift) − e^ε Φ(−shift/2s − εs/shift); it increases with the shift, so the mechanism is
(ε, δ)-DP iff it is ≤ δ at the largest shift.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr  # the standard normal CDF (scipy.stats costs about a second of start-up)

from theorems.tolerances import unit_roundoff


def gaussian_noise_scale(sensitivity: float, epsilon: float, delta: float) -> float:
    """s = Δ√(2 ln(1.25/δ))/ε, the classical calibration (valid for 0 < ε < 1)."""
    if not (0 < epsilon < 1 and 0 < delta < 1):
        raise ValueError(f"need 0 < ε < 1 and 0 < δ < 1, got ε = {epsilon}, δ = {delta}")
    return sensitivity * np.sqrt(2 * np.log(1.25 / delta)) / epsilon


def exact_delta(shift: float, scale: float, epsilon: float) -> float:
    """The exact δ(ε) of N(μ, s²I) against N(μ', s²I) with ‖μ − μ'‖ = ``shift``, s = ``scale``."""
    if shift == 0:
        return 0.0
    a, b = shift / (2 * scale), epsilon * scale / shift
    return float(ndtr(a - b) - np.exp(epsilon) * ndtr(-a - b))


def exact_delta_rounding(shift: float, scale: float, epsilon: float) -> float:
    """Rounding bound on :func:`exact_delta`: each Φ is accurate to a few ulps of its value, and the
    difference cancels, so the error is ≤ 10u·(Φ(a − b) + e^ε Φ(−a − b)) (absolute)."""
    if shift == 0:
        return 0.0
    a, b = shift / (2 * scale), epsilon * scale / shift
    return float(10 * unit_roundoff() * (ndtr(a - b) + np.exp(epsilon) * ndtr(-a - b)))
