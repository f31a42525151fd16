"""Run presets: which trials a sweep runs, and every hyper-parameter the trials use.

A :class:`Preset` names the data (Fashion-MNIST, ``train_per_class`` images per class or all,
``test_size`` test images, side ``image_size`` after average pooling), the configuration family,
the methods, IPC values and seeds, and the distillation budget rule

    iterations(method, k) = base_iterations[method] + per_ipc_iterations[method] · k.

:meth:`Preset.specs` lists the trials: full-data reference runs (method ``full``, one per
configuration that any trial evaluates under), scaling-law trials (one configuration), and
coverage-law trials (a random subset of M configurations per draw). A preset's ``reductions``
says in words what it cuts relative to the preset it abbreviates; it is exported with the runs.

Every preset declares its evaluation :class:`Protocol` (how the networks that score a set are
trained); each run row records it (``metrics["protocol"]``). The ``epochs`` protocol of the first
presets trains a fixed number of *epochs*, so small sets got fewer SGD steps than large ones
(issue 11); the ``steps`` protocol fixes the steps for every k, evaluates with DSA the sets
distilled with it and MTT's sets at the step size MTT learned; ``convex-optimum`` (the ``convex``
testbed, :mod:`empirical.convex_trials`) fits the convex model to its certified optimum.

A trial's key holds the preset's *name*, not its contents: a preset is frozen once runs of it are
stored, and a changed recipe gets a new name (as ``cpu-lite`` and ``coverage-lite`` abbreviate
``cpu``).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from constructions.configurations import Configuration, configuration_family
from empirical.store import TrialSpec

AUGMENTATION_SETS: dict[str, tuple[str, ...]] = {
    "none": (),
    "dsa": ("flip", "crop", "scale", "rotate", "colour", "cutout"),
}
DISTILLING_METHODS = ("dm", "gm", "mtt", "random")
REFERENCE_METHOD = "full"
TESTBEDS = ("convnet", "convex")
EVALUATION_EPOCHS_FLOOR = 300  # a step protocol gives every k at least the 300-epoch budget of the largest k


@dataclass(frozen=True)
class Protocol:
    """How a preset trains the models that score a set.

    ``eval_steps``: SGD steps per evaluation of a distilled set, the same for every k (``None``:
    the configuration's epochs, the ``epochs`` protocol). ``full_steps``: steps of the full-data
    reference (``None``: the preset's ``full_epochs``). ``dsa_at_evaluation``: a set distilled
    with DSA is evaluated with the DSA augmentations added to the configuration's.
    ``learned_lr``: a set that carries a learned step size (MTT) is evaluated at that learning
    rate. ``epoch_floor``: the epochs of the largest distilled set that ``eval_steps`` must cover
    (checked when a preset is built; :data:`EVALUATION_EPOCHS_FLOOR` unless the design fixed fewer
    before the floor existed, as ``gpu-h200`` did). ``solver``: ``sgd`` (the configuration's optimiser) or ``lbfgs`` (the convex testbed:
    full-batch L-BFGS until every test logit is certified within ``tolerance`` of the optimum's)."""

    name: str
    eval_steps: int | None = None
    full_steps: int | None = None
    dsa_at_evaluation: bool = False
    learned_lr: bool = False
    solver: str = "sgd"
    tolerance: float | None = None
    epoch_floor: int = EVALUATION_EPOCHS_FLOOR

    def __post_init__(self) -> None:
        for label in ("eval_steps", "full_steps", "epoch_floor"):
            value = getattr(self, label)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise ValueError(f"protocol {self.name!r}: {label} must be an integer >= 1 or None, got {value!r}")
        if self.solver not in ("sgd", "lbfgs"):
            raise ValueError(f"protocol {self.name!r}: unknown solver {self.solver!r}; valid: sgd, lbfgs")
        if (self.solver == "lbfgs") != (self.tolerance is not None):
            raise ValueError(f"protocol {self.name!r}: a tolerance goes with (and only with) the lbfgs solver")

    def as_dict(self) -> dict:
        return asdict(self)


EPOCHS = Protocol("epochs")


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    train_per_class: int | None
    test_size: int | None
    image_size: int
    family: tuple[Configuration, ...]
    scaling_configurations: tuple[str, ...]
    methods: tuple[str, ...]
    ipcs: tuple[int, ...]
    distill_seeds: tuple[int, ...]
    eval_seeds: tuple[int, ...]
    full_epochs: int
    base_iterations: dict[str, int]
    per_ipc_iterations: dict[str, int]
    real_batch: int = 64
    lr_images: dict[str, float] = field(default_factory=lambda: {"dm": 1.0, "gm": 0.1, "mtt": 10.0, "random": 1.0})
    augmentations: tuple[str, ...] = ("none",)
    gm_outer_cap: int = 10
    gm_inner_cap: int = 50
    experts: int = 2
    expert_epochs: int = 4
    mtt_steps: int = 10
    coverage_sizes: tuple[int, ...] = ()
    coverage_draws: int = 0
    coverage_ipcs: tuple[int, ...] = ()
    coverage_methods: tuple[str, ...] = ()
    coverage_pool: int = 8
    reductions: str = ""
    max_minutes_per_chunk: float | None = None
    dm_normalise: bool = False
    protocol: Protocol = EPOCHS
    testbed: str = "convnet"
    feature_network: str | None = None

    def __post_init__(self) -> None:
        if self.testbed not in TESTBEDS:
            raise ValueError(f"preset {self.name!r}: unknown testbed {self.testbed!r}; valid: {', '.join(TESTBEDS)}")
        if (self.testbed == "convex") != (self.protocol.solver == "lbfgs" and self.feature_network is not None):
            raise ValueError(f"preset {self.name!r}: the convex testbed needs the lbfgs protocol and a feature "
                             f"network, and only it")
        if not self.family:
            raise ValueError(f"preset {self.name!r}: the configuration family is empty")
        names = [c.name for c in self.family]
        if len(set(names)) != len(names):
            raise ValueError(f"preset {self.name!r}: configuration names repeat")
        for method in (*self.methods, *self.coverage_methods):
            if method not in DISTILLING_METHODS:
                raise ValueError(f"unknown method {method!r}; valid: {', '.join(DISTILLING_METHODS)}")
        for ipc in (*self.ipcs, *self.coverage_ipcs):
            if not isinstance(ipc, int) or ipc < 1:
                raise ValueError(f"IPC must be an integer >= 1, got {ipc!r}")
        for name in self.scaling_configurations:
            self.configuration(name)
        for aug in self.augmentations:
            if aug not in AUGMENTATION_SETS:
                raise ValueError(f"unknown augmentation set {aug!r}; valid: {', '.join(AUGMENTATION_SETS)}")
        if max(self.coverage_sizes, default=0) > min(self.coverage_pool, len(self.family)):
            raise ValueError(f"coverage size {max(self.coverage_sizes)} exceeds the pool of configurations")
        if self.protocol.eval_steps is not None and self.protocol.eval_steps < self.step_floor():
            raise ValueError(f"preset {self.name!r}: {self.protocol.eval_steps} evaluation steps are fewer than "
                             f"{self.protocol.epoch_floor} epochs of its largest set ({self.step_floor()} steps)")

    def step_floor(self) -> int:
        """SGD steps of the protocol's ``epoch_floor`` epochs over the largest distilled set
        (10 classes × the largest k) under the configuration with the largest batch count."""
        largest = 10 * max((*self.ipcs, *self.coverage_ipcs), default=1)
        return self.protocol.epoch_floor * max(math.ceil(largest / min(c.batch_size, largest)) for c in self.family)

    def configuration(self, name: str) -> Configuration:
        for config in self.family:
            if config.name == name:
                return config
        raise ValueError(f"unknown configuration {name!r}; valid: {', '.join(c.name for c in self.family)}")

    def iterations(self, method: str, ipc: int) -> int:
        return self.base_iterations.get(method, 0) + self.per_ipc_iterations.get(method, 0) * ipc

    def coverage_subsets(self) -> list[tuple[int, int, tuple[str, ...]]]:
        """(M, draw, configuration names): random subsets of the pool, drawn from a fixed seed."""
        pool = [c.name for c in self.family[:self.coverage_pool]]
        rng = np.random.default_rng(np.random.SeedSequence([20240, len(pool)]))
        subsets = []
        for size in self.coverage_sizes:
            for draw in range(self.coverage_draws):
                chosen = rng.choice(len(pool), size=size, replace=False)
                subsets.append((size, draw, tuple(sorted(pool[i] for i in chosen))))
        return subsets

    def specs(self) -> list[TrialSpec]:
        """Every trial of the preset, in the order a sweep runs them: the scaling-law references,
        the scaling trials seed by seed (a sweep cut short leaves whole seeds), then the coverage
        references and the coverage trials."""

        def reference(name: str) -> TrialSpec:
            return TrialSpec(REFERENCE_METHOD, 0, (name,), 0, self.eval_seeds, self.name)

        trials = [reference(name) for name in self.scaling_configurations]
        for seed in self.distill_seeds:
            for aug in self.augmentations:
                for method in self.methods:
                    for ipc in self.ipcs:
                        for config in self.scaling_configurations:
                            trials.append(TrialSpec(method, ipc, (config,), seed, self.eval_seeds, self.name,
                                                    (("augment", aug),)))
        subsets = self.coverage_subsets() if self.coverage_methods else []
        covered = sorted({name for _, _, names in subsets for name in names} - set(self.scaling_configurations))
        trials += [reference(name) for name in covered]
        for size, draw, names in subsets:
            for method in self.coverage_methods:
                for ipc in self.coverage_ipcs:
                    trials.append(TrialSpec(method, ipc, names, self.distill_seeds[0], self.eval_seeds, self.name,
                                            (("augment", "none"), ("draw", draw), ("coverage", size))))
        return trials

    def run(self, store: str | Path, *, workers: int = 1, scheduler=None, max_minutes: float | None = None,
            progress: bool = True) -> dict[str, int]:
        from empirical.packed_trials import FIXED_EVALUATION_STEPS, run_packed_trial
        from empirical.sweep import run_sweep
        from empirical.trials import run_trial

        specs = self.specs()
        trial = run_packed_trial if self.name in FIXED_EVALUATION_STEPS else run_trial  # its protocol needs it
        return run_sweep(specs, trial, store, workers=workers, scheduler=scheduler, progress=progress,
                         description=f"preset {self.name}", max_minutes=max_minutes or self.max_minutes_per_chunk)


def _small_family(epochs: int) -> tuple[Configuration, ...]:
    return configuration_family("convnet-w32", ("convnet-w64", "mlp"), epochs)


SMOKE = Preset(
    name="smoke",
    description="seconds: every method, the reference runs and a coverage sweep on 14×14 Fashion-MNIST",
    train_per_class=20, test_size=200, image_size=14, family=_small_family(epochs=8),
    scaling_configurations=("convnet-w32-sgd",), methods=("dm", "gm", "mtt", "random"), ipcs=(1, 2, 4),
    distill_seeds=(0, 1), eval_seeds=(0,), full_epochs=4,
    base_iterations={"dm": 2, "gm": 1, "mtt": 2}, per_ipc_iterations={}, real_batch=8,
    gm_outer_cap=2, gm_inner_cap=2, experts=1, expert_epochs=2, mtt_steps=2,
    coverage_sizes=(1, 2, 4), coverage_draws=1, coverage_ipcs=(1, 2), coverage_methods=("dm",), coverage_pool=4,
)

CPU = Preset(
    name="cpu",
    description=("about an hour on 2 cores: 10k-image Fashion-MNIST subset at 14×14 (2×2 average pooling), "
                 "ConvNet-3 width 32, k = 1…32, 4 distillation × 4 evaluation seeds, DM, GM, reduced MTT and "
                 "the random-real-subset baseline; 100 evaluation epochs"),
    train_per_class=1000, test_size=10000, image_size=14, family=_small_family(epochs=100),
    scaling_configurations=("convnet-w32-sgd",), methods=("dm", "gm", "mtt", "random"), ipcs=(1, 2, 4, 8, 16, 32),
    distill_seeds=(0, 1, 2, 3), eval_seeds=(0, 1, 2, 3), full_epochs=20,
    base_iterations={"dm": 100, "gm": 20, "mtt": 20}, per_ipc_iterations={"dm": 5, "gm": 0, "mtt": 1},
    real_batch=64, gm_outer_cap=4, gm_inner_cap=10, experts=2, expert_epochs=4, mtt_steps=10,
)

CPU_LITE = replace(
    CPU, name="cpu-lite",
    description="the cpu preset cut to fit ~40 minutes of one shared core (a consistency check)",
    train_per_class=300, test_size=2000, image_size=28, family=_small_family(epochs=100), methods=("dm", "gm", "random"),
    distill_seeds=(0, 1, 2, 3), eval_seeds=(0,), base_iterations={"dm": 20, "gm": 10}, per_ipc_iterations={"dm": 2},
    real_batch=32, gm_outer_cap=2, gm_inner_cap=10,
    coverage_sizes=(1, 2, 4, 8), coverage_draws=2, coverage_ipcs=(1, 4, 16), coverage_methods=("dm",),
    reductions=("relative to cpu as first planned (28×28 images, 300 evaluation epochs): 300 instead of 1000 train "
                "images per class, 2000 instead of 10000 test images, 100 instead of 300 evaluation epochs, 4 distillation seeds × 1 evaluation seed instead of 4×4, "
                "DM 20+2k instead of 100+5k iterations with real batch 32, GM 10 iterations with outer ≤ 2, "
                "no MTT; its coverage trials were not run (the coverage-lite preset supplies the committed coverage runs)"),
)

COVERAGE_LITE = Preset(
    name="coverage-lite",
    description="coverage sweep only: DM against M ∈ {1, 2, 4, 8} configurations on 14×14 Fashion-MNIST",
    train_per_class=100, test_size=1000, image_size=14, family=_small_family(epochs=50),
    scaling_configurations=("convnet-w32-sgd",), methods=(), ipcs=(), distill_seeds=(0,), eval_seeds=(0,),
    full_epochs=20, base_iterations={"dm": 20}, per_ipc_iterations={"dm": 2}, real_batch=32,
    coverage_sizes=(1, 2, 4, 8), coverage_draws=2, coverage_ipcs=(1, 2, 4, 8, 16), coverage_methods=("dm",),
    reductions=("coverage sweep cut to fit one shared core: 14×14 images (2×2 average pooling), 100 train images "
                "per class, 1000 test images, 50 evaluation epochs, DM 20+2k iterations, 2 subset draws per M, "
                "1 distillation × 1 evaluation seed"),
)

COVERAGE_CONVNET = replace(
    COVERAGE_LITE, name="coverage-lite-convnet",
    description="coverage-lite over a ConvNet-only family (DM diverged on the MLP's embeddings at image lr 1.0)",
    family=configuration_family("convnet-w32", ("convnet-w64", "convnet-d2"), epochs=50), coverage_ipcs=(1, 2, 4, 8),
    reductions=("coverage sweep cut to fit one shared core: 14×14 images (2×2 average pooling), 100 train images "
                "per class, 1000 test images, 50 evaluation epochs, DM 20+2k iterations, k ≤ 8, 2 subset draws per M, "
                "1 distillation × 1 evaluation seed; family without the MLP (see the coverage-lite runs)"),
)

COVERAGE_NORMALISED = replace(
    COVERAGE_LITE, name="coverage-lite-normalised",
    description=("coverage-lite with DM's embeddings normalised by the real batch's RMS norm (image lr 10), so DM "
                 "converges on the MLP too and the family keeps all 8 configurations"),
    lr_images={**COVERAGE_LITE.lr_images, "dm": 10.0}, dm_normalise=True,
    reductions=("coverage sweep cut to fit one shared core: 14×14 images (2×2 average pooling), 100 train images "
                "per class, 1000 test images, 50 evaluation epochs, DM 20+2k iterations with normalised embeddings "
                "and image lr 10, 2 subset draws per M, 1 distillation × 1 evaluation seed"),
)

GPU = Preset(
    name="gpu",
    description="full Fashion-MNIST (60k), ConvNet-3 width 128, k up to 256, 3×3 seeds, all methods ± DSA, coverage",
    train_per_class=None, test_size=None, image_size=28,
    family=configuration_family("convnet", ("convnet-d2", "mlp"), epochs=300),
    scaling_configurations=("convnet-sgd",), methods=("dm", "gm", "mtt", "random"),
    ipcs=(1, 2, 4, 8, 16, 32, 64, 128, 256), distill_seeds=(0, 1, 2), eval_seeds=(0, 1, 2), full_epochs=30,
    base_iterations={"dm": 1000, "gm": 1000, "mtt": 1000}, per_ipc_iterations={"dm": 20, "gm": 0, "mtt": 5},
    real_batch=256, augmentations=("none", "dsa"), gm_outer_cap=50, gm_inner_cap=50, experts=5, expert_epochs=30,
    mtt_steps=30, coverage_sizes=(1, 2, 4, 8), coverage_draws=3, coverage_ipcs=(1, 4, 16, 64),
    coverage_methods=("dm",), max_minutes_per_chunk=25.0,
)

GPU_H200 = Preset(
    name="gpu-h200",
    description=("the gpu preset sized for three ~8-minute windows of one H200 (python -m empirical.gpu_window): "
                 "full Fashion-MNIST at 28×28, ConvNet-3 width 128, k = 1…256, 3 distillation × 3 evaluation seeds, "
                 "every distilled set evaluated by 300 SGD steps whatever its k (the packed engine's fixed-step "
                 "protocol: 30 epochs of k = 256 at batch 256; no DSA at evaluation; MTT's learned step size "
                 "unused), the full-data reference by 3 epochs; DM, random subsets, GM and MTT, each plain and "
                 "with DSA, and a DM coverage sweep"),
    train_per_class=None, test_size=None, image_size=28,
    family=configuration_family("convnet", ("convnet-d2", "mlp"), epochs=300),
    scaling_configurations=("convnet-sgd",), methods=("dm", "gm", "mtt", "random"),
    ipcs=(1, 2, 4, 8, 16, 32, 64, 128, 256), distill_seeds=(0, 1, 2), eval_seeds=(0, 1, 2), full_epochs=3,
    base_iterations={"dm": 200, "gm": 10, "mtt": 30}, per_ipc_iterations={"dm": 1}, real_batch=128,
    augmentations=("none", "dsa"), gm_outer_cap=10, gm_inner_cap=10, experts=2, expert_epochs=6, mtt_steps=10,
    coverage_sizes=(1, 2, 4, 8), coverage_draws=2, coverage_ipcs=(1, 4, 16), coverage_methods=("dm",),
    reductions=("relative to gpu: evaluation 300 SGD steps instead of 300 epochs, 3 instead of 30 full-data epochs, "
                "DM 200+k instead of 1000+20k iterations with real batch 128 instead of 256, GM 10 instead of 1000 "
                "iterations (outer ≤ 10, inner ≤ 10), MTT 30 instead of 1000+5k iterations of 10 instead of 30 "
                "student steps on 2 experts of 6 epochs, coverage at k ∈ {1, 4, 16} with 2 draws"),
    protocol=Protocol("fixed-steps", eval_steps=300, epoch_floor=30),  # what the packed engine runs for it
)

CPU_STEPS = replace(
    CPU, name="cpu-steps",
    description=("the cpu preset under the steps protocol: ConvNet-2 width 32 on 14×14 images (a 288-dimensional "
                 "embedding instead of ConvNet-3's 32), 600 SGD steps per evaluation for every k (300 epochs of "
                 "k = 32 at batch 256), DSA at evaluation iff distilled with it, MTT sets evaluated at MTT's "
                 "learned step size, full-data reference 4000 steps (100 epochs of the 10k subset)"),
    family=configuration_family("convnet-w32-d2", ("convnet-w64", "mlp"), epochs=100),
    scaling_configurations=("convnet-w32-d2-sgd",),
    protocol=Protocol("steps", eval_steps=600, full_steps=4000, dsa_at_evaluation=True, learned_lr=True),
)

CONVEX = Preset(
    name="convex",
    description=("the convex testbed: L2-regularised (λ = 10⁻³) multinomial logistic regression, fitted to a "
                 "certified optimum (L-BFGS until every test logit is provably within 0.05 of the optimum's), on the standardised 576-dimensional features of a "
                 "frozen random ConvNet-3 width 64 of all 60k Fashion-MNIST training and 10k test images; "
                 "DM (class-mean matching in the features), GM (gradient matching of the logistic model) and "
                 "random subsets at k = 1…512, 5 distillation × 5 evaluation seeds"),
    train_per_class=None, test_size=None, image_size=28,
    family=(Configuration("logreg", architecture="linear", weight_decay=1e-3),),
    scaling_configurations=("logreg",), methods=("dm", "gm", "random"), ipcs=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512),
    distill_seeds=(0, 1, 2, 3, 4), eval_seeds=(0, 1, 2, 3, 4), full_epochs=1,
    base_iterations={"gm": 200}, per_ipc_iterations={}, real_batch=256, lr_images={"gm": 0.05},
    protocol=Protocol("convex-optimum", solver="lbfgs", tolerance=0.05), testbed="convex",
    feature_network="convnet-w64",
)

CONVEX_LITE = replace(
    CONVEX, name="convex-lite",
    description="the convex testbed cut to fit ~15 minutes of 2 shared cores",
    ipcs=(1, 4, 16, 64, 256), distill_seeds=(0, 1, 2), eval_seeds=(0, 1),
    reductions=("relative to convex: k ∈ {1, 4, 16, 64, 256} instead of 1…512 by doubling, 3 distillation × "
                "2 evaluation seeds instead of 5×5 (the full-data fit alone took 276 s per seed on the shared "
                "machine)"),
)

PRESETS: dict[str, Preset] = {p.name: p for p in (SMOKE, CPU, CPU_LITE, COVERAGE_LITE, COVERAGE_CONVNET,
                                                  COVERAGE_NORMALISED, GPU, GPU_H200, CPU_STEPS, CONVEX, CONVEX_LITE)}


def preset_note(row: dict) -> dict:
    """Provenance columns for an exported run: its preset's description and reductions."""
    chosen = PRESETS.get(row["spec"]["preset"])
    if chosen is None:
        return {"preset_note": ""}
    return {"preset_note": chosen.reductions or chosen.description}


def export_runs(store_path: str | Path, out_path: str | Path) -> int:
    """Export a store to JSON lines with the preset notes (what ``empirical/runs/`` holds)."""
    from empirical.store import RunStore, export_jsonl

    with RunStore(store_path) as store:
        return export_jsonl(store, out_path, annotate=preset_note)


def preset(name: str) -> Preset:
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; valid: {', '.join(PRESETS)}")
    return PRESETS[name]
