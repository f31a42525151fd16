"""Planted failures for chen-huang-weng/theorem-6.1."""

from theorems.chen_huang_weng.theorem_6_1 import analytic_set

from tests.plants import Plant


def stretched_set(F, Y, lam, rng):
    """The analytic features stretched by 1 %: W_S = W/1.01."""
    F_S, Y_S, lam_s, W = analytic_set(F, Y, lam, rng)
    return 1.01 * F_S, Y_S, lam_s, W


PLANTS = {
    "chen-huang-weng/theorem-6.1::zero-loss-when-n-le-p": [Plant("features stretched by 1%", {"construct": stretched_set})],
    "chen-huang-weng/theorem-6.1::minimal-loss-iff-equal-model": [Plant("features stretched by 1%", {"construct": stretched_set})],
    "chen-huang-weng/theorem-6.1::ridge-loss-positive": [Plant("λ = 0 (the assumption holds)", {"lam": 0.0})],
}
