"""IPC planner: the k needed for a target gap under M configurations, from the fitted laws.

With one configuration the scaling law Δ = ε + a/√k gives k* = (a/(ε_target − ε))²; with M > 1
the coverage law Δ = ε + C√(log M/k) gives k* = C² log M/(ε_target − ε)². k* increases with
both the slope and the floor, so the interval is k* at the lower and at the upper ends of their
95% CIs (``inf`` when the target is not above the upper floor). A held-out check refits each law
without its largest k and compares the predicted gap there with the observed mean gap.

``plan(gap, configs, rows)`` returns the report as text; the CLI would expose it as
``verify plan --gap 0.02 --configs 8``.
"""

from __future__ import annotations

import math

import numpy as np

from empirical.gaps import choose_preset, coverage_table, evaluations, scaling_table
from empirical.laws import assess_coverage, assess_scaling, coverage_regressor, required_k


def _interval(slope_ci, intercept_ci, gap: float, scale: float) -> tuple[float, float]:
    low = required_k(max(slope_ci[0], 0.0), intercept_ci[0], gap) * scale if slope_ci[0] > 0 else 0.0
    high = required_k(slope_ci[1], intercept_ci[1], gap) * scale
    return low, high


def _k(value: float) -> str:
    return "∞" if not math.isfinite(value) else f"{math.ceil(value)}"


def _held_out_scaling(k, gap, seeds) -> str:
    top = k.max()
    keep = k < top
    if np.unique(k[keep]).size < 3:
        return "held-out check: too few k levels"
    fit = assess_scaling(k[keep], gap[keep], seeds[keep]).law
    predicted = fit.intercept + fit.slope / math.sqrt(top)
    observed = float(gap[k == top].mean())
    return f"held-out k = {top:g}: predicted Δ {predicted:.3f}, observed {observed:.3f} (error {predicted - observed:+.3f})"


def _require_runs(method: str | None, available, configs: int) -> None:
    """A named method must have runs for this branch (scaling law for M = 1, coverage law else)."""
    methods = sorted(set(available))
    if method is not None and method not in methods:
        law = "scaling" if configs == 1 else "coverage"
        raise ValueError(f"no committed {law}-law runs for method {method!r} (M = {configs}); "
                         f"methods with runs: {', '.join(methods) or 'none'}")


def plan(gap: float, configs: int, rows: list[dict], method: str | None = None) -> str:
    """Predicted distilled size per method for target gap ``gap`` (accuracy fraction) and
    ``configs`` training configurations, with intervals and a held-out check."""
    if not (0 < gap < 1) or not math.isfinite(gap):
        raise ValueError(f"target gap must be an accuracy fraction in (0, 1), got {gap}")
    if not isinstance(configs, int) or configs < 1:
        raise ValueError(f"the number of configurations must be an integer >= 1, got {configs!r}")
    table = evaluations(rows)
    lines = [f"target gap Δ ≤ {gap:g} under M = {configs} configuration(s)"]
    if configs == 1:
        preset = choose_preset(table, coverage=False)
        data = scaling_table(table, preset)
        _require_runs(method, set(data.method) - {"random"}, configs)
        for (name, augment, configuration), part in sorted(data.groupby(["method", "augment", "configuration"])):
            if name == "random" or (method and name != method):
                continue
            k, g, s = part.ipc.to_numpy(float), part.gap.to_numpy(float), part.distill_seed.to_numpy()
            fit = assess_scaling(k, g, s).law
            point = required_k(fit.slope, fit.intercept, gap)
            low, high = _interval(fit.slope_ci, fit.intercept_ci, gap, 1.0)
            lines.append(f"{name}/{augment}/{configuration} (preset {preset}): k* = {_k(point)} images per class, "
                         f"95% interval [{_k(low)}, {_k(high)}]; floor ε = {fit.intercept:.3f}; "
                         + _held_out_scaling(k, g, s))
        return "\n".join(lines)
    preset = choose_preset(table, coverage=True)
    cells = coverage_table(table, preset)
    _require_runs(method, cells.method, configs)
    for name, part in sorted(cells.groupby("method")):
        if method and name != method:
            continue
        k, m = part.ipc.to_numpy(float), part.m.to_numpy(float)
        groups = (part.m.astype(str) + "-" + part.draw.astype(str)).to_numpy()
        fit = assess_coverage(k, m, part.worst_gap.to_numpy(float), part.mean_gap.to_numpy(float), groups).worst
        entropy = math.log(configs)
        point = required_k(fit.slope, fit.intercept, gap) * entropy
        low, high = _interval(fit.slope_ci, fit.intercept_ci, gap, entropy)
        note = " (extrapolated beyond the largest M in the runs)" if configs > m.max() else ""
        observed = part.worst_gap.to_numpy(float)
        x = coverage_regressor(k, m)
        residual = float(np.sqrt(np.mean((observed - (fit.intercept + fit.slope * x)) ** 2)))
        lines.append(f"{name} (preset {preset}, coverage law): k* = {_k(point)} images per class, 95% interval "
                     f"[{_k(low)}, {_k(high)}]{note}; floor ε = {fit.intercept:.3f}; rms residual {residual:.3f}")
    return "\n".join(lines)
