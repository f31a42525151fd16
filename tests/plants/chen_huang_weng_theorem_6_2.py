"""Planted failures for chen-huang-weng/theorem-6.2."""

from theorems.chen_huang_weng.theorem_6_2 import noise_scale

from tests.plants import Plant


def moment_sensitivity_only(B, sigma_0, n):
    """Uses the sensitivity of XᵀY (2B) and forgets the (XᵀX)⁻¹ factor and the Gram term."""
    return 2 * B


def tenth_of_the_noise(sensitivity, epsilon, delta):
    """Noise ten times too small."""
    return noise_scale(sensitivity, epsilon, delta) / 10


PLANTS = {
    "chen-huang-weng/theorem-6.2::sensitivity-bound": [Plant("sensitivity of XᵀY only", {"sensitivity": moment_sensitivity_only})],
    "chen-huang-weng/theorem-6.2::gaussian-mechanism-privacy": [Plant("noise ÷ 10", {"scale": tenth_of_the_noise})],
    "chen-huang-weng/theorem-6.2::ill-conditioned-data": [Plant("κ ≤ 10 (the assumption holds)", {"max_condition": 10.0})],
}
