"""Figures 2 and 3 analogues (matplotlib, Agg backend; PNG and SVG).

Legends name each fit's verdict in ``verify``'s words: a law is ``supported`` or
``not-supported`` (a decisive contradiction, ``falsified`` in :mod:`empirical.laws`, reads
``not-supported`` as it does in the table and the JSON).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


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


def scaling_figure(directory, groups: dict, title: str) -> list[str]:
    """Δ against 1/√k per group (points: seed-mean gaps), fitted line, intercept marked at x = 0;
    second panel: residuals of the per-k means."""
    plt = _pyplot()
    fig, (main, residual) = plt.subplots(1, 2, figsize=(11, 4.2))
    for label, (k, gap, assessment) in groups.items():
        levels = np.unique(k)
        means = np.array([gap[k == level].mean() for level in levels])
        x = 1 / np.sqrt(levels)
        fit = assessment.law
        line = main.plot(x, means, "o", label=f"{label} ({verdict_word(assessment.verdict)})")[0]
        grid = np.linspace(0, x.max(), 50)
        main.plot(grid, fit.intercept + fit.slope * grid, "-", color=line.get_color(), alpha=0.7)
        main.plot([0], [fit.intercept], marker="D", color=line.get_color())
        residual.plot(x, means - (fit.intercept + fit.slope * x), "o-", color=line.get_color(), label=label)
    main.set_xlabel("1/√k")
    main.set_ylabel("Δ = full-data accuracy − distilled accuracy")
    main.set_title(title)
    main.legend(fontsize=7)
    residual.axhline(0, color="grey", lw=0.8)
    residual.set_xlabel("1/√k")
    residual.set_ylabel("residual of mean Δ")
    paths = _save(fig, Path(directory), "figure2-scaling-law")
    plt.close(fig)
    return paths


def coverage_figure(directory, x, worst, m, assessment, title: str) -> list[str]:
    """Δ(k, M) (worst over the subset) against √(log M)/√k, coloured by M, with the fitted line."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4.2))
    for size in np.unique(m):
        ax.plot(x[m == size], worst[m == size], "o", label=f"M = {int(size)}")
    grid = np.linspace(0, max(float(np.max(x)), 1e-9), 50)
    ax.plot(grid, assessment.worst.intercept + assessment.worst.slope * grid, "k-", lw=1,
            label=f"fit ({verdict_word(assessment.verdict)})")
    ax.set_xlabel("√(log M)/√k")
    ax.set_ylabel("Δ(k, M), worst configuration")
    ax.set_title(title)
    ax.legend(fontsize=7)
    paths = _save(fig, Path(directory), "figure3-coverage-law")
    plt.close(fig)
    return paths
