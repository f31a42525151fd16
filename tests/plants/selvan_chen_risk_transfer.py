"""Planted failures for selvan-chen/risk-transfer."""

import numpy as np
import sympy as sp

from theorems.selvan_chen.risk_transfer import ball_least_squares, loss_ball_radius

from tests.plants import Plant


def wrong_sign_coefficients(theta):
    """+2θ on the cross term: (θᵀx + y)², not (θᵀx − y)²."""
    return sp.Matrix([*(theta * theta.T), *(2 * theta), 1])


def tenth_of_radius(r):
    """A loss-ball radius ten times too small."""
    return loss_ball_radius(r) / 10


def projected_onto_sphere(X, y, w, radius):
    """The unconstrained solution scaled onto the sphere: feasible but not the minimiser."""
    theta = np.linalg.lstsq(np.sqrt(w)[:, None] * X, np.sqrt(w) * y, rcond=None)[0]
    norm = np.linalg.norm(theta)
    return theta if norm <= radius else theta * radius / norm


def unconstrained(X, y, w, radius):
    """Ignores the constraint ‖θ‖ ≤ r."""
    return ball_least_squares(X, y, w, np.inf)


def squared_loss(theta, X, y):
    """The squared loss, which does lie in H (so no counterexample exists)."""
    return (X @ theta - y) ** 2


PLANTS = {
    "selvan-chen/risk-transfer::loss-in-rkhs": [Plant("wrong sign on the cross term", {"coefficients": wrong_sign_coefficients})],
    "selvan-chen/risk-transfer::uniform-bound": [Plant("B ten times too small", {"radius_bound": tenth_of_radius})],
    "selvan-chen/risk-transfer::minimiser-excess": [Plant("scaled onto the sphere", {"minimise": projected_onto_sphere}),
                                                    Plant("constraint ignored", {"minimise": unconstrained})],
    "selvan-chen/risk-transfer::loss-outside-rkhs": [Plant("squared loss instead", {"loss": squared_loss})],
}
