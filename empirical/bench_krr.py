"""Benchmark of the analytic KRR distiller against one full solve, the authors' step and KIP, in one run.

    python -m empirical.bench_krr [--quick] [--kip-steps 1000] [--kip-seconds S] [--seed 0]

Prints (all measured in this process, on this machine):
1. the distillation step given W (linear map, IPC 1/10/50) vs one float64 Gram + solve of the full
   60 000 × 784 training set;
2. the step against the authors' step re-implemented from the paper's formulas (G = W Y_S⁺ + Z(I − Y_S Y_S⁺),
   F_S = G⁺ as one pseudo-inverse, then the same preimage), same W, Y_S and Z, one thread, for the three
   maps at IPC 1/10/50, with the ratio ours/theirs (the median of per-pair ratios over pairs run back to
   back in alternating order, at least 15, as many as fill 0.5 s);
3. the whole Table-3 analogue for one seed against the Gram + solve measured just before each run;
4. time to accuracy (the Table-4 analogue): the analytic distiller's wall time (fit W, step, retrain) and
   accuracy, and the KIP time (:meth:`constructions.kip.KIPConfig.authors`) to reach that accuracy, or
   KIP's best within the budget with its curve, and the ratio, for each map at IPC 1 and 10. KIP gets
   1000 steps by default, the length Nguyen et al. give for KIP's convergence (the authors' comparison
   ran 150 at IPC 1 and 100 at IPC 10), with test accuracy every 5 steps.

``--quick`` skips section 3 and caps KIP at 40 steps and 30 s of optimisation per cell (a few minutes in
all); the full run gives KIP ``--kip-steps`` steps and no time cap.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from constructions.feature_maps import IdentityMap
from constructions.kip import KIPConfig, kip_distill
from constructions.krr import fit_ridge_full_lambda
from constructions.krr_distill import construct_distilled, distill_model
from empirical.krr_table3 import TABLE3_MAPS, distilled_accuracy, fashion_mnist, fit_with_validation, run_table3

QUICK_STEPS, QUICK_SECONDS = 40, 30.0
KIP_EVAL_EVERY = 5  # test accuracy every 5 KIP steps: the time to the analytic accuracy is read to 5 steps
CURVE_POINTS = 10  # evaluations printed per KIP curve (evenly spread, plus the best and the last)


def curve_points(kip) -> list[tuple[int, float, float]]:
    """About :data:`CURVE_POINTS` of KIP's evaluations, evenly spread, always with its best and its last."""
    history = kip.history
    chosen = set(np.linspace(0, len(history) - 1, min(CURVE_POINTS, len(history))).round().astype(int))
    chosen.add(history.index(kip.best))
    return [history[i] for i in sorted(chosen)]


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


def authors_step(W, feature_map, Y_S, Z) -> np.ndarray:
    """The distillation step as the paper writes it (λ_S = 0), in our row convention: the projector
    P = Y_S Y_S⁺ formed whole, G = W Y_S⁺ + Z(I − P), F_S = G⁺ (one pseudo-inverse), scaled into a bounded
    map's range, then φ⁻¹. No checks, no rank test: the reference for speed only."""
    pinv_labels = np.linalg.pinv(Y_S)
    G = W @ pinv_labels + Z @ (np.eye(Y_S.shape[0]) - Y_S @ pinv_labels)
    F_S = np.linalg.pinv(G)
    if feature_map.bound is not None:
        F_S = F_S * min(1.0, feature_map.bound / np.max(np.abs(F_S)))
    return feature_map.preimage(F_S)


def paired_ratio(first, second, repeats: int = 15, fill_seconds: float = 0.5) -> tuple[float, float, float, float, int]:
    """(median seconds of ``first``, of ``second``, the median and the 90th percentile of the per-pair
    ratios first/second, the number of pairs). Each pair runs the two back to back, at least ``repeats``
    pairs and as many as fit in about ``fill_seconds`` (a step of 0.1 ms gets thousands). A pair's two
    runs are adjacent in time, so the per-pair ratio cancels the load drift of a shared machine that a
    ratio of two medians keeps; the order within a pair alternates, so neither side always runs first
    (right after the loop's own work, or after the other side has filled the caches)."""
    first(), second()
    start = time.perf_counter()
    first(), second()
    repeats = max(repeats, int(fill_seconds / max(time.perf_counter() - start, 1e-6)))
    times = np.empty((repeats, 2))
    for pair in range(repeats):
        for column in ((0, 1) if pair % 2 == 0 else (1, 0)):
            start = time.perf_counter()
            (first, second)[column]()
            times[pair, column] = time.perf_counter() - start
    ratios = times[:, 0] / times[:, 1]
    return (float(np.median(times[:, 0])), float(np.median(times[:, 1])), float(np.median(ratios)),
            float(np.quantile(ratios, 0.9)), repeats)


def step_vs_authors(X, labels, seed: int) -> list[str]:
    """Our step against :func:`authors_step` on the same W, Y_S, Z, one BLAS thread, run in alternated pairs
    (:func:`paired_ratio`); the two X_S must reproduce the same W (checked)."""
    from threadpoolctl import threadpool_limits

    Y = np.eye(10)[labels]
    lines = [f"{'map':<11} {'IPC':>3} {'ours ms':>8} {'authors ms':>10} {'ratio':>6} {'90th %':>7} {'pairs':>6}"]
    ratios = []
    for name, build in TABLE3_MAPS.items():
        feature_map = build(X.shape[1], seed)
        W = fit_ridge_full_lambda(feature_map(X[:20000]), Y[:20000], 1.0)
        for ipc in (1, 10, 50):
            Y_S = np.repeat(np.eye(10), ipc, axis=0)
            Z = np.random.default_rng(seed).normal(size=(W.shape[0], Y_S.shape[0]))
            ours = lambda: construct_distilled(W, feature_map, Y_S, reference=Z)
            theirs = lambda: authors_step(W, feature_map, Y_S, Z)
            with threadpool_limits(1):  # paired_ratio warms both first (the map's factorisations are cached)
                ours_s, theirs_s, ratio, upper, pairs = paired_ratio(ours, theirs)
            built, X_a = ours(), theirs()
            scale = 1.0 if feature_map.bound is None else built.scale
            W_ours = fit_ridge_full_lambda(feature_map(built.X), built.Y, built.lam_s)
            W_theirs = np.linalg.pinv(feature_map(X_a)) @ (scale * Y_S)
            if not np.allclose(W_ours, W_theirs, rtol=1e-5, atol=1e-6 * np.abs(W).max()):
                raise RuntimeError(f"{name} IPC {ipc}: our step and the authors' reproduce different models")
            ratios.append(ratio)
            lines.append(f"{name:<11} {ipc:>3} {1e3 * ours_s:>8.2f} {1e3 * theirs_s:>10.2f} {ratio:>6.2f} {upper:>7.2f} "
                         f"{pairs:>6}")
    lines.append(f"largest ratio ours/authors: {max(ratios):.2f} (target ≤ 1.0; one thread; ratio = median over "
                 "pairs (order alternating) of ours/authors, ≥ 15 pairs, as many as fill 0.5 s; 90th % of the pair ratios beside it)")
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


def table4(data, kip_steps: int, seed: int, max_seconds: float | None, config: KIPConfig) -> list[str]:
    """Time to accuracy: per map and IPC, the analytic wall time and accuracy, then KIP run in the same
    process until it reaches that accuracy (or its step/time budget), its curve and the time ratio."""
    import torch

    X, labels, X_test, y_test = data
    lines = [f"KIP: {config}", f"{'map':<11} {'IPC':>3} {'analytic %':>10} {'analytic s':>10} {'KIP best %':>10} "
             f"{'KIP s to analytic':>17} {'ratio':>7} {'KIP steps':>9} {'KIP s':>7}"]
    curves = []
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
            kip = kip_distill(X, labels, feature_map, ipc, steps=kip_steps, config=config, X_test=X_test,
                              y_test=y_test, seed=seed, eval_every=KIP_EVAL_EVERY, target=analytic,
                              max_seconds=max_seconds)
            reached = kip.time_to(analytic)
            _, best_seconds, best = kip.best
            when = f"{reached:.1f}" if reached is not None else f"not (best {best_seconds:.1f})"
            ratio = (reached if reached is not None else kip.history[-1][1]) / analytic_seconds
            ratio_text = f"{ratio:.1f}×" if reached is not None else f">{ratio:.1f}×"
            lines.append(f"{name:<11} {ipc:>3} {100 * analytic:>10.2f} {analytic_seconds:>10.2f} {100 * best:>10.2f} "
                         f"{when:>17} {ratio_text:>7} {kip.history[-1][0]:>9} {kip.history[-1][1]:>7.1f}")
            curves.append(f"  KIP curve {name} IPC {ipc} (step, s, %): "
                          + ", ".join(f"({step}, {sec:.1f}, {100 * acc:.2f})" for step, sec, acc in curve_points(kip)))
    lines += curves
    lines.append("analytic s = fitting W (features, Gram, one eigendecomposition, 24 λ on validation) + the "
                 "distillation step + retraining on the recovered images; KIP s excludes its evaluations, which "
                 f"run every {KIP_EVAL_EVERY} steps (so 'KIP s to analytic' is read to {KIP_EVAL_EVERY} steps); "
                 "ratio = KIP s to the analytic accuracy / analytic s ('>' when KIP did not reach it: its total s).")
    return lines


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the Table-3 timing; KIP capped at "
                        f"{QUICK_STEPS} steps and {QUICK_SECONDS:.0f} s per cell")
    parser.add_argument("--kip-steps", type=int, default=1000)
    parser.add_argument("--kip-seconds", type=float, default=None, help="cap on KIP's optimisation time per cell")
    parser.add_argument("--kip-config", choices=("authors", "original", "legacy"), default="authors")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.kip_steps < 0:
        parser.error(f"--kip-steps must be ≥ 0, got {args.kip_steps}")
    steps = min(args.kip_steps, QUICK_STEPS) if args.quick else args.kip_steps
    seconds = args.kip_seconds if args.kip_seconds is not None else (QUICK_SECONDS if args.quick else None)
    config = getattr(KIPConfig, args.kip_config)()
    data = fashion_mnist()
    X, labels = data[0], data[1]
    solve = gram_solve_seconds(X, labels)
    sections = [lambda: step_vs_solve(X, labels, solve), lambda: step_vs_authors(X, labels, args.seed)]
    if not args.quick:
        sections.append(lambda: table3_time(data))
    if steps > 0:  # --kip-steps 0 skips the KIP comparison
        sections.append(lambda: table4(data, steps, args.seed, seconds, config))
    for section in sections:
        print("\n".join(section()), flush=True)


if __name__ == "__main__":
    main()
