"""Trials run through the packed engine, several at once, resumable under a wall clock.

A *group* is the trials of one (preset, method, k, configurations, options) that differ only in the
distillation seed. :func:`run_group` distils them (DM: one :class:`~empirical.packed.PackedDM`
over the seeds; random subsets directly; GM and MTT one seed at a time through
:func:`constructions.matching.distill`, not checkpointed mid-run; ``full``: the training subset),
caches each synthetic set atomically, then trains one :class:`~empirical.packed.PackedTraining`
per configuration over every (distillation seed, evaluation seed) and tests it. Results have the
metrics of :func:`empirical.trials.run_trial` plus ``engine: "packed"``; since the runs of a pack
are independent, a trial's numbers do not depend on which group it ran in.

Evaluation lasts ``FIXED_EVALUATION_STEPS[preset]`` optimiser steps when the preset is listed there
(a fixed-step protocol: the same number of updates at every k), else the configuration's epochs as
in ``run_trial``; ``full`` always trains ``full_epochs`` epochs.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from empirical.checkpoint import WallClock, run_resumable
from empirical.files import writable_directory
from empirical.presets import REFERENCE_METHOD, Preset
from empirical.store import TrialResult, TrialSpec

FIXED_EVALUATION_STEPS: dict[str, int] = {"gpu-h200": 300}


def group_key(spec: TrialSpec) -> str:
    """The trial's identity without its distillation seed (hash), shared by the trials of a group."""
    data = spec.as_dict()
    data.pop("distill_seed")
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def groups(specs: list[TrialSpec]) -> list[list[TrialSpec]]:
    """``specs`` gathered into groups, in the order of each group's first member."""
    found: dict[str, list[TrialSpec]] = {}
    for spec in specs:
        found.setdefault(group_key(spec), []).append(spec)
    return list(found.values())


def evaluation_length(chosen: Preset, spec: TrialSpec, config) -> dict:
    if spec.method == REFERENCE_METHOD:
        return {"epochs": chosen.full_epochs}
    if chosen.name in FIXED_EVALUATION_STEPS:
        return {"steps": FIXED_EVALUATION_STEPS[chosen.name]}
    return {"epochs": config.epochs}


def _synthetic_sets(group: list[TrialSpec], chosen: Preset, train, device: str, folder: Path, clock: WallClock):
    """{spec key: (images, labels, extra metrics)}, distilling (resumably) what is not cached."""
    from constructions.matching import SyntheticSet, distill
    from empirical.packed import PackedDM
    from empirical.trials import distiller_settings, expert_trajectories

    first = group[0]
    if first.method == REFERENCE_METHOD:
        return {spec.key: (train.images, train.labels, {"distill_seconds": 0.0}) for spec in group}
    configurations = [chosen.configuration(name) for name in first.configurations]
    paths = {spec.key: folder / f"synthetic-{spec.key}.pt" for spec in group}
    missing = [spec for spec in group if not paths[spec.key].exists()]
    if first.method == "dm" and missing:
        work = PackedDM(train, configurations, [distiller_settings(chosen, spec) for spec in missing])
        run_resumable(work, folder / f"dm-{group_key(first)}.pt", clock)
        for p, spec in enumerate(missing):
            synthetic = SyntheticSet(work.images[p].detach(), work.labels, train.mean, train.std,
                                     {"method": "dm", "trial": spec.as_dict(), "engine": "packed",
                                      "distill_seconds": work.seconds / len(missing)})
            _save(synthetic, paths[spec.key])
    for spec in missing if first.method != "dm" else []:
        started = time.perf_counter()
        synthetic = distill(spec.method, train, configurations, distiller_settings(chosen, spec),
                            experts=lambda arch: expert_trajectories(chosen, arch, device))
        synthetic.spec.update(trial=spec.as_dict(), distill_seconds=time.perf_counter() - started)
        _save(synthetic, paths[spec.key])
    sets = {}
    for spec in group:
        data = SyntheticSet.load(paths[spec.key])
        extra = {"iterations": chosen.iterations(spec.method, spec.ipc), "learned_lr": data.learned_lr,
                 "distill_seconds": data.spec["distill_seconds"]}
        sets[spec.key] = (data.images.to(device), data.labels.to(device), extra)
    return sets


def _save(synthetic, path: Path) -> None:
    from empirical.files import atomic_path

    with atomic_path(path) as temporary:
        synthetic.save(temporary)


def run_group(group: list[TrialSpec], chosen: Preset, folder: str | Path, clock: WallClock | None = None,
              device: str | None = None) -> list[tuple[TrialSpec, TrialResult]]:
    """Run one group (see the module docstring); checkpoints and caches go to ``folder``. Raises
    :class:`~empirical.checkpoint.DeadlineReached` (state saved) when ``clock`` expires mid-way.
    Seconds are compute time summed over every resumed segment, a pack's time split evenly."""
    import torch

    from constructions.networks import seeded_generator
    from empirical.packed import PackedTraining, evaluate_packed
    from empirical.trials import EVAL_SEED_OFFSET, _device, load_data

    clock = clock or WallClock(None)
    device = device or _device()
    folder = writable_directory(folder, "checkpoint folder")
    train, test = load_data(chosen.name, device)
    sets = _synthetic_sets(group, chosen, train, device, folder, clock)
    evaluations: dict[str, list] = {spec.key: [] for spec in group}
    eval_steps: dict[str, float] = {}
    eval_seconds = 0.0
    for config_name in group[0].configurations:
        config = chosen.configuration(config_name)
        models = [(spec, seed) for spec in group for seed in spec.eval_seeds]
        shared = group[0].method == REFERENCE_METHOD
        images = train.images if shared else torch.stack([sets[spec.key][0] for spec, _ in models])
        labels = train.labels if shared else torch.stack([sets[spec.key][1] for spec, _ in models])
        generators = [seeded_generator(EVAL_SEED_OFFSET + seed, device) for _, seed in models]
        work = PackedTraining(images, labels, config, generators, **evaluation_length(chosen, group[0], config))
        run_resumable(work, folder / f"eval-{group_key(group[0])}-{config_name}.pt", clock)
        eval_steps[config_name] = work.total / max(work.seconds, 1e-9)
        eval_seconds += work.seconds
        for (spec, seed), (accuracy, loss) in zip(models, evaluate_packed(work, test.images, test.labels)):
            evaluations[spec.key].append({"configuration": config_name, "eval_seed": seed, "accuracy": accuracy,
                                          "loss": loss})
    results = []
    for spec in group:
        metrics = {**sets[spec.key][2], "eval_seconds": eval_seconds / len(group),
                   "evaluations": evaluations[spec.key], "engine": "packed", "packed_trials": len(group),
                   "eval_steps_per_second": eval_steps,
                   "evaluation_length": evaluation_length(chosen, spec, chosen.configuration(spec.configurations[0]))}
        if spec.method == REFERENCE_METHOD:
            metrics = {k: v for k, v in metrics.items() if k not in ("iterations", "learned_lr")}
        results.append((spec, TrialResult(metrics, device)))
    return results


def run_packed_trial(spec: TrialSpec) -> TrialResult:
    """One trial through the packed engine (a trial function for :func:`empirical.sweep.run_sweep`, so a
    GPU box or a Dask cluster runs a preset the way the GPU window does), caching under ``$DDTHEORY_CACHE``."""
    import os

    import torch

    from empirical.presets import preset
    from empirical.trials import cache_dir

    torch.set_num_threads(int(os.environ.get("DDTHEORY_TORCH_THREADS", "1")))  # as run_trial
    ((_, result),) = run_group([spec], preset(spec.preset), cache_dir())
    return result
