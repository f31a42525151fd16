"""Benchmark: MMD between all 60 000 Fashion-MNIST training images and 500 synthetic points, and
kernel herding at IPC 50 for all ten classes, each against a baseline timed in the same run.

    python -m empirical.bench_discrepancy [--seed 0]

How the data–data constant aᵀK_TT a of MMD² is handled: for the linear kernel (finite features)
it is ‖mean feature‖², computed in O(n·d) without any n × n matrix; for the Gaussian kernel it is
computed once per dataset by :meth:`constructions.discrepancy.MMDTarget.prepare` (blocked exact
sum, O(n²·d) time, O(block·n) memory) and cached, so every later MMD against that data costs only
the O(n·m·d) cross term and the O(m²·d) synthetic term; condensers that descend on the synthetic
points never need it (it has no gradient). The bench times the Gaussian constant per class (the
class-conditional MMDs that condensers use, 10 × 6000²) rather than the 60 000² one.

Baselines: the same quantities the straightforward way — the Gaussian cross term from scipy's
``cdist`` (no matrix-product trick); the linear MMD from the generic blocked Gram sums (no
mean-embedding shortcut) on one class of 6000 images; herding with the exact Gaussian kernel and
the full class Gram matrix, on one class.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.spatial.distance import cdist

from constructions.condensers import condense
from constructions.discrepancy import (
    GaussianKernel,
    LinearKernel,
    MMDTarget,
    measure,
    median_bandwidth,
    weighted_kernel_sum,
)
from empirical.datasets import load_fashion_mnist


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - start


def gaussian_cross_with_cdist(X: np.ndarray, S: np.ndarray, bandwidth: float, block: int = 4096) -> float:
    """Baseline: mean of exp(−‖x − s‖²/(2σ²)) over all pairs, distances from scipy's cdist."""
    total = 0.0
    for start in range(0, X.shape[0], block):
        total += float(np.exp(-cdist(X[start:start + block], S, "sqeuclidean") / (2 * bandwidth**2)).sum())
    return total / (X.shape[0] * S.shape[0])


def generic_linear_mmd2(X: np.ndarray, S: np.ndarray) -> float:
    """Baseline: the three Gram sums of the linear kernel by blocked matrices (no features shortcut)."""
    class NoFeatures:
        def matrix(self, A, B):
            return A @ B.T

    k = NoFeatures()
    a, b = np.full(X.shape[0], 1 / X.shape[0]), np.full(S.shape[0], 1 / S.shape[0])
    return weighted_kernel_sum(k, X, a, X, a) - 2 * weighted_kernel_sum(k, X, a, S, b) + weighted_kernel_sum(k, S, b, S, b)


def exact_kernel_herding(X: np.ndarray, steps: int, bandwidth: float) -> np.ndarray:
    """Baseline: greedy kernel herding with the full n × n Gaussian Gram matrix of the class,
    x_t = argmax_x [mean_i k(x, xᵢ) − (1/t) Σ_{s<t} k(x, x_s)], distinct points."""
    gram = GaussianKernel(bandwidth).matrix(X, X)
    mean_row = gram.mean(axis=1)
    chosen: list[int] = []
    running = np.zeros(X.shape[0])
    for t in range(steps):
        score = mean_row - running / (t + 1)
        score[chosen] = -np.inf
        choice = int(np.argmax(score))
        chosen.append(choice)
        running += gram[:, choice]
    return np.array(chosen)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)

    X, labels = load_fashion_mnist("train")
    S = X[rng.choice(X.shape[0], 500, replace=False)] + rng.normal(0, 0.05, (500, X.shape[1]))
    sigma = median_bandwidth(X, rng)
    print(f"data: {X.shape[0]} × {X.shape[1]} Fashion-MNIST training images; synthetic: 500 points; "
          f"Gaussian σ = median distance = {sigma:.3f}; seed {args.seed}")

    print("\n[MMD, 60000 data vs 500 synthetic points]")
    target_linear, prepare_linear = timed(MMDTarget.prepare, X, LinearKernel())
    value_linear, call_linear = timed(target_linear.mmd2, S)
    print(f"linear kernel, full MMD² = {value_linear:.6g}: constant {prepare_linear:.3f} s (mean embedding) + "
          f"call {call_linear:.3f} s = {prepare_linear + call_linear:.3f} s (target ≤ 2 s)")

    gaussian = GaussianKernel(sigma)
    data = measure(X)
    synthetic = measure(S)
    ours, ours_s = timed(lambda: -2 * weighted_kernel_sum(gaussian, data.points, data.weights, S, synthetic.weights)
                         + weighted_kernel_sum(gaussian, S, synthetic.weights, S, synthetic.weights))
    cross_cdist, baseline_s = timed(gaussian_cross_with_cdist, X, S, sigma)
    agree = abs(ours - (-2 * cross_cdist + weighted_kernel_sum(gaussian, S, synthetic.weights, S, synthetic.weights)))
    print(f"Gaussian kernel, S-dependent terms (−2·cross + synthetic): {ours_s:.3f} s (target ≤ 2 s); "
          f"baseline cdist cross term {baseline_s:.3f} s; speed-up ×{baseline_s / ours_s:.1f}; |difference| {agree:.2e}")

    constants, constant_s = timed(lambda: [MMDTarget.prepare(X[labels == c], gaussian) for c in range(10)])
    print(f"Gaussian constant aᵀK_TT a per class (10 × 6000², blocked, once per dataset): {constant_s:.1f} s; "
          f"class-conditional MMD² then costs {timed(constants[0].mmd2, S[:50])[1]:.3f} s per call for 50 points")

    one_class = X[labels == 0]
    linear_class, ours_class_s = timed(lambda: MMDTarget.prepare(one_class, LinearKernel()).mmd2(S))
    generic, generic_s = timed(generic_linear_mmd2, one_class, S)
    print(f"linear MMD², one class (6000 vs 500): ours {ours_class_s:.3f} s, baseline generic Gram sums "
          f"{generic_s:.3f} s, speed-up ×{generic_s / ours_class_s:.0f}; |difference| {abs(linear_class - generic):.2e}")

    print("\n[kernel herding, IPC 50, all ten classes (6000 images each)]")
    condensed, herding_s = timed(condense, X, labels, 50, "herding", np.random.default_rng(args.seed))
    print(f"ours (1024 random Fourier features, median bandwidth per class): {herding_s:.1f} s for "
          f"{condensed.points.shape[0]} points (target ≤ 30 s), {herding_s / 10:.2f} s per class")
    class_sigma = median_bandwidth(one_class, np.random.default_rng(args.seed))
    _, exact_s = timed(exact_kernel_herding, one_class, 50, class_sigma)
    print(f"baseline exact Gaussian herding with the full 6000 × 6000 Gram matrix, one class: {exact_s:.1f} s; "
          f"per-class speed-up ×{exact_s / (herding_s / 10):.1f}")


if __name__ == "__main__":
    main()
