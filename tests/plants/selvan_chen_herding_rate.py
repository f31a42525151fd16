"""Planted failures for selvan-chen/herding-rate."""

import numpy as np

from constructions.condensers import HerdingPath

from tests.plants import Plant


def forgets_the_mean(w, mean, chosen):
    """w_t = w_{t−1} − φ_t: the μ term dropped from the herding update."""
    return w - chosen


def random_order(features, steps):
    """'Herding' that picks candidates in a fixed pseudo-random order (i.i.d.-like)."""
    picks = np.random.default_rng(12345).integers(0, features.shape[0], steps)
    mean = features.mean(axis=0)
    path = np.linalg.norm(np.cumsum(features[picks], axis=0) / np.arange(1, steps + 1)[:, None] - mean, axis=1)
    return HerdingPath(picks, path)


def every_candidate(features, rng):
    """All data points as candidates: μ is inside their hull, so herding keeps its rate."""
    return features


PLANTS = {
    "selvan-chen/herding-rate::telescoping": [Plant("update forgets μ", {"update": forgets_the_mean})],
    "selvan-chen/herding-rate::synthetic-rates": [Plant("random order instead of herding", {"herd_fn": random_order})],
    "selvan-chen/herding-rate::fashion-mnist-rates": [Plant("random order instead of herding", {"herd_fn": random_order})],
    "selvan-chen/herding-rate::mean-outside-hull": [Plant("candidates are all the data", {"restrict": every_candidate})],
}
