"""The trial function: a :class:`~empirical.store.TrialSpec` in, test metrics out (torch).

``run_trial(spec)`` rebuilds everything from the spec and its preset: the Fashion-MNIST subset
(fixed data seed 0, balanced per class, average-pooled to the preset's side, normalised by the
subset's pixel mean and standard deviation), the configurations, the distiller settings. It
distils (method ≠ ``full``) or takes the whole training subset, then trains one fresh network per
(configuration, evaluation seed) as the preset's :class:`~empirical.presets.Protocol` says
(:func:`evaluation_recipe`: steps or epochs, DSA, MTT's learned step size) and records test
accuracy and test cross-entropy, the steps, learning rate and augmentations each network
trained with, and the protocol itself. A ``convex`` preset runs
:func:`empirical.convex_trials.run_convex_trial` instead. Evaluation seed s initialises with seed
``EVAL_SEED_OFFSET + s`` so evaluation and distillation draws never share a stream.

Each trial runs torch single-threaded unless ``$DDTHEORY_TORCH_THREADS`` says otherwise: a pool of
N workers then uses N cores, and on a shared machine no thread spins waiting for a busy core.

Synthetic sets and MTT expert trajectories are saved under ``$DDTHEORY_CACHE`` (default
``~/.cache/ddtheory``), named by the spec hash / expert recipe hash, each written to a temporary
file and renamed into place (a kill mid-write leaves no truncated cache); a cache file that does
not load anyway is a one-line ValueError naming it.
"""

from __future__ import annotations

import functools
import hashlib
import os
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from empirical.files import atomic_path, writable_directory
from empirical.presets import AUGMENTATION_SETS, REFERENCE_METHOD, Preset, preset
from empirical.store import TrialResult, TrialSpec

EVAL_SEED_OFFSET = 10_000
EXPERT_SEED_OFFSET = 20_000
DATA_SEED = 0


def cache_dir() -> Path:
    """``$DDTHEORY_CACHE`` (default ``~/.cache/ddtheory``), created and proven writable."""
    path = Path(os.environ.get("DDTHEORY_CACHE") or Path.home() / ".cache" / "ddtheory")
    return writable_directory(path, "cache folder ($DDTHEORY_CACHE)")


def rerun_store(preset_name: str) -> Path:
    """The run store that ``verify ... --rerun --preset NAME`` sweeps into."""
    return cache_dir() / f"runs-{preset_name}.sqlite"


def load_cached(path: Path):
    """``torch.load`` of a cache file, or a one-line ValueError naming it and what to do."""
    import torch

    try:
        return torch.load(path)
    except Exception as exc:  # noqa: BLE001 - torch raises RuntimeError, EOFError, OSError, UnpicklingError...
        message = " ".join(str(exc).split())[:120] or type(exc).__name__
        raise ValueError(f"cache file {path} does not load ({type(exc).__name__}: {message}); "
                         f"delete it and run again (it is rebuilt)") from None


def _device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


@functools.lru_cache(maxsize=4)
def load_data(name: str, device: str):
    """(train RealData, test RealData) for the preset ``name`` on ``device``."""
    import torch
    import torch.nn.functional as F

    from constructions.matching import RealData
    from empirical.datasets import load_fashion_mnist

    chosen = preset(name)
    images, labels = load_fashion_mnist("train", flatten=False)
    test_images, test_labels = load_fashion_mnist("test", flatten=False)
    rng = np.random.default_rng(DATA_SEED)
    if chosen.train_per_class is not None:
        keep = np.concatenate([rng.permutation(np.flatnonzero(labels == c))[:chosen.train_per_class]
                               for c in range(10)])
        images, labels = images[np.sort(keep)], labels[np.sort(keep)]
    if chosen.test_size is not None:
        keep = np.sort(rng.permutation(test_labels.size)[:chosen.test_size])
        test_images, test_labels = test_images[keep], test_labels[keep]

    def tensor(x):
        x = torch.tensor(x, dtype=torch.float32)[:, None]
        factor = x.shape[-1] // chosen.image_size
        return F.avg_pool2d(x, factor) if factor > 1 else x

    train_x, test_x = tensor(images), tensor(test_images)
    mean, std = float(train_x.mean()), float(train_x.std())
    train = RealData(((train_x - mean) / std).to(device), torch.tensor(labels).to(device), 10, mean, std)
    test = RealData(((test_x - mean) / std).to(device), torch.tensor(test_labels).to(device), 10, mean, std)
    return train, test


def expert_trajectories(chosen: Preset, architecture: str, device: str) -> list:
    """``chosen.experts`` trajectories of plain SGD on the training subset, cached on disk."""
    import torch

    from constructions.matching import train_expert

    recipe = f"{chosen.name}|{chosen.train_per_class}|{chosen.image_size}|{architecture}|{chosen.expert_epochs}"
    digest = hashlib.sha256(recipe.encode()).hexdigest()[:16]
    trajectories = []
    for index in range(chosen.experts):
        path = cache_dir() / f"expert-{digest}-{index}.pt"
        if path.exists():
            trajectories.append(load_cached(path))
            continue
        train, _ = load_data(chosen.name, device)
        trajectory = train_expert(train, architecture, EXPERT_SEED_OFFSET + index, chosen.expert_epochs)
        with atomic_path(path) as temporary:
            torch.save(trajectory, temporary)
        trajectories.append(trajectory)
    return trajectories


def distiller_settings(chosen: Preset, spec: TrialSpec):
    from constructions.matching import DistillSettings

    return DistillSettings(
        ipc=spec.ipc, iterations=chosen.iterations(spec.method, spec.ipc), seed=spec.distill_seed,
        real_batch=chosen.real_batch, lr_images=chosen.lr_images[spec.method], init=spec.option("init", "real"),
        augmentation=AUGMENTATION_SETS[spec.option("augment", "none")], gm_outer_cap=chosen.gm_outer_cap,
        gm_inner_cap=chosen.gm_inner_cap, mtt_steps=chosen.mtt_steps, mtt_expert_epochs_ahead=2,
        mtt_max_start_epoch=max(0, chosen.expert_epochs - 2), dm_normalise=chosen.dm_normalise,
    )


def evaluation_recipe(chosen: Preset, spec: TrialSpec, config, learned_lr: float | None = None):
    """(configuration, epochs, steps) that evaluate the set of ``spec`` under ``config``.

    The full-data reference trains ``protocol.full_steps`` steps (or the preset's ``full_epochs``);
    a distilled set trains ``protocol.eval_steps`` steps whatever its k (or the configuration's
    epochs under the ``epochs`` protocol), with the DSA augmentations added when it was distilled
    with DSA and ``protocol.dsa_at_evaluation``, at ``learned_lr`` when the distiller learned one
    and ``protocol.learned_lr``."""
    protocol = chosen.protocol
    if spec.method == REFERENCE_METHOD:
        return config, (chosen.full_epochs if protocol.full_steps is None else None), protocol.full_steps
    if protocol.dsa_at_evaluation and spec.option("augment", "none") == "dsa":
        added = tuple(name for name in AUGMENTATION_SETS["dsa"] if name not in config.augmentation)
        config = replace(config, augmentation=config.augmentation + added)
    if protocol.learned_lr and learned_lr is not None:
        config = replace(config, lr=learned_lr)
    return config, None, protocol.eval_steps


def run_trial(spec: TrialSpec) -> TrialResult:
    """Distil (or take the full subset), then evaluate under every configuration and eval seed."""
    from constructions.configurations import evaluate, train
    from constructions.matching import distill

    import torch

    torch.set_num_threads(int(os.environ.get("DDTHEORY_TORCH_THREADS", "1")))
    chosen = preset(spec.preset)
    if chosen.testbed == "convex":
        from empirical.convex_trials import run_convex_trial

        return run_convex_trial(chosen, spec)
    configurations = [chosen.configuration(name) for name in spec.configurations]
    device = _device()
    train_data, test = load_data(chosen.name, device)
    clock = time.perf_counter()
    metrics: dict = {"protocol": chosen.protocol.as_dict()}
    learned_lr = None
    if spec.method == REFERENCE_METHOD:
        images, labels = train_data.images, train_data.labels
    else:
        settings = distiller_settings(chosen, spec)
        synthetic = distill(spec.method, train_data, configurations, settings,
                            experts=lambda arch: expert_trajectories(chosen, arch, device))
        synthetic.spec["trial"] = spec.as_dict()
        with atomic_path(cache_dir() / f"synthetic-{spec.key}.pt") as temporary:
            synthetic.save(temporary)
        images, labels, learned_lr = synthetic.images, synthetic.labels, synthetic.learned_lr
        metrics.update(iterations=settings.iterations, learned_lr=learned_lr)
    metrics["distill_seconds"] = time.perf_counter() - clock
    clock = time.perf_counter()
    evaluations = []
    for named in configurations:
        config, epochs, steps = evaluation_recipe(chosen, spec, named, learned_lr)
        batches = -(-images.shape[0] // min(config.batch_size, images.shape[0]))
        trained_steps = steps if steps is not None else batches * (epochs or config.epochs)
        for seed in spec.eval_seeds:
            model = train(images, labels, config, EVAL_SEED_OFFSET + seed, epochs=epochs, steps=steps)
            accuracy, loss = evaluate(model, test.images, test.labels)
            evaluations.append({"configuration": config.name, "eval_seed": seed, "accuracy": accuracy, "loss": loss,
                                "steps": trained_steps, "lr": config.lr, "augmentation": list(config.augmentation)})
    metrics["eval_seconds"] = time.perf_counter() - clock
    metrics["evaluations"] = evaluations
    return TrialResult(metrics, device)
