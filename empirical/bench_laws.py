"""How often the coverage-law verdict is right on synthetic runs of the committed design.

Design (that of the committed coverage runs): M ∈ {1, 2, 4, 8}, 2 subset draws per M,
k ∈ {1, 2, 4, 8, 16}, one distilled set per cell; each cell's gap is the planted Δ(k, M) plus a
per-draw offset N(0, (σ/2)²) and cell noise N(0, σ²). Three truths:

* ``both laws``: Δ = 0.05 + 0.15/√k + 0.05·√(log M / k) (scaling and coverage law hold);
* ``linear in M``: Δ = 0.05 + 0.15/√k + 0.05·(M − 1)/√k;
* ``1/k``: Δ = 0.05 + 0.15/k + 0.05·√(log M)/k.

``python -m empirical.bench_laws [--replicates N] [--noise σ]`` prints, per truth, how many
replicates :func:`empirical.laws.assess_coverage` calls supported / not-supported / falsified.
The registered target: the first ≥ 95 of 100 supported, the others ≥ 95 of 100 not supported.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

import numpy as np

from empirical.laws import assess_coverage
from empirical.synthetic_runs import coverage_runs

DESIGN = {"ks": (1, 2, 4, 8, 16), "sizes": (1, 2, 4, 8), "draws": 2}
NOISE = 0.005
TRUTHS = {
    "both laws": lambda k, m: 0.05 + 0.15 / np.sqrt(k) + 0.05 * np.sqrt(np.log(m) / k),
    "linear in M": lambda k, m: 0.05 + 0.15 / np.sqrt(k) + 0.05 * (m - 1) / np.sqrt(k),
    "1/k": lambda k, m: 0.05 + 0.15 / k + 0.05 * np.sqrt(np.log(m)) / k,
}


def verdict_counts(truth: str, replicates: int, seed: int = 0, noise: float = NOISE) -> Counter:
    """Verdicts of ``assess_coverage`` over ``replicates`` synthetic data sets drawn from ``truth``."""
    if truth not in TRUTHS:
        raise ValueError(f"unknown truth {truth!r}; known: {', '.join(TRUTHS)}")
    if replicates < 1 or not noise > 0:
        raise ValueError(f"need replicates >= 1 and noise > 0, got {replicates} and {noise}")
    rng = np.random.default_rng(seed)
    counts: Counter = Counter()
    for _ in range(replicates):
        k, m, gap, groups = coverage_runs(rng, TRUTHS[truth], subset_sd=noise / 2, noise_sd=noise, **DESIGN)
        counts[assess_coverage(k, m, gap, gap, groups).verdict] += 1
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=100)
    parser.add_argument("--noise", type=float, default=NOISE)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    for truth in TRUTHS:
        start = time.perf_counter()
        counts = verdict_counts(truth, args.replicates, args.seed, args.noise)
        print(f"{truth:12s} supported {counts['supported']:3d}  not-supported {counts['not-supported']:3d}  "
              f"falsified {counts['falsified']:3d}  of {args.replicates} ({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
