"""Does lower discrepancy predict accuracy? (``verify reproduce selvan-chen/discrepancy-vs-accuracy``)

Every condenser of :data:`constructions.condensers.CONDENSERS` condenses a seeded Fashion-MNIST pool
(:data:`POOL_PER_CLASS` training images per class) at every IPC in :data:`IPCS`. Each condensed
set is scored by

* accuracy on :data:`TEST_SIZE` seeded test images of KRR on pixels, KRR on random Fourier
  features, and a small ConvNet trained on CPU (:mod:`empirical.condensation_eval`);
* its class-averaged discrepancy to the pool: MMD (Gaussian and Laplacian kernels, bandwidth the
  pool's median pairwise distance), sliced W2 (64 directions, the same for every set), exact W2.

Each (condenser, IPC) is condensed :data:`CONDENSE_SEEDS` times with independent seeds (and the
ConvNet trained with a seed of its own each time), so the sets of one cell differ only by seed
noise and that noise enters every interval.

The primary answer holds IPC fixed, because IPC moves both discrepancy and accuracy and makes a
pooled correlation look stronger than the effect of the condenser: the statistic is the mean
over IPC strata of Spearman's ρ within the stratum, tested by a stratified permutation test
(accuracies permuted within each IPC, :data:`PERMUTATIONS` times) and given a percentile
bootstrap interval that resamples condensed sets within each IPC
(:func:`empirical.condensation_eval.stratified_test`). The 12 (discrepancy, accuracy) pairs are
one family: their p-values are Holm-adjusted, and the answer column reads "lower predicts
higher" only when the adjusted p is below 0.05 and ρ is negative ("lower predicts LOWER" for a
positive ρ, "no evidence" otherwise). The pooled ρ over all sets is printed beside it for
comparison only. Sizes were chosen so that the whole run takes a few minutes on two CPU cores;
they are printed with the table.
"""

from __future__ import annotations

import time

import numpy as np

from theorems import Reproduction, register_reproduction
from theorems.requirements import TORCH, dataset

POOL_PER_CLASS = 300
TEST_SIZE = 1000
IPCS = (1, 10, 50)
RANDOM_FEATURES = 2000
CONDENSE_SEEDS = 2
PERMUTATIONS = 2000
FAMILY_LEVEL = 0.05
# per-condenser options (everything else is the condenser's documented default)
CONDENSER_OPTIONS = {
    "mmd-descent": {"steps": 100, "batch": POOL_PER_CLASS},
    "sliced-wasserstein": {"steps": 100},
}
DISCREPANCIES = ("mmd_gaussian", "mmd_laplacian", "sliced_w2", "w2")
ACCURACIES = ("krr_identity", "krr_rff", "convnet")


def _sample(ctx):
    from empirical.datasets import load_fashion_mnist

    rng = ctx.rng("data")
    train_X, train_y = load_fashion_mnist("train")
    test_X, test_y = load_fashion_mnist("test")
    pool = np.concatenate([rng.choice(np.flatnonzero(train_y == c), POOL_PER_CLASS, replace=False) for c in range(10)])
    test = rng.choice(test_X.shape[0], TEST_SIZE, replace=False)
    return train_X[pool], train_y[pool], test_X[test], test_y[test]


def _score(ctx, pool_X, pool_y, test_X, test_y):
    from constructions.condensers import CONDENSERS
    from constructions.discrepancy import GaussianKernel, LaplacianKernel, median_bandwidth
    from empirical.condensation_eval import DiscrepancyPanel, feature_maps, krr_accuracy

    rng = ctx.rng("setup")
    bandwidth = median_bandwidth(pool_X, rng)
    kernels = {"gaussian": GaussianKernel(bandwidth), "laplacian": LaplacianKernel(bandwidth)}
    maps = feature_maps(pool_X, rng, RANDOM_FEATURES)
    test_features = {name: phi(test_X) for name, phi in maps.items()}
    panel = DiscrepancyPanel.prepare(pool_X, pool_y, kernels, int(rng.integers(2**62)))
    full = {name: krr_accuracy(phi(pool_X), pool_y, np.ones(pool_y.size), test_features[name], test_y)
            for name, phi in maps.items()}
    rows = []
    for ipc in IPCS:
        for method in CONDENSERS:
            for replicate in range(CONDENSE_SEEDS):
                rows.append(_score_one(ctx, method, ipc, replicate, pool_X, pool_y, test_X, test_y, panel, maps,
                                       test_features))
    return rows, full, bandwidth


def _score_one(ctx, method, ipc, replicate, pool_X, pool_y, test_X, test_y, panel, maps, test_features) -> dict:
    """Condense once with the (method, IPC, replicate) seed and score the set."""
    from constructions.condensers import condense
    from empirical.condensation_eval import convnet_accuracy, krr_accuracy

    start = time.perf_counter()
    condensed = condense(pool_X, pool_y, ipc, method, ctx.rng("condense", method, ipc, replicate),
                         **CONDENSER_OPTIONS.get(method, {}))
    row = {"method": method, "ipc": ipc, "replicate": replicate, "condense_s": time.perf_counter() - start}
    row.update(panel(condensed))
    for name, phi in maps.items():
        row[f"krr_{name}"] = krr_accuracy(phi(condensed.points), condensed.labels, condensed.weights,
                                          test_features[name], test_y)
    seed = int(ctx.rng("convnet", method, ipc, replicate).integers(2**62))
    row["convnet"] = convnet_accuracy(condensed.points, condensed.labels, condensed.weights, test_X, test_y, seed)
    row["total_s"] = time.perf_counter() - start
    return row


def _table(rows) -> str:
    from theorems.report import format_table

    header = ["method", "ipc", "seed", *DISCREPANCIES, *ACCURACIES, "seconds"]
    body = [[r["method"], r["ipc"], r["replicate"], *(f"{r[d]:.4f}" for d in DISCREPANCIES),
             *(f"{r[a]:.3f}" for a in ACCURACIES), f"{r['total_s']:.1f}"] for r in rows]
    return format_table(body, header)


def answer(rho: float, adjusted_p: float) -> str:
    """The answer column, read off the stratified test alone."""
    if not adjusted_p < FAMILY_LEVEL:
        return "no evidence"
    return "lower predicts higher" if rho < 0 else "lower predicts LOWER"


def _correlations(ctx, rows) -> tuple[str, dict]:
    from empirical.condensation_eval import holm, spearman_with_ci, stratified_test
    from theorems.report import format_table

    strata = np.array([r["ipc"] for r in rows])
    pairs = [(d, a) for d in DISCREPANCIES for a in ACCURACIES]
    tests, pooled = {}, {}
    for d, a in pairs:
        x, y = np.array([r[d] for r in rows]), np.array([r[a] for r in rows])
        tests[(d, a)] = stratified_test(x, y, strata, ctx.rng("stratified", d, a), resamples=PERMUTATIONS)
        pooled[(d, a)] = spearman_with_ci(x, y, ctx.rng("pooled", d, a), resamples=1).rho
    adjusted = dict(zip(pairs, holm([tests[pair].p_value for pair in pairs])))
    body = [[d, a, f"{tests[(d, a)].rho:+.3f}", f"[{tests[(d, a)].low:+.3f}, {tests[(d, a)].high:+.3f}]",
             f"{tests[(d, a)].p_value:.4f}", f"{adjusted[(d, a)]:.4f}", f"{pooled[(d, a)]:+.3f}",
             answer(tests[(d, a)].rho, adjusted[(d, a)])] for d, a in pairs]
    header = ["discrepancy", "accuracy", "ρ within IPC (mean)", "95% stratified bootstrap CI", "permutation p",
              "Holm p", "pooled ρ (context)", "answer"]
    return format_table(body, header), {"tests": tests, "holm": adjusted}


def _plot(rows, plot_dir) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    methods = sorted({r["method"] for r in rows})
    colours = dict(zip(methods, plt.rcParams["axes.prop_cycle"].by_key()["color"]))
    figure, axes = plt.subplots(2, len(DISCREPANCIES), figsize=(4 * len(DISCREPANCIES), 7), squeeze=False)
    for column, d in enumerate(DISCREPANCIES):
        for row_index, a in enumerate(("krr_rff", "convnet")):
            axis = axes[row_index, column]
            for method in methods:
                mine = [r for r in rows if r["method"] == method]
                axis.scatter([r[d] for r in mine], [r[a] for r in mine], s=[12 + 1.5 * r["ipc"] for r in mine],
                             color=colours[method], label=method, alpha=0.8)
            axis.set_xlabel(d)
            axis.set_ylabel(f"{a} accuracy")
    axes[0, 0].legend(fontsize=7, title="marker size ∝ IPC", title_fontsize=7)
    figure.suptitle("Fashion-MNIST: class-averaged discrepancy vs test accuracy of condensed sets")
    figure.tight_layout()
    plot_dir.mkdir(parents=True, exist_ok=True)
    paths = [plot_dir / f"selvan-chen-discrepancy-vs-accuracy.{ext}" for ext in ("png", "svg")]
    for path in paths:
        figure.savefig(path, dpi=120)
    plt.close(figure)
    return [str(p) for p in paths]


def discrepancy_vs_accuracy(ctx) -> str:
    """Condense, score, correlate; return the printed report. Torch runs on one thread (the
    ConvNets are small, and the machine is shared), restored afterwards."""
    import torch

    start = time.perf_counter()
    pool_X, pool_y, test_X, test_y = _sample(ctx)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        rows, full, bandwidth = _score(ctx, pool_X, pool_y, test_X, test_y)
    finally:
        torch.set_num_threads(threads)
    table = _table(rows)
    correlations, _ = _correlations(ctx, rows)
    lines = [
        "Selvan & Chen — does lower discrepancy predict accuracy? (Fashion-MNIST, CPU)",
        f"sizes: pool {POOL_PER_CLASS} train images/class ({10 * POOL_PER_CLASS}), {TEST_SIZE} test images, "
        f"IPC {IPCS}, seed {ctx.seed}",
        f"kernels: Gaussian and Laplacian with bandwidth = median pairwise distance of the pool = {bandwidth:.3f}; "
        f"sliced W2 with 64 directions; W2 exact (POT) per class against the pool",
        f"KRR: λ = 1e-3·tr(FFᵀ)/m, features = pixels and {RANDOM_FEATURES} random Fourier features; "
        f"ConvNet-3 width 16, 100 SGD steps, batch 50, lr 0.01, momentum 0.9",
        f"condenser options: {CONDENSER_OPTIONS}",
        f"reference, KRR on the whole pool: pixels {full['identity']:.3f}, random features {full['rff']:.3f}",
        "",
        table,
        "",
        f"Within-IPC Spearman ρ between discrepancy and accuracy over {len(rows)} condensed sets "
        f"({CONDENSE_SEEDS} seeds per condenser and IPC; {PERMUTATIONS} within-IPC permutations and bootstrap "
        f"resamples; Holm over the {len(DISCREPANCIES) * len(ACCURACIES)} pairs, answer at family level {FAMILY_LEVEL}):",
        correlations,
    ]
    if ctx.plot_dir is not None:
        lines += ["", "plots: " + ", ".join(_plot(rows, ctx.plot_dir))]
    lines += ["", f"total {time.perf_counter() - start:.0f} s"]
    return "\n".join(lines)


REPRODUCTION = register_reproduction(
    Reproduction(
        id="selvan-chen/discrepancy-vs-accuracy",
        title="Fashion-MNIST: discrepancy of condensed sets vs KRR/ConvNet accuracy, within-IPC permutation test (Holm)",
        fn=discrepancy_vs_accuracy,
        needs=(dataset("fashion-mnist"), TORCH),
    )
)
