"""Planted failures for chen-huang-weng/theorem-6.2 (the paper's mechanism) and its finding
chen-huang-weng/theorem-6.2-replacement."""

import numpy as np

from theorems.chen_huang_weng._privacy import gaussian_noise_scale
from theorems.chen_huang_weng.theorem_6_2 import (
    Neighbours,
    outlier_class_neighbours,
    paper_noise_scale,
    row_label_weights,
)

from tests.plants import Plant


def half_the_noise(sensitivity, epsilon, delta):
    """The classical calibration halved."""
    return gaussian_noise_scale(sensitivity, epsilon, delta) / 2


def paper_sigma_halved(Y, Y_S, B, sigma_0, epsilon, delta):
    """The paper's σ formula too small by a factor 2."""
    return paper_noise_scale(Y, Y_S, B, sigma_0, epsilon, delta) / 2


def sigma_without_free_factor(Y, Y_S, B, sigma_0, epsilon, delta):
    """Forgets the ‖[I − Y_S⁺Y_S]ᵢ‖ factor: σ = maxᵢ 2√(ln(1.25/δ))B‖vᵢ‖/(σ₀²ε), too small since ‖Pᵢ‖ < 1."""
    weights = np.linalg.norm(row_label_weights(Y, Y_S), axis=0)
    return float(np.max(2 * np.sqrt(np.log(1.25 / delta)) * B * weights / (sigma_0**2 * epsilon)))


def mechanism_without_free_factor(X, Y, Y_S, epsilon, delta, B, sigma_0, rng):
    """Adds Z to every row directly (D = M + Z), ignoring the [I − Y_S⁺Y_S] factor."""
    from constructions.krr_distill import features_from_operator
    from theorems.chen_huang_weng.theorem_6_2 import private_rows, row_means

    _, _, sigma = private_rows(X, Y, Y_S, epsilon, delta, B, sigma_0, rng)
    D = row_means(X, Y, Y_S) + rng.normal(scale=sigma, size=(len(Y_S), X.shape[1]))
    return D, features_from_operator(D.T).F, sigma


def mechanism_half_noise(X, Y, Y_S, epsilon, delta, B, sigma_0, rng):
    """The right mechanism with its noise halved (the released σ is still the paper's)."""
    from theorems.chen_huang_weng.theorem_6_2 import private_rows, row_means

    D, X_S, sigma = private_rows(X, Y, Y_S, epsilon, delta, B, sigma_0, rng)
    means = row_means(X, Y, Y_S)
    return means + (D - means) / 2, X_S, sigma


def paper_sensitivity(pair):
    """The paper's implicit Δᵢ = √2B‖vᵢ‖/σ₀²."""
    return np.sqrt(2) * pair.B * np.linalg.norm(row_label_weights(pair.Y, pair.Y_S), axis=0) / pair.sigma_0**2


def flips_a_crowded_example(k, d, per_class, slack, rotation):
    """Flips example 1 (class 1, never alone) instead of the outlier: class 0's rows do not move."""
    pair = outlier_class_neighbours(k, d, per_class, slack, rotation)
    X_other = pair.X.copy()
    X_other[1] = -X_other[1]
    return Neighbours(pair.X, X_other, pair.Y, pair.Y_S, pair.B, pair.sigma_0)


PLANTS = {
    "chen-huang-weng/theorem-6.2::gaussian-calibration": [Plant("noise ÷ 2", {"scale": half_the_noise})],
    # the paper's own σ is already falsified by these two checks; the plants make it smaller still
    "chen-huang-weng/theorem-6.2::row-sensitivity": [Plant("σ ÷ 2", {"noise_scale": paper_sigma_halved})],
    "chen-huang-weng/theorem-6.2::row-privacy": [
        Plant("σ without the ‖[I − Y_S⁺Y_S]ᵢ‖ factor", {"noise_scale": sigma_without_free_factor})],
    "chen-huang-weng/theorem-6.2::mechanism-rows": [
        Plant("Z added without the [I − Y_S⁺Y_S] factor", {"mechanism": mechanism_without_free_factor}),
        Plant("noise ÷ 2", {"mechanism": mechanism_half_noise})],
    "chen-huang-weng/theorem-6.2-replacement::wedin-sensitivity": [
        Plant("the paper's Δᵢ = √2B‖vᵢ‖/σ₀²", {"sensitivity": paper_sensitivity})],
    "chen-huang-weng/theorem-6.2-replacement::wedin-bound-attained": [
        Plant("a crowded example flipped instead of the outlier", {"worst_case": flips_a_crowded_example})],
    "chen-huang-weng/theorem-6.2-replacement::corrected-row-privacy": [
        Plant("the paper's σ (no √2)", {"noise_scale": paper_noise_scale}),
        Plant("σ without the ‖[I − Y_S⁺Y_S]ᵢ‖ factor", {"noise_scale": sigma_without_free_factor})],
}
