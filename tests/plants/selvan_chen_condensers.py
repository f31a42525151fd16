"""Planted failures for selvan-chen/condensers."""

import dataclasses

import numpy as np

from constructions.condensers import (
    CondensedClass,
    condense,
    kmeans_plus_plus,
    quantiser_from,
    random_subset,
)
from constructions.discrepancy import measure, median_bandwidth, sliced_wasserstein, squared_distances, weighted_kernel_sum

from tests.plants import Plant


class SquaredDistance:
    name = "distance"

    def matrix(self, X, Y):
        return squared_distances(X, Y)


def squared_energy(T, S, weights_T=None, weights_S=None):
    """The energy distance with squared distances (it collapses to 2‖mean difference‖²)."""
    P, Q = measure(T, weights_T, "T"), measure(S, weights_S, "S")
    d = SquaredDistance()
    return (2.0 * weighted_kernel_sum(d, P.points, P.weights, Q.points, Q.weights)
            - weighted_kernel_sum(d, P.points, P.weights, P.points, P.weights)
            - weighted_kernel_sum(d, Q.points, Q.weights, Q.points, Q.weights))


def sliced_ignoring_weights(T, S, rng, projections=64, p=2.0, weights_T=None, weights_S=None):
    """The sliced distance with uniform weights whatever the caller passed."""
    return sliced_wasserstein(T, S, rng, projections=projections, p=p)


def first_points(X, ipc, rng, **options):
    """'Herding' that returns the first ipc points of the class."""
    return CondensedClass(np.asarray(X, dtype=float)[:ipc].copy(), np.full(ipc, 1.0 / ipc))


def ascending_mmd_descent(X, ipc, rng, *, steps=150, learning_rate=0.05, batch=1000, device="cpu"):
    """MMD descent with Adam maximising the loss: it ascends."""
    import torch

    start = random_subset(X, ipc, rng).points
    sigma = median_bandwidth(X, rng)
    data = torch.as_tensor(X, dtype=torch.float64)
    synthetic = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    optimiser = torch.optim.Adam([synthetic], lr=learning_rate * sigma / np.sqrt(X.shape[1]), maximize=True)
    scale = 1.0 / (2.0 * sigma**2)

    def kernel_mean(A, B):
        return torch.exp(-torch.cdist(A, B) ** 2 * scale).mean()

    for _ in range(steps):
        loss = kernel_mean(synthetic, synthetic) - 2.0 * kernel_mean(data, synthetic)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    return CondensedClass(synthetic.detach().numpy(), np.full(ipc, 1.0 / ipc))


def seeds_without_lloyd(X, ipc, rng):
    """The k-means++ seeds with their masses: Lloyd never run."""
    q = quantiser_from(X, kmeans_plus_plus(X, ipc, rng))
    return CondensedClass(q.centroids, q.weights)


def flow_that_stays(X, ipc, rng, **options):
    """The sliced flow returning its starting random subset unchanged."""
    return random_subset(X, ipc, rng)


def labels_rotated(X, labels, ipc, method, rng, **options):
    """condense with the class labels of its output rotated by one class."""
    result = condense(X, labels, ipc, method, rng, **options)
    classes = np.unique(result.labels)
    rotated = np.roll(classes, 1)[np.searchsorted(classes, result.labels)]
    return dataclasses.replace(result, labels=rotated)


PLANTS = {
    "selvan-chen/condensers::energy-distance": [Plant("squared distances", {"discrepancy": squared_energy})],
    "selvan-chen/condensers::sliced-reference": [Plant("weights ignored", {"discrepancy": sliced_ignoring_weights})],
    "selvan-chen/condensers::herding": [Plant("the first ipc points", {"condenser": first_points})],
    "selvan-chen/condensers::mmd-descent": [Plant("Adam ascending", {"condenser": ascending_mmd_descent})],
    "selvan-chen/condensers::kmeans-w2": [Plant("Lloyd never run", {"condenser": seeds_without_lloyd})],
    "selvan-chen/condensers::sliced-wasserstein": [Plant("the flow returns its start", {"condenser": flow_that_stays})],
    "selvan-chen/condensers::condense-by-class": [Plant("labels rotated", {"assemble": labels_rotated})],
}
