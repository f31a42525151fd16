"""Figures 2 and 3 analogues (matplotlib, Agg backend; PNG and SVG).

Legends name each fit's verdict in ``verify``'s words: a law is ``supported`` or
``not-supported`` (a decisive contradiction, ``falsified`` in :mod:`empirical.laws`, reads
``not-supported`` as it does in the table and the JSON).

Figure 2: per method, the distilled-set means at each k (error bars: 95% t interval over the
sets), the fitted line Δ = ε + a/√k with its 95% confidence band, and the random-real-subset
baseline dashed as the reference; the x axis is 1/√k labelled with k. Right: residuals of the
per-k means. Figure 3: one row per method; left, the worst gap against 1/√k, one colour per M,
with the union-bound curve ε + a/√k + c√(log M / k) for that M; right, k*(ε, M) against log M for
the registered target gaps (curves from the fit, points at the M in the runs). Coverage bars are
±1 standard error over the subset draws (two draws make a 95% t interval 12.7 SE wide).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from scipy import stats


def verdict_word(verdict: str) -> str:
    """The verdict as ``verify`` prints it for a law."""
    return "not-supported" if verdict == "falsified" else verdict


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, directory: Path, stem: str) -> list[str]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for suffix in ("png", "svg"):
        path = directory / f"{stem}.{suffix}"
        fig.savefig(path, dpi=120, bbox_inches="tight")
        paths.append(str(path))
    return paths


def _set_means(k, gap, seeds, confidence: float | None = 0.95):
    """Per k: mean of the distilled-set means and the half-width of its t interval at
    ``confidence`` (``None``: one standard error)."""
    levels = np.unique(k)
    means, halves = [], []
    for level in levels:
        sets = np.array([gap[(k == level) & (seeds == s)].mean() for s in np.unique(seeds[k == level])])
        means.append(sets.mean())
        factor = 1.0 if confidence is None else stats.t.ppf(0.5 + confidence / 2, max(sets.size - 1, 1))
        halves.append(factor * sets.std(ddof=1) / math.sqrt(sets.size) if sets.size > 1 else 0.0)
    return levels, np.array(means), np.array(halves)


def _k_axis(ax, levels) -> None:
    ax.set_xticks(1 / np.sqrt(levels))
    ax.set_xticklabels([f"{level:g}" for level in levels])
    ax.set_xlabel("k (images per class), axis linear in 1/√k")


def scaling_figure(directory, groups: dict, title: str, baseline=None) -> list[str]:
    """``groups``: label → (k, gap, distillation seeds, assessment); ``baseline``: the random
    subset's (k, gap, seeds) or ``None``."""
    plt = _pyplot()
    fig, (main, residual) = plt.subplots(1, 2, figsize=(12, 4.6), constrained_layout=True)
    all_levels = set()
    for label, (k, gap, seeds, assessment) in sorted(groups.items()):
        levels, means, halves = _set_means(k, gap, seeds)
        all_levels |= set(levels)
        x = 1 / np.sqrt(levels)
        fit = assessment.law
        line = main.errorbar(x, means, yerr=halves, fmt="o", capsize=3,
                             label=f"{label}: {verdict_word(assessment.verdict)}")[0]
        grid = np.linspace(0, x.max(), 60)
        low, high = fit.band(grid)
        main.plot(grid, fit.intercept + fit.slope * grid, "-", color=line.get_color(), lw=1)
        main.fill_between(grid, low, high, color=line.get_color(), alpha=0.15, lw=0)
        residual.errorbar(x, means - (fit.intercept + fit.slope * x), yerr=halves, fmt="o-", capsize=3,
                          color=line.get_color(), label=label)
    if baseline is not None:
        levels, means, halves = _set_means(*baseline)
        all_levels |= set(levels)
        main.errorbar(1 / np.sqrt(levels), means, yerr=halves, fmt="s--", color="grey", capsize=3,
                      label="random real subset (reference)")
    levels = np.array(sorted(all_levels))
    for ax in (main, residual):
        _k_axis(ax, levels)
    main.set_xlim(left=0)
    main.set_ylabel("Δ = full-data − distilled accuracy")
    main.set_title(title + "\nbars: 95% interval over distilled sets; band: 95% confidence of the fit", fontsize=9)
    main.legend(fontsize=7, loc="upper left")
    residual.axhline(0, color="grey", lw=0.8)
    residual.set_ylabel("mean Δ − fitted line")
    residual.set_title("residuals of the per-k means", fontsize=9)
    paths = _save(fig, Path(directory), "figure2-scaling-law")
    plt.close(fig)
    return paths


def coverage_figure(directory, methods: dict, title: str) -> list[str]:
    """``methods``: method → (k, M, worst gap, subset draws, assessment)."""
    from empirical.laws import required_k_union

    plt = _pyplot()
    fig, axes = plt.subplots(len(methods), 2, figsize=(12, 4.6 * len(methods)), constrained_layout=True,
                             squeeze=False)
    for (method, (k, m, worst, groups, assessment)), (left, right) in zip(sorted(methods.items()), axes):
        fit = assessment.worst
        colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
        for index, size in enumerate(np.unique(m)):
            pick = m == size
            levels, means, halves = _set_means(k[pick], worst[pick], groups[pick], confidence=None)
            colour = colours[index % len(colours)]
            left.errorbar(1 / np.sqrt(levels), means, yerr=halves, fmt="o", capsize=3, color=colour,
                          label=f"M = {size:g}")
            grid = np.linspace(1 / np.sqrt(k.max()), 1.0, 60)
            left.plot(grid, fit.predict(1 / grid**2, np.full(grid.size, size)), "-", color=colour, lw=1)
        _k_axis(left, np.unique(k))
        left.set_xlim(left=0)
        left.set_ylabel("Δ(k, M), worst configuration of the subset")
        left.set_title(f"{title}, {method}: ε + a/√k + c√(log M / k), {verdict_word(assessment.verdict)}\n"
                       f"ε = {fit.floor:.3f}, a = {fit.a:.3f}, c = {fit.c:.3f} (bars: ±1 SE over subset draws)",
                       fontsize=9)
        left.legend(fontsize=7)
        entropy = np.linspace(0, math.log(max(m.max(), 2)), 60)
        for target, points in assessment.k_star.items():
            curve = [required_k_union(fit, math.exp(h), target) for h in entropy]
            line = right.plot(entropy, curve, "-", lw=1, label=f"target Δ = {target:.3f}")[0]
            sizes = sorted(points)
            right.plot([math.log(s) for s in sizes], [points[s] for s in sizes], "o", color=line.get_color())
        right.set_xlabel("log M")
        right.set_ylabel("k* (images per class) for the target gap")
        right.set_yscale("log")
        right.set_title("k*(ε, M) from the fit: ((a + c√(log M))/(ε − ε₀))²", fontsize=9)
        right.legend(fontsize=7)
    paths = _save(fig, Path(directory), "figure3-coverage-law")
    plt.close(fig)
    return paths
