"""Benchmark of the analytic KRR distiller against one full solve and against KIP, in one run.

    python -m empirical.bench_krr [--kip-steps 150] [--seed 0]     (--kip-steps 0 skips KIP)

Prints (all measured in this process, on this machine):
1. the distillation step given W (linear map, IPC 1/10/50) vs one float64 Gram + solve of the full
   60 000 × 784 training set;
2. the whole Table-3 analogue for one seed (3 maps × 3 IPC × 24 λ; noise mode, then both modes);
3. the Table-4 analogue: analytic time and accuracy vs KIP's time to reach the analytic accuracy,
   or KIP's best accuracy within the step budget (said which), for IPC 1 and 10.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from constructions.feature_maps import IdentityMap
from constructions.kip import kip_distill
from constructions.krr import fit_ridge_full_lambda
from constructions.krr_distill import construct_distilled, distill_model
from empirical.krr_table3 import TABLE3_MAPS, distilled_accuracy, fashion_mnist, fit_with_validation, run_table3


def _best_of(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def gram_solve_seconds(X, labels, lam: float = 300.0, repeats: int = 3) -> float:
    """The unit: one float64 Gram + solve of the full training set (best of ``repeats``)."""
    Y = np.eye(10)[labels]
    return _best_of(lambda: fit_ridge_full_lambda(X, Y, lam), repeats)


def step_vs_solve(X, labels, solve: float, lam: float = 300.0) -> list[str]:
    Y = np.eye(10)[labels]
    W = fit_ridge_full_lambda(X, Y, lam)
    identity = IdentityMap(X.shape[1])
    lines = [f"one float64 Gram + solve, 60000×784 (fit_ridge_full_lambda, primal): {solve:.3f} s"]
    for ipc in (1, 10, 50):
        Y_S = np.repeat(np.eye(10), ipc, axis=0)
        step = _best_of(lambda: construct_distilled(W, identity, Y_S, rng=np.random.default_rng(0)))
        checked = _best_of(lambda: distill_model(W, identity, Y_S, rng=np.random.default_rng(0)))
        lines.append(f"distillation step given W, linear, IPC {ipc:>2}: {step:.4f} s ({step / solve:.3f}× the solve); "
                     f"with the retrain-and-compare report: {checked:.4f} s ({checked / solve:.3f}×)")
    return lines


TARGET_SOLVES = 6.0 / 0.55  # target: Table 3 in ≤ 6 s on a machine where one Gram + solve took 0.55 s


def table3_time(data, repeats: int = 5) -> list[str]:
    """The Table-3 analogue timed against the unit measured right before it, ``repeats`` times.

    This shared 2-core machine drifts by ±15 % within minutes, so each run is paired with a unit
    measured just before it (best of 2) and the target is judged on the ratios: their median and
    their range are printed, with the absolute seconds."""
    X, labels = data[0], data[1]
    ratios, seconds = [], []
    for _ in range(repeats):
        unit = gram_solve_seconds(X, labels, repeats=2)
        start = time.perf_counter()
        run_table3(seeds=(0,), modes=("noise",), data=data)
        seconds.append(time.perf_counter() - start)
        ratios.append(seconds[-1] / unit)
    start = time.perf_counter()
    run_table3(seeds=(0,), data=data)
    both = time.perf_counter() - start
    return [f"Table-3 analogue, one seed, 3 maps × 3 IPC × 24 λ, noise mode, {repeats} runs: "
            f"{min(seconds):.2f}–{max(seconds):.2f} s; against the Gram + solve measured just before each run: "
            f"median {np.median(ratios):.1f}×, range {min(ratios):.1f}–{max(ratios):.1f}× (target ≤ 6 s, i.e. "
            f"{TARGET_SOLVES:.1f}× on the reference machine)",
            f"Table-3 analogue, one seed, both modes: {both:.2f} s"]


def table4(data, kip_steps: int, seed: int) -> list[str]:
    import torch

    X, labels, X_test, y_test = data
    lines = [f"{'map':<11} {'IPC':>3} {'analytic acc %':>14} {'analytic s':>10} {'KIP best %':>10} "
             f"{'KIP s to analytic acc':>22} {'KIP steps':>9} {'KIP s total':>11}"]
    for name, build in TABLE3_MAPS.items():
        rng = np.random.default_rng([seed, 7])
        feature_map = build(X.shape[1], int(rng.integers(2**31)))
        start = time.perf_counter()
        model = fit_with_validation(feature_map, X, labels, 10, rng)
        fit_seconds = time.perf_counter() - start
        F_test = feature_map(X_test)
        train_X, train_Y = X[model.train_index], np.eye(10)[labels[model.train_index]]
        for ipc in (1, 10):
            start = time.perf_counter()
            analytic, _ = distilled_accuracy(model, train_X, train_Y, ipc, "noise", rng, F_test, y_test)
            analytic_seconds = fit_seconds + time.perf_counter() - start
            torch.manual_seed(seed)
            kip = kip_distill(X, labels, feature_map, ipc, steps=kip_steps, X_test=X_test, y_test=y_test,
                              batch=5000, seed=seed, eval_every=max(1, kip_steps // 6), target=analytic)
            reached = kip.time_to(analytic)
            best_step, best_seconds, best = kip.best
            when = f"{reached:.1f}" if reached is not None else f"not reached (best at {best_seconds:.1f})"
            lines.append(f"{name:<11} {ipc:>3} {100 * analytic:>14.2f} {analytic_seconds:>10.2f} {100 * best:>10.2f} "
                         f"{when:>22} {kip.history[-1][0]:>9} {kip.history[-1][1]:>11.1f}")
    lines.append("analytic s = fitting W (features, Gram, one eigendecomposition, 24 λ on validation) + the "
                 "distillation step + retraining on the recovered images; KIP s excludes its evaluations.")
    return lines


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kip-steps", type=int, default=150)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    data = fashion_mnist()
    X, labels = data[0], data[1]
    solve = gram_solve_seconds(X, labels)
    sections = [lambda: step_vs_solve(X, labels, solve), lambda: table3_time(data)]
    if args.kip_steps > 0:  # --kip-steps 0 skips the KIP comparison
        sections.append(lambda: table4(data, args.kip_steps, args.seed))
    for section in sections:
        print("\n".join(section()), flush=True)


if __name__ == "__main__":
    main()
