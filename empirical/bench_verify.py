"""Benchmarks of `verify`: the checks' wall time, and the command's start-up.

    python -m empirical.bench_verify [--profile ci] [--namespace izzo-zou]
    python -m empirical.bench_verify --startup [--repeats 5]

The first prints one row per theorem (seconds, slowest check) and each namespace's total as a
fraction of its budget (izzo-zou: 60 s on a 2-core machine). Timings come from the
same runner that `verify` uses, in one process, after one warm-up import of every theorem module.

``--startup`` times fresh processes: ``verify list`` and ``verify ID --explain`` (resolving one
symbolic/property theorem and printing it, no check run) against ``python -c pass`` measured in
the same run, as the median over ``--repeats`` alternating runs of wall and CPU (user + system)
seconds; the ratios make figures from a busy shared machine comparable. It also names the heavy
libraries (torch, POT, statsmodels, matplotlib, pandas) that resolving an id imports: none should.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from collections import defaultdict

from theorems import REGISTRY, CheckContext
from theorems.report import format_table
from theorems.runner import run_theorem

BUDGETS_SECONDS = {"izzo-zou": 60.0}
HEAVY_LIBRARIES = ("torch", "ot", "statsmodels", "matplotlib", "pandas")
STARTUP_COMMANDS = {
    "python -c pass (baseline)": ["-c", "pass"],
    "verify list": ["-m", "theorems", "list"],
    "verify theorem-3 --explain": ["-m", "theorems", "izzo-zou/theorem-3", "--explain"],
    "verify theorem-4.2 --explain": ["-m", "theorems", "chen-huang-weng/theorem-4.2", "--explain"],
}
TARGETS_SECONDS = {"verify list": 1.0, "verify theorem-3 --explain": 1.5, "verify theorem-4.2 --explain": 1.5}


def timed_process(arguments: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of ``python ARGUMENTS`` in a fresh process, output discarded."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    clock = time.perf_counter()
    subprocess.run([sys.executable, *arguments], check=True, stdout=subprocess.DEVNULL,
                   cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    wall = time.perf_counter() - clock
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def heavy_imports(theorem_id: str) -> list[str]:
    """The heavy libraries a fresh process has imported after resolving ``theorem_id``."""
    probe = (f"import sys; from theorems import REGISTRY; REGISTRY.resolve({theorem_id!r}); "
             f"print(' '.join(m for m in {HEAVY_LIBRARIES!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    return done.stdout.split()


def startup(repeats: int) -> None:
    """Median wall/CPU seconds per command and the ratios to the baseline, with the targets."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in STARTUP_COMMANDS}
    for _ in range(repeats):  # alternate the commands so load on the machine spreads over all of them
        for name, arguments in STARTUP_COMMANDS.items():
            samples[name].append(timed_process(arguments))
    medians = {name: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
               for name, runs in samples.items()}
    base_wall, base_cpu = medians["python -c pass (baseline)"]
    rows = []
    for name, (wall, cpu) in medians.items():
        target = TARGETS_SECONDS.get(name)
        rows.append([name, f"{wall:.2f}", f"{cpu:.2f}", f"{wall / base_wall:.1f}", f"{cpu / base_cpu:.1f}",
                     f"{target:.1f}" if target else "-"])
    print(f"start-up, median of {repeats} runs each ({os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f})")
    print(format_table(rows, ["command", "wall s", "cpu s", "wall / baseline", "cpu / baseline", "target s"]))
    heavy = heavy_imports("izzo-zou/theorem-3")
    print(f"heavy libraries imported by resolving an id: {', '.join(heavy) if heavy else 'none'}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="ci")
    parser.add_argument("--namespace", default=None, help="only theorems of this namespace")
    parser.add_argument("--startup", action="store_true", help="time the start-up of verify instead of its checks")
    parser.add_argument("--repeats", type=int, default=5, help="--startup: runs per command (default 5)")
    args = parser.parse_args(argv)
    if args.startup:
        if args.repeats < 1:
            parser.error(f"--repeats must be at least 1, got {args.repeats}")
        startup(args.repeats)
        return
    start = time.perf_counter()
    theorems = [t for t in REGISTRY.theorems() if args.namespace in (None, t.namespace)]
    import_seconds = time.perf_counter() - start
    ctx = CheckContext(profile=args.profile, seed=0)
    rows, totals = [], defaultdict(float)
    for theorem in theorems:
        result = run_theorem(theorem, ctx)
        slowest = max(result.checks, key=lambda c: c.seconds)
        totals[theorem.namespace] += result.seconds
        rows.append([theorem.id, str(result.verdict), f"{result.seconds:.2f}", f"{slowest.check.name} ({slowest.seconds:.2f})"])
    print(f"profile {args.profile}; importing the theorem modules took {import_seconds:.2f} s")
    print(format_table(rows, ["theorem", "verdict", "seconds", "slowest check (s)"]))
    print()
    summary = []
    for namespace, seconds in sorted(totals.items()):
        budget = BUDGETS_SECONDS.get(namespace)
        summary.append([namespace, f"{seconds:.2f}", f"{budget:.0f}" if budget else "-",
                        f"{seconds / budget:.2f}" if budget else "-"])
    print(format_table(summary, ["namespace", "seconds", "budget", "fraction of budget"]))


if __name__ == "__main__":
    main()
