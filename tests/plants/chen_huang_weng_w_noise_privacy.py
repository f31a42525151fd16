"""Planted failures for chen-huang-weng/w-noise-privacy (the project's W-noise mechanism)."""

from theorems.chen_huang_weng._privacy import gaussian_noise_scale

from tests.plants import Plant


def moment_sensitivity_only(B, sigma_0, n):
    """Uses the sensitivity of XᵀY (2B) and forgets the (XᵀX)⁻¹ factor and the Gram term."""
    return 2 * B


def tenth_of_the_noise(sensitivity, epsilon, delta):
    """Noise ten times too small."""
    return gaussian_noise_scale(sensitivity, epsilon, delta) / 10


PLANTS = {
    "chen-huang-weng/w-noise-privacy::sensitivity-bound": [
        Plant("sensitivity of XᵀY only", {"sensitivity": moment_sensitivity_only})],
    "chen-huang-weng/w-noise-privacy::gaussian-mechanism-privacy": [Plant("noise ÷ 10", {"scale": tenth_of_the_noise})],
    "chen-huang-weng/w-noise-privacy::ill-conditioned-data": [
        Plant("κ = 10 (the assumption holds)", {"max_condition": 10.0})],
}
