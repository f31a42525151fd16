"""Benchmark: wall time of `verify all --profile ci`, per theorem and per namespace.

    python -m empirical.bench_verify [--profile ci] [--namespace izzo-zou]

Prints one row per theorem (seconds, slowest check) and each namespace's total as a fraction of
its budget (izzo-zou: 60 s on a 2-core machine, issue 2 §9). Timings come from the same runner
that `verify` uses, in one process, after one warm-up import of every theorem module.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

from theorems import REGISTRY, CheckContext
from theorems.report import format_table
from theorems.runner import run_theorem

BUDGETS_SECONDS = {"izzo-zou": 60.0}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="ci")
    parser.add_argument("--namespace", default=None, help="only theorems of this namespace")
    args = parser.parse_args(argv)
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
