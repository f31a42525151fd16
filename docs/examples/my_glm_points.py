"""Two user single-point constructions for Izzo & Zou's Theorem 1 (canonical-link GLMs).

Gradient descent from 0 on one point (x̃, ỹ) stays in span(x̃) and stops where x̃ᵀv = g(ỹ). With
x̃ = θ/2 the limit is θ exactly when ỹ = g⁻¹(‖θ‖²/2), so ``halved_point`` is a correct alternative
to the built-in x̃ = θ, ỹ = g⁻¹(‖θ‖²). ``halved_point_label_slip`` has its label 0.1 % off.
(x̃ = 2θ would be correct too in exact arithmetic, but g⁻¹(2‖θ‖²) leaves the float64 mean range
of the logistic family at half the ‖θ‖² the built-in tolerates, and ``verify`` reports that
refusal as a failure.)
"""

import numpy as np

from constructions.glm import FLOAT, SinglePoint


def halved_point(family, theta, arithmetic=FLOAT):
    """x̃ = θ/2, ỹ = g⁻¹(‖θ‖²/2)."""
    theta = np.asarray(theta, dtype=float) if arithmetic is FLOAT else arithmetic.vector(theta)
    if theta.size == 0:
        raise ValueError("theta is empty")
    label = family.functions(arithmetic).mean((theta * theta).sum() / 2)
    low, high = family.mean_range
    if not low < label < high:
        raise ValueError(f"g⁻¹(‖θ‖²/2) = {label} is outside the {family.name} mean range in {arithmetic.name}")
    return SinglePoint(theta / 2, label)


def halved_point_label_slip(family, theta, arithmetic=FLOAT):
    """``halved_point`` with ỹ 0.1 % too large."""
    point = halved_point(family, theta, arithmetic)
    return SinglePoint(point.x, point.y * (1 + arithmetic.number(1) / 1000))
