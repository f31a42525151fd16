"""Planted failures for selvan-chen/herding-rate."""

import numpy as np

from constructions.condensers import HerdingPath, herd

from tests.plants import Plant


def forgets_the_mean(w, mean, chosen):
    """w_t = w_{t−1} − φ_t: the μ term dropped from the herding update."""
    return w - chosen


def random_order(features, steps, weights=None, distinct=False):
    """'Herding' that picks candidates in a fixed pseudo-random order (i.i.d.-like)."""
    picks = np.random.default_rng(12345).choice(features.shape[0], steps, replace=not distinct)
    mean = (np.full(features.shape[0], 1 / features.shape[0]) if weights is None else weights) @ features
    path = np.linalg.norm(np.cumsum(features[picks], axis=0) / np.arange(1, steps + 1)[:, None] - mean, axis=1)
    return HerdingPath(picks, path)


def every_candidate(features, rng):
    """All data points as candidates: μ is inside their hull, so herding keeps its rate."""
    return features


def reports_mmd_squared(features, steps, weights=None, distinct=False):
    """Herding whose path reports MMD² instead of MMD (slope ≈ −2)."""
    path = herd(features, steps, weights=weights, distinct=distinct)
    return HerdingPath(path.indices, path.mmd**2)


def ignores_weights(features, steps, weights=None, distinct=False):
    """Herding towards the uniform mean whatever the weights."""
    return herd(features, steps, distinct=distinct)


def repeats_in_distinct_mode(features, steps, weights=None, distinct=False):
    """The distinct-mode mask lost: candidates may be picked again."""
    return herd(features, steps, weights=weights)


def cubic_fake_path(features, steps, weights=None, distinct=False):
    """The true choices with a fabricated k⁻³ MMD path."""
    path = herd(features, steps, weights=weights, distinct=distinct)
    return HerdingPath(path.indices, path.mmd[0] * np.arange(1, steps + 1) ** -3.0)


RATE_PLANTS = [Plant("random order instead of herding", {"herd_fn": random_order}),
               Plant("MMD² reported", {"herd_fn": reports_mmd_squared}),
               Plant("weights ignored", {"herd_fn": ignores_weights}),
               Plant("distinct-mode mask lost", {"herd_fn": repeats_in_distinct_mode}),
               Plant("k⁻³ fake path", {"herd_fn": cubic_fake_path})]

PLANTS = {
    "selvan-chen/herding-rate::telescoping": [Plant("update forgets μ", {"update": forgets_the_mean})],
    "selvan-chen/herding-rate::synthetic-rates": RATE_PLANTS,
    "selvan-chen/herding-rate::fashion-mnist-rates": RATE_PLANTS,
    "selvan-chen/herding-rate::mean-outside-hull": [Plant("candidates are all the data", {"restrict": every_candidate})],
}
