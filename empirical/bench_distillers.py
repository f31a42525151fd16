"""Benchmark: distillation steps per second of GM, DM and MTT, evaluation steps per second, wall
time per preset, peak GPU memory.

    python -m empirical.bench_distillers                       # CPU (and the GPU when one is visible)
    python -m empirical.bench_distillers --store runs.sqlite   # also: wall time of stored presets

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
    args = parser.parse_args(argv)
    import torch

    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    for device in devices:
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
