"""Planted failures for izzo-zou/theorem-1."""

import math

import numpy as np
import sympy as sp

from dataclasses import replace

from constructions.glm import (ETA, FAMILIES, FLOAT, MU, Family, SinglePoint, fit_glm, link_condition,
                               single_point, single_point_gradient_descent)

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


def zero_run_not_converged(family, point, *args, **kwargs):
    """At x̃ = 0 the run comes back as (θ₀, 0, 0, False, True): not converged, stalled."""
    run = single_point_gradient_descent(family, point, *args, **kwargs)
    return replace(run, converged=False, stalled=True) if not any(point.x) else run


def zero_run_certificate_one(family, point, *args, **kwargs):
    """At x̃ = 0 the run reports certificate 1 (it is exactly at its limit)."""
    run = single_point_gradient_descent(family, point, *args, **kwargs)
    return replace(run, certificate=1) if not any(point.x) else run


def always_stalled(*args, **kwargs):
    """Descent that always reports that rounding took over."""
    return replace(single_point_gradient_descent(*args, **kwargs), stalled=True)


def squared_norm_certificate(family, point, *args, arithmetic=FLOAT, **kwargs):
    """Float64 descent whose arithmetic's square root is the identity (float and sqrt swapped):
    the certificate divides by ‖x̃‖² instead of ‖x̃‖."""
    if arithmetic is FLOAT:
        arithmetic = replace(FLOAT, sqrt=float)
    return single_point_gradient_descent(family, point, *args, arithmetic=arithmetic, **kwargs)


def loose_default_tolerance(*args, **kwargs):
    """Descent whose default tol is 1 instead of 0 (stops within ‖θ‖ of the limit)."""
    kwargs.setdefault("tol", 1.0)
    return single_point_gradient_descent(*args, **kwargs)


def flipped_separation_fit(family, X, y):
    """fit_glm with every family's ``separable`` flag negated."""
    return fit_glm(replace(family, separable=not family.separable), X, y)


def separation_ignored_fit(family, X, y):
    """fit_glm that never treats separation as an error."""
    return fit_glm(replace(family, separable=False), X, y)


def infinite_condition_at_one(family, margin):
    """link_condition with the z = 0 guard testing z = 1 instead."""
    return math.inf if margin == 1 else link_condition(family, margin)


def signed_condition(family, margin):
    """link_condition without the absolute values: g⁻¹(z)/(z·b″(z))."""
    functions = family.functions(FLOAT)
    return math.inf if margin == 0 else float(functions.mean(margin) / (margin * functions.variance(margin)))


POISSON_FROM_ONE = replace(FAMILIES["poisson"], mean_range=(1.0, math.inf))
"""Poisson with its mean range cut to (1, ∞): θ = 0, whose label is e⁰ = 1, is refused."""


def preconditioned_step(gradient, point, step):
    """v − η·diag(1, 2)·∇ℓ(v): a diagonal preconditioner tilts the iterate out of span(θ)."""
    return point - step * sp.diag(1, 2) * gradient


def start_in_span(theta, raw):
    """v₀ projected onto span(θ): the dropped assumption quietly restored."""
    return (float(raw @ theta) / float(theta @ theta)) * theta


PLANTS = {
    "izzo-zou/theorem-1::gradient-vanishes-iff-c-is-1": [
        Plant("non-injective mean η² (b = η³/3)", {"families": (CUBIC,)}),
        Plant("Poisson mean range (1, ∞)", {"families": (POISSON_FROM_ONE,)}),
        Plant("Bernoulli table entry with mean σ(2η) ≠ b′", {"families": (STEEP_BERNOULLI,)}),
    ],
    "izzo-zou/theorem-1::descent-stays-in-span": [Plant("preconditioned step", {"step": preconditioned_step})],
    "izzo-zou/theorem-1::exact-recovery": [Plant("label g⁻¹(‖θ‖)", {"construct": label_from_norm}),
                                           Plant("point rounded to float64", {"construct": float_point}),
                                           Plant("x̃ = 0 run not converged, stalled", {"descend": zero_run_not_converged}),
                                           Plant("x̃ = 0 run with certificate 1", {"descend": zero_run_certificate_one}),
                                           Plant("always reports stalled", {"descend": always_stalled})],
    "izzo-zou/theorem-1::fit-separation": [Plant("separable flags negated", {"fit": flipped_separation_fit}),
                                           Plant("separation ignored", {"fit": separation_ignored_fit})],
    "izzo-zou/theorem-1::descent-defaults": [Plant("default tol 1", {"descend": loose_default_tolerance}),
                                             Plant("link_condition ∞ at z = 1", {"condition": infinite_condition_at_one}),
                                             Plant("link_condition without abs", {"condition": signed_condition})],
    "izzo-zou/theorem-1::descent-certificate": [
        Plant("certificate understated 10×", {"descend": understated_certificate}),
        Plant("certificate inflated 100×", {"descend": inflated_certificate}),
        Plant("always reports converged", {"descend": always_converged}),
        Plant("always reports stalled", {"descend": always_stalled}),
        Plant("float64 certificate over ‖x̃‖²", {"descend": squared_norm_certificate}),
    ],
    "izzo-zou/theorem-1::random-glms": [Plant("label g⁻¹(‖θ‖)", {"construct": label_from_norm}),
                                        Plant("point stretched to 2θ", {"construct": stretched_point})],
    "izzo-zou/theorem-1::off-span-initialisation": [Plant("start projected onto span(θ)", {"initialise": start_in_span})],
    "izzo-zou/theorem-1::longley": [Plant("label g⁻¹(‖θ‖)", {"construct": label_from_norm})],
    "izzo-zou/theorem-1::randhie": [Plant("label g⁻¹(‖θ‖)", {"construct": label_from_norm})],
    "izzo-zou/theorem-1::spector": [Plant("label g⁻¹(‖θ‖)", {"construct": label_from_norm})],
}
