"""One command for a time-limited GPU window: resume a run store, run the most important unfinished
trials through the packed engine, and leave everything in one small output folder before the limit.

    python -m empirical.gpu_window --minutes 8 --data .data/fashion-mnist --store .data/runs.sqlite --out $OUT

It needs only PyTorch, numpy and the standard library at import time (matplotlib, for figures, is
optional and imported last). Fashion-MNIST is read from ``--data`` (the four IDX ``.gz`` files).
Trials run in :func:`priority` order, a group of distillation seeds at a time
(:mod:`empirical.packed_trials`): the full-data references and the DM and random-subset scaling
sweep at every k (plain, then DSA), then GM and MTT, then the coverage family. A GM or MTT group
is started only when its estimated cost (:func:`estimated_flops` at the throughput measured so far
in this window) fits in the time left, since those distillers are not checkpointed mid-run; DM
and every evaluation stop within a step of the limit and checkpoint (``--work`` folder, packed
into ``checkpoints.tar`` in the output when it is small enough to carry).

The output folder receives ``runs.sqlite`` (the whole store), ``runs.jsonl`` (its export),
``summary.json`` (trials done, iterations/s and evaluation steps/s per method, peak GPU memory, what
was skipped and why) and, when matplotlib is importable, ``accuracy.png``; each file is checked
against ``--max-file-mib`` (16) and one that is larger is left out and named in the summary.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import tarfile
import time
from pathlib import Path

from empirical.checkpoint import DeadlineReached, WallClock

WINDOW_PRESET = "gpu-h200"
METHOD_PRIORITY = ("full", "random", "dm", "gm", "mtt")
DEFAULT_TFLOPS = 20.0  # assumed float32 throughput before anything is measured in the window


def priority(spec, chosen) -> tuple:
    """Sort key: scaling trials before coverage trials (a reference run belongs to the scaling sweep
    when its configuration is a scaling configuration); within them, references, random and DM
    (plain before DSA), then GM and MTT; then k ascending and the seed."""
    coverage = spec.option("coverage") is not None or spec.configurations[0] not in chosen.scaling_configurations
    late = spec.method in ("gm", "mtt")
    return (coverage, late, spec.option("augment", "none") != "none", METHOD_PRIORITY.index(spec.method),
            spec.ipc, spec.option("coverage", 0), spec.option("draw", 0), spec.configurations, spec.distill_seed)


def forward_flops(architecture: str, image_size: int, channels: int = 1) -> float:
    """Multiply-adds × 2 of one forward pass of one image (convolutions and linear layers)."""
    import torch
    from torch import nn

    from empirical.packed import template

    module, total = template(architecture, channels, 10, image_size), 0.0
    shapes: dict = {}

    def hook(layer, inputs, output):
        shapes[layer] = output.shape

    handles = [m.register_forward_hook(hook) for m in module.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    module(torch.empty(1, channels, image_size, image_size, device="meta"))
    for handle in handles:
        handle.remove()
    for layer, shape in shapes.items():
        total += 2 * layer.weight.numel() * (shape[-1] * shape[-2] if isinstance(layer, nn.Conv2d) else 1)
    return total


def estimated_flops(spec, chosen) -> float:
    """Training ≈ 3 forward passes per image; second-order steps (GM, MTT) ≈ 2 training passes."""
    from constructions.matching import gm_loops
    from empirical.packed_trials import FIXED_EVALUATION_STEPS

    arch = chosen.configuration(spec.configurations[0]).architecture
    f = forward_flops(arch, chosen.image_size)
    n_syn, real = 10 * spec.ipc, 10 * chosen.real_batch
    iterations = chosen.iterations(spec.method, spec.ipc)
    evaluation = len(spec.eval_seeds) * len(spec.configurations) * 3 * f
    if spec.method == "full":
        train_size = 10 * (chosen.train_per_class or 6000)
        return evaluation * chosen.full_epochs * train_size
    steps = FIXED_EVALUATION_STEPS.get(chosen.name)
    batch = min(256, n_syn)
    evaluation *= batch * (steps or chosen.configuration(spec.configurations[0]).epochs * -(-n_syn // batch))
    if spec.method == "dm":
        distil = iterations * (real * f + n_syn * 3 * f)
    elif spec.method == "gm":
        outer, inner = gm_loops(spec.ipc, chosen.gm_outer_cap, chosen.gm_inner_cap)
        distil = iterations * outer * ((real + 2 * n_syn) * 3 * f + inner * n_syn * 3 * f)
    elif spec.method == "mtt":  # plus the experts' SGD epochs (counted for every group: an upper bound)
        train_size = 10 * (chosen.train_per_class or 6000)
        distil = iterations * chosen.mtt_steps * n_syn * 6 * f + chosen.experts * chosen.expert_epochs * train_size * 3 * f
    else:
        distil = 0.0
    return distil + evaluation


def plan(chosen, finished: set[str]) -> list[list]:
    """The unfinished trials of ``chosen`` as groups, highest priority first."""
    from empirical.packed_trials import groups

    pending = sorted((s for s in chosen.specs() if s.key not in finished), key=lambda s: priority(s, chosen))
    return sorted(groups(pending), key=lambda group: priority(group[0], chosen))


def _peak_memory_mib() -> float | None:
    import torch

    return torch.cuda.max_memory_allocated() / 2**20 if torch.cuda.is_available() else None


def _copy_store(store: Path, destination: Path) -> None:
    """A consistent copy of the SQLite store (WAL folded in) through SQLite's backup API."""
    destination.unlink(missing_ok=True)
    source, target = sqlite3.connect(store), sqlite3.connect(destination)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _figure(rows: list[dict], path: Path) -> str | None:
    """Mean test accuracy against k per (method, augmentation), log-x: the file's name, or why there is none."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed: no figure"
    series: dict[tuple, dict[int, list[float]]] = {}
    for row in rows:
        spec = row["spec"]
        if spec["method"] == "full" or "coverage" in spec["options"]:
            continue
        accuracies = [e["accuracy"] for e in row["metrics"]["evaluations"]]
        key = (spec["method"], spec["options"].get("augment", "none"))
        series.setdefault(key, {}).setdefault(spec["ipc"], []).extend(accuracies)
    fig, axis = plt.subplots(figsize=(6, 4))
    for (method, aug), points in sorted(series.items()):
        ks = sorted(points)
        axis.plot(ks, [sum(points[k]) / len(points[k]) for k in ks], marker="o", label=f"{method} ({aug})")
    axis.set(xscale="log", xlabel="images per class k", ylabel="test accuracy", title="scaling sweep so far")
    if series:
        axis.legend(fontsize=7)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path.name


def run_window(minutes: float, data: str | Path, store: str | Path, out: str | Path, preset_name: str = WINDOW_PRESET,
               work: str | Path | None = None, reserve_seconds: float = 20.0, fast_math: bool = False,
               max_file_mib: float = 16.0) -> dict:
    """Run one window (see the module docstring) and return the summary it writes."""
    from empirical.datasets import FASHION_MNIST_ENV, check_readable, missing_reason
    from empirical.files import writable_directory, write_text_atomic
    from empirical.presets import export_runs, preset
    from empirical.store import Provenance, RunStore

    clock = WallClock(max(0.0, 60 * minutes - reserve_seconds))
    chosen = preset(preset_name)
    out, store = writable_directory(out, "--out"), Path(store)
    work = writable_directory(work or store.parent / "window-work", "--work")
    os.environ[FASHION_MNIST_ENV] = str(data)
    os.environ.setdefault("DDTHEORY_CACHE", str(work))
    if missing_reason("fashion-mnist"):
        raise ValueError(f"--data: {missing_reason('fashion-mnist')}")
    check_readable("fashion-mnist")
    if (work / "checkpoints.tar").exists():
        with tarfile.open(work / "checkpoints.tar") as bundle:
            bundle.extractall(work, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
        (work / "checkpoints.tar").unlink()
    import torch

    from empirical.packed import set_fast_math
    from empirical.packed_trials import run_group

    set_fast_math(fast_math)
    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()
    else:  # as run_trial: one thread unless $DDTHEORY_TORCH_THREADS says otherwise (no spinning on a shared box)
        torch.set_num_threads(int(os.environ.get("DDTHEORY_TORCH_THREADS", "1")))
    summary: dict = {"preset": chosen.name, "device": torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu",
                     "fast_math": fast_math, "minutes": minutes, "groups_done": 0, "trials_done": 0, "skipped": [],
                     "iterations_per_second": {}, "eval_steps_per_second": {}, "stopped": "all trials finished"}
    flops_done, seconds_done = 0.0, 0.0
    provenance = Provenance()
    with RunStore(store) as runs:
        for group in plan(chosen, runs.finished_keys()):
            if clock.expired():
                summary["stopped"] = "time limit"
                break
            cost = sum(estimated_flops(spec, chosen) for spec in group)
            rate = flops_done / seconds_done if seconds_done > 1 else DEFAULT_TFLOPS * 1e12
            if group[0].method in ("gm", "mtt") and cost / rate > clock.left():
                summary["skipped"].append(f"{group[0].method} k={group[0].ipc}: estimated {cost / rate:.0f} s, "
                                          f"{clock.left():.0f} s left")
                continue
            started = time.perf_counter()
            try:
                results = run_group(group, chosen, work, clock)
            except DeadlineReached:
                summary["stopped"] = f"time limit inside {group[0].method} k={group[0].ipc} (checkpointed)"
                break
            flops_done, seconds_done = flops_done + cost, seconds_done + time.perf_counter() - started
            for spec, result in results:
                runs.record(spec, result, provenance)
                (work / f"synthetic-{spec.key}.pt").unlink(missing_ok=True)  # recorded: keep the carried folder small
            summary["groups_done"] += 1
            summary["trials_done"] += len(results)
            metrics = results[0][1].metrics
            if metrics.get("iterations") and metrics["distill_seconds"] > 0:  # run-iterations per second
                summary["iterations_per_second"].setdefault(group[0].method, []).append(
                    round(metrics["iterations"] / metrics["distill_seconds"], 3))
            for rate_value in metrics["eval_steps_per_second"].values():
                summary["eval_steps_per_second"].setdefault(group[0].method, []).append(round(rate_value, 3))
        summary["store_trials"] = len(runs)
        summary["preset_trials"] = len(chosen.specs())
        rows = list(runs.rows())
    summary["estimated_tflops"] = round(flops_done / seconds_done / 1e12, 4) if seconds_done else None
    summary["peak_gpu_memory_mib"] = _peak_memory_mib()
    _copy_store(store, out / "runs.sqlite")
    export_runs(store, out / "runs.jsonl")
    summary["figure"] = _figure(rows, out / "accuracy.png")
    checkpoints = sorted(p for p in work.glob("*.pt") if p.name.startswith(("dm-", "eval-")))
    if checkpoints:
        with tarfile.open(out / "checkpoints.tar", "w") as bundle:
            for path in checkpoints:
                bundle.add(path, arcname=path.name)
    summary["left_out"] = []
    for path in sorted(out.iterdir()):
        if path.stat().st_size > max_file_mib * 2**20:
            summary["left_out"].append(f"{path.name} ({path.stat().st_size / 2**20:.1f} MiB > {max_file_mib} MiB)")
            path.unlink()
    write_text_atomic(out / "summary.json", json.dumps(summary, indent=1, sort_keys=True) + "\n")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the highest-priority unfinished trials within a time limit.")
    parser.add_argument("--minutes", type=float, required=True, help="hard wall-clock limit, outputs included")
    parser.add_argument("--data", required=True, help="folder holding the four Fashion-MNIST IDX .gz files")
    parser.add_argument("--store", required=True, help="SQLite run store to resume and extend")
    parser.add_argument("--out", required=True, help="folder for runs.sqlite, runs.jsonl, summary.json, figures")
    parser.add_argument("--preset", default=WINDOW_PRESET, help=f"preset to run (default {WINDOW_PRESET})")
    parser.add_argument("--work", default=None, help="checkpoints and caches (default: window-work beside the store)")
    parser.add_argument("--reserve-seconds", type=float, default=20.0, help="time kept for writing the outputs")
    parser.add_argument("--fast-math", action="store_true", help="allow TF32 on CUDA (float32 otherwise)")
    args = parser.parse_args(argv)
    if not args.minutes > 0:
        parser.exit(2, f"error: --minutes must be positive, got {args.minutes}\n")
    try:
        summary = run_window(args.minutes, args.data, args.store, args.out, args.preset, args.work,
                             args.reserve_seconds, args.fast_math)
    except ValueError as exc:
        parser.exit(2, f"error: {exc}\n")
    print(json.dumps({k: summary[k] for k in ("trials_done", "store_trials", "preset_trials", "stopped")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
