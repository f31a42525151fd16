"""Planted failures for chen-huang-weng/theorem-5.3."""

import numpy as np
import sympy as sp

from theorems.chen_huang_weng.theorem_5_3 import distill_deep_linear, distill_via_h, exact_ridge, h_matrix

from tests.plants import Plant


def preimage_of_wrong_layer(W, network, Y_S, Z=None, lam_s=0.0):
    """Inverts only the first layer (X_S = W₁⁺F_S) instead of the whole product Π."""
    X_S, lam = distill_deep_linear(W, network, Y_S, Z, lam_s)
    F_S = network(X_S)
    return F_S[:, : network.weights[0].shape[0]] @ np.linalg.pinv(network.weights[0]).T, lam


def labels_scaled(W, network, Y_S, Z=None, lam_s=0.0):
    """Builds the set for 1.01·W."""
    return distill_deep_linear(1.01 * W, network, Y_S, Z, lam_s)


def h_without_free_block(W, network, Y_S, free=None):
    """Solves only Π W₁⁺ U = (Y_S W⁺)ᵀ (least squares), dropping the P_W − I block that lets F_S leave Range(W)."""
    H = h_matrix(network, W)
    hidden = network.weights[0].shape[0]
    U = np.linalg.lstsq(H[:, :hidden], (Y_S @ np.linalg.pinv(W)).T, rcond=None)[0]
    return (np.linalg.pinv(network.weights[0]) @ U).T, np.vstack([U, np.zeros((W.shape[0], U.shape[1]))]), H


def h_for_scaled_target(W, network, Y_S, free=None):
    """Builds the H system for 1.01·W."""
    return distill_via_h(1.01 * W, network, Y_S, free)


def block_always_full(p, hidden, first_rank):
    """Claims the bottom-right block of V_H always has full rank p."""
    return p


def least_squares_not_minimum_norm(F, Y, lam):
    """Adds a kernel direction of F (= Range(Π)^⊥) to every column: for λ = 0 still a least-squares solution."""
    return exact_ridge(F, Y, lam) + F.nullspace()[0] * sp.ones(1, Y.shape[1])


PLANTS = {
    "chen-huang-weng/theorem-5.3::k-points-from-krr": [Plant("set built for 1.01·W", {"distill": labels_scaled})],
    "chen-huang-weng/theorem-5.3::k-plus-one-family": [Plant("set built for 1.01·W", {"distill": labels_scaled})],
    "chen-huang-weng/theorem-5.3::target-outside-range": [Plant("targets projected into Range(Π)", {"target_in_range": True})],
    "chen-huang-weng/theorem-5.3::unprojected-extra-point": [Plant("Z projected (the assumption holds)", {"project": True})],
    "chen-huang-weng/theorem-5.3::h-system-interpolates": [
        Plant("H without its P_W − I block", {"construct": h_without_free_block}),
        Plant("H system built for 1.01·W", {"construct": h_for_scaled_target}),
    ],
    "chen-huang-weng/theorem-5.3::h-conditions-not-sufficient": [
        Plant("targets projected into Range(Π)", {"target_in_range": True})],
    "chen-huang-weng/theorem-5.3::h-block-singular-at-paper-widths": [
        Plant("block rank claimed to be p", {"block_rank": block_always_full})],
    "chen-huang-weng/theorem-5.3::krr-targets-k-points-exact": [
        Plant("least-squares solution plus a kernel direction", {"train": least_squares_not_minimum_norm})],
}
