"""Planted failures for chen-huang-weng/theorem-5.2."""

from constructions.krr import fit_ridge_full_lambda

from tests.plants import Plant


def trainer_with_offset(F, Y, lam):
    """Adds a constant 10⁻³ to every weight (a bias leaking into W)."""
    return fit_ridge_full_lambda(F, Y, lam) + 1e-3


PLANTS = {
    "chen-huang-weng/theorem-5.2::span-lemma": [Plant("offset added to W_S", {"train": trainer_with_offset})],
    "chen-huang-weng/theorem-5.2::k-points-insufficient": [Plant("p = d + k − 1: too narrow to certify", {"width_gap": 1})],
    "chen-huang-weng/theorem-5.2::surjective-suffices": [Plant("widened layers (not surjective)", {"widen": 1})],
}
