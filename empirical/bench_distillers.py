"""Benchmark: distillation steps per second of GM, DM and MTT, evaluation steps per second, wall
time per preset, peak GPU memory.

    python -m empirical.bench_distillers                       # CPU (and the GPU when one is visible)
    python -m empirical.bench_distillers --store runs.sqlite   # also: wall time of stored presets
    python -m empirical.bench_distillers --packed              # packed vs one-at-a-time only (< 2 min on CPU)

Data are N(0, 1) images (10 classes × ``--per-class``, side 28) so the numbers measure compute,
not I/O. One outer iteration is one step of the distiller's image optimiser (GM: ``outer`` image
steps per network, counted as one iteration of the outer loop here, as in the presets).
"""

from __future__ import annotations

import argparse
import time


def bench_device(device: str, architecture: str, ipc: int, iterations: int, per_class: int) -> list[str]:
    import torch

    from constructions.configurations import Configuration, train
    from constructions.matching import DistillSettings, RealData, distill, train_expert

    generator = torch.Generator().manual_seed(0)
    images = torch.randn(10 * per_class, 1, 28, 28, generator=generator).to(device)
    data = RealData(images, torch.arange(10).repeat_interleave(per_class).to(device), 10, 0.0, 1.0)
    config = Configuration("bench", architecture, epochs=1)
    expert = [train_expert(data, architecture, 0, 3)]
    lines = []
    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()
    for method in ("dm", "gm", "mtt"):
        settings = DistillSettings(ipc=ipc, iterations=1, seed=0, real_batch=min(64, per_class), gm_outer_cap=10,
                                   gm_inner_cap=50, mtt_steps=10, mtt_max_start_epoch=1)
        distill(method, data, (config,), settings, experts=lambda arch: expert)  # warm-up
        settings = DistillSettings(**{**settings.__dict__, "iterations": iterations})
        if device == "cuda":
            torch.cuda.synchronize()
        clock = time.perf_counter()
        distill(method, data, (config,), settings, experts=lambda arch: expert)
        if device == "cuda":
            torch.cuda.synchronize()
        rate = iterations / (time.perf_counter() - clock)
        lines.append(f"{device}  {method:4s} ipc={ipc:<4d} {architecture:12s} {rate:8.3f} iterations/s")
    clock = time.perf_counter()
    train(images[:10 * ipc], data.labels[:10 * ipc], Configuration("bench", architecture, epochs=20), seed=0)
    if device == "cuda":
        torch.cuda.synchronize()
    lines.append(f"{device}  eval ipc={ipc:<4d} {architecture:12s} {20 / (time.perf_counter() - clock):8.3f} epochs/s "
                 f"(batch ≤ 256)")
    if device == "cuda":
        lines.append(f"{device}  peak GPU memory {torch.cuda.max_memory_allocated() / 2**20:.0f} MiB")
    return lines


def _timed(device: str, action) -> float:
    import torch

    if device == "cuda":
        torch.cuda.synchronize()
    clock = time.perf_counter()
    action()
    if device == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - clock


def bench_packed(device: str, architecture: str, models: int, steps: int, ipc: int, runs: int,
                 iterations: int) -> list[str]:
    """Packed against one-at-a-time, in one run: ``models`` evaluation networks trained ``steps`` steps
    on 10·``ipc`` images (batch = the whole set), and ``runs`` DM distillations of ``iterations``
    iterations (real batch 32 per class); prints steps/s, the ratio and the measured FLOP rate."""
    import torch

    from constructions.configurations import Configuration, train
    from constructions.matching import DistillSettings, RealData, distill_dm
    from constructions.networks import seeded_generator
    from empirical.gpu_window import forward_flops
    from empirical.packed import PackedDM, PackedTraining

    generator = torch.Generator().manual_seed(0)
    images = torch.randn(10 * 64, 1, 28, 28, generator=generator).to(device)
    labels = torch.arange(10).repeat_interleave(64).to(device)
    data = RealData(images, labels, 10, 0.0, 1.0)
    config = Configuration("bench", architecture)
    syn, syn_labels = images[::64 // ipc][:10 * ipc], labels[::64 // ipc][:10 * ipc]
    flops = forward_flops(architecture, 28)
    eval_config = lambda n: Configuration("bench", architecture, epochs=n, batch_size=256)  # noqa: E731
    dm_settings = lambda n: [DistillSettings(ipc=ipc, iterations=n, seed=s, real_batch=32)  # noqa: E731
                             for s in range(runs)]
    cases = (
        ("eval", lambda n: [train(syn, syn_labels, eval_config(n), seed) for seed in range(models)],
         lambda n: PackedTraining(syn, syn_labels, eval_config(n),
                                  [seeded_generator(s, device) for s in range(models)]).run(),
         steps, models, 3 * flops * syn.shape[0], "model-steps/s"),
        ("dm", lambda n: [distill_dm(data, (config,), s) for s in dm_settings(n)],
         lambda n: PackedDM(data, (config,), dm_settings(n)).run(),
         iterations, runs, flops * (10 * 32 + 3 * 10 * ipc), "run-iterations/s"),
    )
    lines = []
    for label, single, packed, count, width, flops_per_step, unit in cases:
        _timed(device, lambda: (single(1), packed(1)))  # warm-up: vmap's first trace, kernel choice, allocator
        one, many = _timed(device, lambda: single(count)), _timed(device, lambda: packed(count))
        done = count * width
        lines.append(f"{device}  {label:4s} {architecture:12s} one-at-a-time {done / one:8.2f} {unit}, packed "
                     f"{done / many:8.2f}; packed/one = {one / many:5.2f}×; packed {done * flops_per_step / many / 1e9:7.2f} "
                     f"GFLOP/s")
    if device == "cuda":
        lines.append(f"{device}  peak GPU memory {torch.cuda.max_memory_allocated() / 2**20:.0f} MiB")
    return lines


def preset_walls(stores: list[str]) -> list[str]:
    """Summed trial seconds per (preset, device) in the given stores."""
    from empirical.store import RunStore

    totals: dict[tuple[str, str], list[float]] = {}
    for path in stores:
        with RunStore(path) as store:
            for row in store.rows():
                entry = totals.setdefault((row["spec"]["preset"], row["device"]), [0.0, 0])
                entry[0] += row["seconds"]
                entry[1] += 1
    return [f"preset {p:9s} on {d}: {n} trials, {s / 60:.1f} min of trial time" for (p, d), (s, n) in sorted(totals.items())]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ipc", type=int, default=10)
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--per-class", type=int, default=64)
    parser.add_argument("--architecture", default=None, help="default: convnet-w32 on CPU, convnet on GPU")
    parser.add_argument("--store", action="append", default=[], help="run store(s) to report preset wall times from")
    parser.add_argument("--smoke", action="store_true", help="also time a full smoke-preset sweep")
    parser.add_argument("--packed", action="store_true", help="only the packed vs one-at-a-time comparison")
    args = parser.parse_args(argv)
    import torch

    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    for device in devices:
        architecture = args.architecture or ("convnet" if device == "cuda" else "convnet-w32")
        sizes = (9, 20, 10, 3, 10) if device == "cuda" else (9, 3, 4, 3, 2)
        for line in bench_packed(device, architecture, *sizes):
            print(line, flush=True)
    for device in devices if not args.packed else []:
        architecture = args.architecture or ("convnet" if device == "cuda" else "convnet-w32")
        for line in bench_device(device, architecture, args.ipc, args.iterations, args.per_class):
            print(line, flush=True)
    if not torch.cuda.is_available():
        print("no CUDA GPU visible: GPU steps/s and peak memory not measured")
    if args.smoke:
        import tempfile

        from empirical.presets import SMOKE

        with tempfile.TemporaryDirectory() as tmp:
            clock = time.perf_counter()
            SMOKE.run(f"{tmp}/smoke.sqlite", progress=False)
            print(f"preset smoke: {time.perf_counter() - clock:.1f} s wall ({len(SMOKE.specs())} trials)")
    for line in preset_walls(args.store):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
