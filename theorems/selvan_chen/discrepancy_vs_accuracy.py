"""Does lower discrepancy predict accuracy? (``verify reproduce selvan-chen/discrepancy-vs-accuracy``)

Every condenser of :data:`constructions.condensers.CONDENSERS` condenses a seeded Fashion-MNIST pool
(:data:`POOL_PER_CLASS` training images per class) at every IPC in :data:`IPCS`. Each condensed
set is scored by

* accuracy on :data:`TEST_SIZE` seeded test images of KRR on pixels, KRR on random Fourier
  features, and a small ConvNet trained on CPU (:mod:`empirical.condensation_eval`);
* its class-averaged discrepancy to the pool: MMD (Gaussian and Laplacian kernels, bandwidth the
  pool's median pairwise distance), sliced W2 (64 directions, the same for every set), exact W2.

The answer is Spearman's ρ between each discrepancy and each accuracy across all condensed sets,
with a percentile bootstrap CI over sets; ρ within each IPC is printed beside it, because IPC
moves both discrepancy and accuracy and can make the pooled correlation look stronger than the
effect of the condenser itself. Sizes were chosen so that the whole run takes under five minutes
on two CPU cores; they are printed with the table.
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
BOOTSTRAP_RESAMPLES = 2000
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
    from constructions.condensers import CONDENSERS, condense
    from constructions.discrepancy import GaussianKernel, LaplacianKernel, median_bandwidth
    from empirical.condensation_eval import DiscrepancyPanel, convnet_accuracy, feature_maps, krr_accuracy

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
            start = time.perf_counter()
            condensed = condense(pool_X, pool_y, ipc, method, ctx.rng("condense", method, ipc),
                                 **CONDENSER_OPTIONS.get(method, {}))
            condense_seconds = time.perf_counter() - start
            row = {"method": method, "ipc": ipc, "condense_s": condense_seconds}
            row.update(panel(condensed))
            for name, phi in maps.items():
                row[f"krr_{name}"] = krr_accuracy(phi(condensed.points), condensed.labels, condensed.weights,
                                                  test_features[name], test_y)
            seed = int(ctx.rng("convnet", method, ipc).integers(2**62))
            row["convnet"] = convnet_accuracy(condensed.points, condensed.labels, condensed.weights, test_X, test_y, seed)
            row["total_s"] = time.perf_counter() - start
            rows.append(row)
    return rows, full, bandwidth


def _table(rows) -> str:
    from theorems.report import format_table

    header = ["method", "ipc", *DISCREPANCIES, *ACCURACIES, "seconds"]
    body = [[r["method"], r["ipc"], *(f"{r[d]:.4f}" for d in DISCREPANCIES), *(f"{r[a]:.3f}" for a in ACCURACIES),
             f"{r['total_s']:.1f}"] for r in rows]
    return format_table(body, header)


def _correlations(ctx, rows) -> tuple[str, dict]:
    from empirical.condensation_eval import spearman_with_ci
    from theorems.report import format_table

    body, results = [], {}
    for d in DISCREPANCIES:
        for a in ACCURACIES:
            x, y = np.array([r[d] for r in rows]), np.array([r[a] for r in rows])
            c = spearman_with_ci(x, y, ctx.rng("bootstrap", d, a), resamples=BOOTSTRAP_RESAMPLES)
            within = []
            for ipc in IPCS:
                mine = [i for i, r in enumerate(rows) if r["ipc"] == ipc]
                within.append(spearman_with_ci(x[mine], y[mine], ctx.rng("within", d, a, ipc), resamples=1).rho)
            results[(d, a)] = c
            verdict = "lower predicts higher" if c.high < 0 else ("no" if c.low <= 0 else "lower predicts LOWER")
            body.append([d, a, f"{c.rho:+.3f}", f"[{c.low:+.3f}, {c.high:+.3f}]",
                         " ".join(f"{w:+.2f}" for w in within), verdict])
    header = ["discrepancy", "accuracy", "spearman", "95% bootstrap CI", "ρ within IPC " + "/".join(map(str, IPCS)),
              "answer"]
    return format_table(body, header), results


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
        f"Spearman ρ between discrepancy and accuracy over {len(rows)} condensed sets "
        f"({BOOTSTRAP_RESAMPLES} bootstrap resamples of the sets):",
        correlations,
    ]
    if ctx.plot_dir is not None:
        lines += ["", "plots: " + ", ".join(_plot(rows, ctx.plot_dir))]
    lines += ["", f"total {time.perf_counter() - start:.0f} s"]
    return "\n".join(lines)


REPRODUCTION = register_reproduction(
    Reproduction(
        id="selvan-chen/discrepancy-vs-accuracy",
        title="Fashion-MNIST: discrepancy of condensed sets vs KRR/ConvNet accuracy, Spearman with bootstrap CI",
        fn=discrepancy_vs_accuracy,
        needs=(dataset("fashion-mnist"), TORCH),
    )
)
