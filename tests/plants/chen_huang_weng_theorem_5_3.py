"""Planted failures for chen-huang-weng/theorem-5.3."""

import numpy as np

from theorems.chen_huang_weng.theorem_5_3 import distill_deep_linear

from tests.plants import Plant


def preimage_of_wrong_layer(W, network, Y_S, Z=None, lam_s=0.0):
    """Inverts only the first layer (X_S = W₁⁺F_S) instead of the whole product Π."""
    X_S, lam = distill_deep_linear(W, network, Y_S, Z, lam_s)
    F_S = network(X_S)
    return F_S[:, : network.weights[0].shape[0]] @ np.linalg.pinv(network.weights[0]).T, lam


def labels_scaled(W, network, Y_S, Z=None, lam_s=0.0):
    """Builds the set for 1.01·W."""
    return distill_deep_linear(1.01 * W, network, Y_S, Z, lam_s)


PLANTS = {
    "chen-huang-weng/theorem-5.3::k-points-from-krr": [Plant("set built for 1.01·W", {"distill": labels_scaled})],
    "chen-huang-weng/theorem-5.3::k-plus-one-family": [Plant("set built for 1.01·W", {"distill": labels_scaled})],
    "chen-huang-weng/theorem-5.3::target-outside-range": [Plant("targets projected into Range(Π)", {"target_in_range": True})],
    "chen-huang-weng/theorem-5.3::unprojected-extra-point": [Plant("Z projected (the assumption holds)", {"project": True})],
}
