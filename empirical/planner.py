"""IPC planner: the k needed for a target gap under M configurations, from one registered design.

For a method with coverage runs every M (M = 1 included) is answered from the union-bound fit
Δ(k, M) = ε + a/√k + c·√(log M / k) of the registered design that decides the coverage law:

    k*(ε_target, M) = ((a + c√(log M)) / (ε_target − ε))²,

so k* is non-decreasing in M whenever the fitted c ≥ 0 (one fit, one design, every M). A method
without coverage runs is answered for M = 1 only, from the scaling-law fit Δ = ε + a/√k of the
registered scaling design (per configuration), with a held-out check (refit without the largest
k, predict it). The 95% interval takes the CI ends of the slopes and the floor together. A target
at or below the fitted floor gets "target below the fitted floor ε = …" instead of a number; a
fit whose law the registered criteria do not support is answered with a one-line warning.
"""

from __future__ import annotations

import math

import numpy as np

from empirical.gaps import choose_preset, coverage_table, evaluations, scaling_table
from empirical.laws import assess_coverage, assess_scaling, required_k


def _k(value: float) -> str:
    return "unbounded" if not math.isfinite(value) else f"{math.ceil(value)}"


def _answer(point: float, low: float, high: float, floor: float, gap: float) -> str:
    if gap <= floor:
        return f"target below the fitted floor ε = {floor:.3f}: no k reaches it"
    return f"k* = {_k(point)} images per class, 95% interval [{_k(low)}, {_k(high)}]"


def _held_out_scaling(k, gap, seeds) -> str:
    top = k.max()
    keep = k < top
    if np.unique(k[keep]).size < 3:
        return "held-out check: too few k levels"
    fit = assess_scaling(k[keep], gap[keep], seeds[keep]).law
    predicted = fit.intercept + fit.slope / math.sqrt(top)
    observed = float(gap[k == top].mean())
    return (f"held-out k = {top:g}: predicted Δ {predicted:.3f}, observed {observed:.3f} "
            f"(error {predicted - observed:+.3f})")


def _warning(verdict: str, law: str, preset: str) -> str:
    if verdict == "supported":
        return ""
    return (f"\n  warning: the {law} is {verdict.replace('falsified', 'contradicted')} on design {preset}; "
            f"this k* extrapolates a form the data do not support")


def _coverage_line(name: str, part, configs: int, gap: float, preset: str) -> str:
    k, m = part.ipc.to_numpy(float), part.m.to_numpy(float)
    groups = (part.m.astype(str) + "-" + part.draw.astype(str)).to_numpy()
    result = assess_coverage(k, m, part.worst_gap.to_numpy(float), part.mean_gap.to_numpy(float), groups)
    fit, root = result.worst, math.sqrt(math.log(configs))
    point = required_k(fit.a + fit.c * root, fit.floor, gap)
    low = required_k(max(fit.a_ci[0], 0.0) + max(fit.c_ci[0], 0.0) * root, fit.floor_ci[0], gap)
    high = required_k(fit.a_ci[1] + fit.c_ci[1] * root, fit.floor_ci[1], gap)
    note = f" (extrapolated beyond the largest M = {m.max():g} in the runs)" if configs > m.max() else ""
    return (f"{name} (design {preset}, union bound ε + a/√k + c√(log M / k)): "
            f"{_answer(point, low, high, fit.floor, gap)}"
            f"{note}; floor ε = {fit.floor:.3f}, a = {fit.a:.3f}, c = {fit.c:.3f}"
            + _warning(result.verdict, "coverage law", preset))


def _scaling_lines(data, gap: float, preset: str, method: str | None) -> list[str]:
    lines = []
    for (name, augment, configuration), part in sorted(data.groupby(["method", "augment", "configuration"])):
        if name == "random" or (method and name != method):
            continue
        k, g, s = part.ipc.to_numpy(float), part.gap.to_numpy(float), part.distill_seed.to_numpy()
        result = assess_scaling(k, g, s)
        fit = result.law
        point = required_k(fit.slope, fit.intercept, gap)
        low = required_k(max(fit.slope_ci[0], 0.0), fit.intercept_ci[0], gap)
        high = required_k(fit.slope_ci[1], fit.intercept_ci[1], gap)
        lines.append(f"{name}/{augment}/{configuration} (design {preset}, scaling law ε + a/√k): "
                     f"{_answer(point, low, high, fit.intercept, gap)}; floor ε = {fit.intercept:.3f}; "
                     + _held_out_scaling(k, g, s) + _warning(result.verdict, "scaling law", preset))
    return lines


def plan(gap: float, configs: int, rows: list[dict], method: str | None = None, source: str = "committed") -> str:
    """Predicted distilled size per method for target gap ``gap`` (accuracy fraction) and
    ``configs`` training configurations, each method from one registered design; ``source``
    names the rows in errors ("committed", or "your" for ``--runs``)."""
    if not (0 < gap < 1) or not math.isfinite(gap):
        raise ValueError(f"target gap must be an accuracy fraction in (0, 1), got {gap}")
    if not isinstance(configs, int) or configs < 1:
        raise ValueError(f"the number of configurations must be an integer >= 1, got {configs!r}")
    table = evaluations(rows)
    cells, coverage_preset = None, None
    if table.coverage.any():
        coverage_preset, _ = choose_preset(table, coverage=True)
        cells = coverage_table(table, coverage_preset)
    covered = set(cells.method) if cells is not None else set()
    scaling = set(table[~table.coverage].method) - {"random"}
    available = covered if configs > 1 else covered | scaling
    if method is not None and method not in available:
        law = "coverage" if configs > 1 else "scaling"
        also = "" if configs > 1 else ", coverage-law runs would also do"
        raise ValueError(f"no {source} {law}-law runs for method {method!r} (M = {configs}{also}); "
                         f"methods with runs: {', '.join(sorted(available)) or 'none'}")
    if not available:
        raise ValueError(f"the runs hold no coverage trials, so no plan for M = {configs} > 1")
    lines = [f"target gap Δ ≤ {gap:g} under M = {configs} configuration(s)"]
    for name in sorted(covered):
        if method is None or name == method:
            lines.append(_coverage_line(name, cells[cells.method == name], configs, gap, coverage_preset))
    rest = {name for name in scaling - covered if method is None or name == method}
    if configs == 1 and rest:
        preset, _ = choose_preset(table, coverage=False)
        data = scaling_table(table, preset)
        lines += _scaling_lines(data[data.method.isin(rest)], gap, preset, method)
    return "\n".join(lines)
