"""From stored runs to gap tables (pandas; no torch).

Each run row (see :mod:`empirical.store`) holds a spec and per-(configuration, evaluation seed)
test accuracy and loss. The full-data reference of a configuration is the ``full`` trial of the
same preset; its accuracy is averaged over evaluation seeds. Then

    Δ = full-data accuracy − distilled-set accuracy,   loss gap = distilled loss − full-data loss,

one value per (trial, configuration, evaluation seed). Committed runs live in
``empirical/runs/*.jsonl`` (one JSON object per trial, with provenance columns).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from empirical.store import read_jsonl

RUNS_DIR = Path(__file__).resolve().parent / "runs"
# Which registered design decides a law, most thorough first; at the same scale, a design evaluated under a
# fixed step count (gpu-h200, cpu-steps) ahead of the older epochs-protocol one (gpu, cpu). The ConvNet
# laws choose among the ConvNet presets only, the convex claim among the convex ones only.
PRESET_PREFERENCE = ("gpu-h200", "gpu", "cpu-steps", "cpu", "cpu-lite", "coverage-lite", "coverage-lite-normalised",
                     "coverage-lite-convnet", "smoke")
CONVEX_PRESET_PREFERENCE = ("convex", "convex-lite")


def committed_rows(directory: str | Path = RUNS_DIR) -> list[dict]:
    paths = sorted(Path(directory).glob("*.jsonl"))
    if not paths:
        raise ValueError(f"no committed runs (*.jsonl) under {str(directory)!r}; run a preset with --rerun")
    return read_jsonl(paths)


def evaluations(rows: Iterable[dict]) -> pd.DataFrame:
    """One row per (trial, configuration, evaluation seed) with Δ and the loss gap."""
    records = []
    for row in rows:
        spec, metrics = row["spec"], row["metrics"]
        options = spec.get("options", {})
        for item in metrics["evaluations"]:
            records.append({
                "key": row["key"], "preset": spec["preset"], "method": spec["method"], "ipc": spec["ipc"],
                "subset": "|".join(spec["configurations"]), "m": len(spec["configurations"]),
                "coverage": bool(options.get("coverage")), "draw": options.get("draw", 0),
                "augment": options.get("augment", "none"), "distill_seed": spec["distill_seed"],
                "configuration": item["configuration"], "eval_seed": item["eval_seed"],
                "accuracy": item["accuracy"], "loss": item["loss"], "device": row.get("device", ""),
                "git_revision": row.get("git_revision", ""), "package_version": row.get("package_version", ""),
            })
    table = pd.DataFrame.from_records(records)
    if table.empty:
        raise ValueError("the runs contain no evaluations")
    full = table[table.method == "full"].groupby(["preset", "configuration"])[["accuracy", "loss"]].mean()
    full = full.rename(columns={"accuracy": "full_accuracy", "loss": "full_loss"}).reset_index()
    table = table[table.method != "full"].merge(full, on=["preset", "configuration"], how="inner")
    table["gap"] = table.full_accuracy - table.accuracy
    table["loss_gap"] = table.loss - table.full_loss
    return table


def testbed_of(preset: str) -> str:
    """The testbed of a named preset (``convnet`` or ``convex``); a user's own design is ``convnet``."""
    from empirical.presets import PRESETS

    chosen = PRESETS.get(preset)
    return chosen.testbed if chosen is not None else "convnet"


def testbed_presets(table: pd.DataFrame, coverage: bool, testbed: str = "convnet") -> set[str]:
    """The presets of ``testbed`` with trials of the wanted kind (coverage or scaling) in ``table``."""
    return {name for name in set(table[table.coverage == coverage].preset) if testbed_of(name) == testbed}


def choose_preset(table: pd.DataFrame, coverage: bool, testbed: str = "convnet") -> tuple[str, list[str]]:
    """(the registered confirmatory preset that decides, the other presets of the same testbed with
    trials of the wanted kind): the most thorough confirmatory one (see PRESET_PREFERENCE,
    CONVEX_PRESET_PREFERENCE and :mod:`empirical.registrations`); a user's runs (one unregistered
    design, counted as a ConvNet one) decide alone. Presets of another testbed are never candidates."""
    from empirical.registrations import deciding_preset

    present = testbed_presets(table, coverage, testbed)
    if not present:
        raise ValueError(f"the runs hold no {'coverage' if coverage else 'scaling'} trials of the {testbed} testbed "
                         f"with a full-data reference")
    return deciding_preset(present, CONVEX_PRESET_PREFERENCE if testbed == "convex" else PRESET_PREFERENCE)


def scaling_table(table: pd.DataFrame, preset: str) -> pd.DataFrame:
    """Single-configuration trials of ``preset``: gap per (method, augment, configuration, k, seeds)."""
    return table[(table.preset == preset) & ~table.coverage]


def coverage_table(table: pd.DataFrame, preset: str) -> pd.DataFrame:
    """Coverage trials of ``preset``: worst and mean gap over each subset's configurations,
    averaged over evaluation seeds first, one row per (method, M, draw, k)."""
    chosen = table[(table.preset == preset) & table.coverage]
    per_config = chosen.groupby(["method", "m", "draw", "ipc", "subset", "configuration"], as_index=False).gap.mean()
    cells = per_config.groupby(["method", "m", "draw", "ipc", "subset"], as_index=False).gap.agg(["max", "mean"])
    return cells.rename(columns={"max": "worst_gap", "mean": "mean_gap"})


def worst_of_m_bias(table: pd.DataFrame, preset: str) -> float:
    """Upper bound on the upward bias of the worst gap of an M = max subset from evaluation noise:
    the max of M seed-averaged gaps, each with noise sd σ_e/√n (σ_e pooled over evaluation seeds),
    exceeds the max of their means by at most about (σ_e/√n)·√(2 log M). NaN with one evaluation
    seed (σ_e is then not estimable)."""
    chosen = table[(table.preset == preset) & table.coverage]
    cells = chosen.groupby(["key", "configuration"]).gap
    n = float(cells.count().mean())
    if n < 2:
        return float("nan")
    sigma = float(cells.var(ddof=1).mean()) ** 0.5
    return sigma / n**0.5 * (2 * np.log(chosen.m.max())) ** 0.5
