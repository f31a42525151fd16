"""Synthetic runs drawn from a known law, for checking the fitting code (numpy only).

``scaling_runs`` draws Δ(k, seed) = law(k) + u_seed + e with a per-seed offset u ~ N(0, σ_u²)
(runs sharing a distillation seed are correlated, which the clustered errors must absorb) and
independent noise e ~ N(0, σ²). ``coverage_runs`` draws the worst gap of M-configuration
subsets as law(k, M) + u_subset + e.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

DEFAULT_KS = (1, 2, 4, 8, 16, 32, 64, 128, 256)


def scaling_runs(rng: np.random.Generator, law: Callable[[np.ndarray], np.ndarray], *, ks=DEFAULT_KS,
                 seeds: int = 16, seed_sd: float = 0.0, noise_sd: float = 0.01):
    """(k, gap, seed) arrays, one point per (k, seed)."""
    if seeds < 1 or noise_sd < 0 or seed_sd < 0:
        raise ValueError("need seeds >= 1 and non-negative standard deviations")
    k = np.tile(np.asarray(ks, dtype=float), seeds)
    groups = np.repeat(np.arange(seeds), len(ks))
    offsets = rng.normal(0.0, seed_sd, seeds)[groups] if seed_sd > 0 else 0.0
    gap = law(k) + offsets + rng.normal(0.0, noise_sd, k.size)
    return k, gap, groups


def coverage_runs(rng: np.random.Generator, law: Callable[[np.ndarray, np.ndarray], np.ndarray], *,
                  ks=(1, 2, 4, 8, 16, 32, 64), sizes=(1, 2, 4, 8), draws: int = 4, subset_sd: float = 0.0,
                  noise_sd: float = 0.01):
    """(k, M, worst gap, subset id) arrays, one point per (M, draw, k)."""
    grid = [(m, d, k) for m in sizes for d in range(draws) for k in ks]
    m = np.array([g[0] for g in grid], dtype=float)
    k = np.array([g[2] for g in grid], dtype=float)
    groups = np.array([g[0] * 1000 + g[1] for g in grid])
    offsets = rng.normal(0.0, subset_sd, groups.max() + 1)[groups] if subset_sd > 0 else 0.0
    return k, m, law(k, m) + offsets + rng.normal(0.0, noise_sd, k.size), groups
