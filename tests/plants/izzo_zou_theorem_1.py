"""Planted failures for izzo-zou/theorem-1."""

import math

import numpy as np
import sympy as sp

from dataclasses import replace

from constructions.glm import ETA, FAMILIES, FLOAT, MU, Family, SinglePoint, single_point, single_point_gradient_descent

from tests.plants import Plant

CUBIC = Family("cubic", ETA**3 / 3, ETA**2, 2 * ETA, sp.sqrt(MU), (0.0, math.inf), 0.0,
               lambda y: y, FAMILIES["gaussian"].statsmodels_family, False)
"""b(η) = η³/3: the 'mean' η² is not injective (c = −1 also zeroes the gradient), b″ = 2η is not positive."""

STEEP_BERNOULLI = Family("steep-bernoulli", sp.log(1 + sp.exp(ETA)), 1 / (1 + sp.exp(-2 * ETA)),
                         FAMILIES["bernoulli"].variance, FAMILIES["bernoulli"].link, (0.0, 1.0), 0.0,
                         FAMILIES["bernoulli"].validate_response, FAMILIES["bernoulli"].statsmodels_family, True)
"""A table entry whose mean is not b′."""


def label_from_norm(family, theta, arithmetic=FLOAT):
    """ỹ = g⁻¹(‖θ‖) instead of g⁻¹(‖θ‖²)."""
    theta = np.asarray(theta, dtype=float) if arithmetic is FLOAT else arithmetic.vector(theta)
    return SinglePoint(theta.copy(), family.functions(arithmetic).mean(arithmetic.sqrt((theta * theta).sum())))


def stretched_point(family, theta, arithmetic=FLOAT):
    """x̃ = 2θ with the label for θ."""
    theta = np.asarray(theta, dtype=float) if arithmetic is FLOAT else arithmetic.vector(theta)
    return SinglePoint(2 * theta, family.functions(arithmetic).mean((theta * theta).sum()))


def float_point(family, theta, arithmetic=FLOAT):
    """The right point, computed in float64 whatever arithmetic was asked for."""
    return single_point(family, np.array([float(v) for v in theta]))


def understated_certificate(*args, **kwargs):
    """Descent that reports a tenth of its certificate."""
    run = single_point_gradient_descent(*args, **kwargs)
    return replace(run, certificate=run.certificate / 10)


def inflated_certificate(*args, **kwargs):
    """Descent that reports a certificate 100 times too large (true, but vacuous)."""
    run = single_point_gradient_descent(*args, **kwargs)
    return replace(run, certificate=run.certificate * 100)


def always_converged(*args, **kwargs):
    """Descent that always claims convergence."""
    return replace(single_point_gradient_descent(*args, **kwargs), converged=True)


def preconditioned_step(gradient, point, step):
    """v − η·diag(1, 2)·∇ℓ(v): a diagonal preconditioner tilts the iterate out of span(θ)."""
    return point - step * sp.diag(1, 2) * gradient


def start_in_span(theta, raw):
    """v₀ projected onto span(θ): the dropped assumption quietly restored."""
    return (float(raw @ theta) / float(theta @ theta)) * theta


PLANTS = {
    "izzo-zou/theorem-1::gradient-vanishes-iff-c-is-1": [
        Plant("non-injective mean η² (b = η³/3)", {"families": (CUBIC,)}),
        Plant("Bernoulli table entry with mean σ(2η) ≠ b′", {"families": (STEEP_BERNOULLI,)}),
    ],
    "izzo-zou/theorem-1::descent-stays-in-span": [Plant("preconditioned step", {"step": preconditioned_step})],
    "izzo-zou/theorem-1::exact-recovery": [Plant("label g⁻¹(‖θ‖)", {"construct": label_from_norm}),
                                           Plant("point rounded to float64", {"construct": float_point})],
    "izzo-zou/theorem-1::descent-certificate": [
        Plant("certificate understated 10×", {"descend": understated_certificate}),
        Plant("certificate inflated 100×", {"descend": inflated_certificate}),
        Plant("always reports converged", {"descend": always_converged}),
    ],
    "izzo-zou/theorem-1::random-glms": [Plant("label g⁻¹(‖θ‖)", {"construct": label_from_norm}),
                                        Plant("point stretched to 2θ", {"construct": stretched_point})],
    "izzo-zou/theorem-1::off-span-initialisation": [Plant("start projected onto span(θ)", {"initialise": start_in_span})],
    "izzo-zou/theorem-1::longley": [Plant("label g⁻¹(‖θ‖)", {"construct": label_from_norm})],
    "izzo-zou/theorem-1::randhie": [Plant("label g⁻¹(‖θ‖)", {"construct": label_from_norm})],
    "izzo-zou/theorem-1::spector": [Plant("label g⁻¹(‖θ‖)", {"construct": label_from_norm})],
}
