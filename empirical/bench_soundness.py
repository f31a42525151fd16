"""Soundness benchmark: every built-in check over many seeds and profiles, and the false-claim suite.

    python -m empirical.bench_soundness                       # 100 dev seeds, 30 ci seeds, suite × 100
    python -m empirical.bench_soundness --dev-seeds 5 --ci-seeds 2 --suite-seeds 10 --json out.json

Part 1 runs ``verify all`` (in-process, one task per profile × seed, spread over worker
processes) and counts each check's verdicts. A built-in check that is ever ``falsified`` or
``error`` is a defect (a true theorem was refuted, or a check crashed) and is listed first.

Part 2 runs :data:`theorems.soundness.CASES` — false claims and their true controls, written the
way users write them — under the default profile and counts how often each gets its expected
verdict. The target is 99 of 100 seeds for every case.

Part 3 (``--trivial``) runs every check that takes a function subject with two stand-ins made
from the built-in (``tests/trivial_subjects.py``): its answer zeroed, and its answer scaled by
1 + 10⁻³. It lists every stand-in that a check lets pass, for triage: a zeroed answer that passes
is a defect unless the subject is an adversary (an attempt the theorem says must fail); a scaled
answer that passes is a defect unless the claim is scale-free in that output or a one-sided bound.

Wall time is printed per part, and the ratio of a dev run to a ci run measured in the same process.
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor

FAILING = ("falsified", "error")


def _chosen(theorems: list, only: tuple[str, ...]) -> list:
    """The theorems named in ``only`` (an id, or a namespace such as ``izzo-zou``); all when empty."""
    if not only:
        return theorems
    return [t for t in theorems if t.id in only or t.id.split("/", 1)[0] in only]


def _verify_all(task: tuple[str, int, tuple[str, ...]]) -> tuple[str, int, dict[str, str], float]:
    """Verdict of every chosen built-in check at one (profile, seed), and the wall time it took."""
    warnings.simplefilter("ignore")
    from theorems import REGISTRY, CheckContext
    from theorems.runner import run_theorem

    profile, seed, only = task
    start = time.perf_counter()
    ctx = CheckContext(profile=profile, seed=seed)
    verdicts = {}
    for theorem in _chosen(REGISTRY.theorems(), only):
        for result in run_theorem(theorem, ctx).checks:
            expected = result.check.name in theorem.refuted_by and str(result.verdict) == "falsified"
            verdicts[result.id] = "falsified as registered (refuted claim)" if expected else str(result.verdict)
    return profile, seed, verdicts, time.perf_counter() - start


def _suite(seed: int) -> dict[str, str]:
    warnings.simplefilter("ignore")
    from theorems.soundness import CASES, run_case

    return {case.name: str(run_case(case, "dev", seed)) for case in CASES}


def _trivial(namespace: str) -> list[tuple[str, str, str, str]]:
    warnings.simplefilter("ignore")
    from tests.trivial_subjects import trivial_plants
    from theorems import REGISTRY, CheckContext
    from theorems.runner import run_check

    ctx = CheckContext(profile="dev", seed=0)
    theorems = [t for t in REGISTRY.theorems() if t.namespace == namespace]
    rows = []
    for check_id, name, label, theorem, check, stand_in in trivial_plants(theorems):
        rows.append((check_id, name, label, str(run_check(theorem, check, ctx, **{name: stand_in}).verdict)))
    return rows


def trivial_table(workers: int) -> list[tuple[str, str, str, str]]:
    from theorems import REGISTRY

    namespaces = sorted({t.namespace for t in REGISTRY.theorems()})
    with _pool(workers) as pool:
        return [row for rows in pool.map(_trivial, namespaces) for row in rows]


def _pool(workers: int):
    return ProcessPoolExecutor(max_workers=workers)


def builtin_table(dev_seeds: int, ci_seeds: int, thorough_seeds: int, workers: int,
                  only: tuple[str, ...] = ()) -> dict:
    tasks = ([("dev", s, only) for s in range(dev_seeds)] + [("ci", s, only) for s in range(ci_seeds)]
             + [("thorough", s, only) for s in range(thorough_seeds)])
    counts: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    seconds: dict[str, list[float]] = defaultdict(list)
    failures: list[tuple[str, int, str, str]] = []
    with _pool(workers) as pool:
        for profile, seed, verdicts, wall in pool.map(_verify_all, tasks):
            seconds[profile].append(wall)
            for check_id, verdict in verdicts.items():
                counts[check_id][profile][verdict] += 1
                if verdict in FAILING:
                    failures.append((profile, seed, check_id, verdict))
    return {"counts": {c: {p: dict(v) for p, v in per.items()} for c, per in counts.items()},
            "seconds": dict(seconds), "failures": failures}


def suite_table(seeds: int, workers: int) -> dict:
    from theorems.soundness import CASES

    expected = {case.name: str(case.expected) for case in CASES}
    counts: dict[str, Counter] = defaultdict(Counter)
    with _pool(workers) as pool:
        for verdicts in pool.map(_suite, range(seeds)):
            for name, verdict in verdicts.items():
                counts[name][verdict] += 1
    return {"expected": expected, "counts": {name: dict(c) for name, c in counts.items()}, "seeds": seeds}


def _print_builtin(table: dict) -> None:
    profiles = [p for p in ("dev", "ci", "thorough") if table["seconds"].get(p)]
    if not profiles:
        return
    print("== built-in checks: verdict counts per profile (seeds in brackets)")
    for profile in profiles:
        walls = table["seconds"][profile]
        print(f"   {profile}: {len(walls)} seeds, verify all median {sorted(walls)[len(walls) // 2]:.1f} s")
    rows = sorted(table["counts"].items(), key=lambda item: (not any(
        v in FAILING for per in item[1].values() for v in per), item[0]))
    width = max(len(check_id) for check_id in table["counts"])
    for check_id, per in rows:
        cells = []
        for profile in profiles:
            cell = ", ".join(f"{verdict} {n}" for verdict, n in sorted(per.get(profile, {}).items()))
            cells.append(f"{profile}: {cell}")
        flag = "!!" if any(v in FAILING for p in per.values() for v in p) else "  "
        print(f"{flag} {check_id:<{width}}  " + " | ".join(cells))
    print(f"   falsified/error results: {len(table['failures'])}")
    for profile, seed, check_id, verdict in table["failures"]:
        print(f"   {verdict}: {check_id} at --profile {profile} --seed {seed}")


def _print_suite(table: dict) -> None:
    print(f"== soundness suite under the default profile ({table['seeds']} seeds; target ≥ 99 %)")
    for name, expected in table["expected"].items():
        got = table["counts"].get(name, {})
        right = got.get(expected, 0)
        others = ", ".join(f"{v} {n}" for v, n in sorted(got.items()) if v != expected)
        status = "ok" if right >= 0.99 * table["seeds"] else "MISSED"
        print(f"   {status:6s} {name:24s} expected {expected:13s} {right}/{table['seeds']}"
              + (f"  (also: {others})" if others else ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev-seeds", type=int, default=100)
    parser.add_argument("--ci-seeds", type=int, default=30)
    parser.add_argument("--thorough-seeds", type=int, default=0)
    parser.add_argument("--suite-seeds", type=int, default=100)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--trivial", action="store_true", help="also run the trivial-subject stand-ins")
    parser.add_argument("--json", help="write the tables to this file (atomically)")
    parser.add_argument("--theorems", nargs="+", default=(), metavar="ID",
                        help="sweep only these theorems (ids or namespaces such as izzo-zou; default: all)")
    args = parser.parse_args(argv)
    for name in ("dev_seeds", "ci_seeds", "thorough_seeds", "suite_seeds", "workers"):
        if getattr(args, name) < (1 if name == "workers" else 0):
            parser.error(f"--{name.replace('_', '-')} must be a non-negative count (workers ≥ 1)")
    if args.theorems:
        from theorems import REGISTRY

        known = {t.id for t in REGISTRY.theorems()}
        unknown = [i for i in args.theorems if i not in known and not any(k.startswith(i + "/") for k in known)]
        if unknown:
            parser.error(f"--theorems: no built-in theorem or namespace {', '.join(unknown)}")
    report = {}
    start = time.perf_counter()
    report["suite"] = suite_table(args.suite_seeds, args.workers)
    _print_suite(report["suite"])
    print(f"   suite wall {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    report["builtin"] = builtin_table(args.dev_seeds, args.ci_seeds, args.thorough_seeds, args.workers,
                                      tuple(args.theorems))
    _print_builtin(report["builtin"])
    print(f"   built-in wall {time.perf_counter() - start:.1f} s")
    if args.trivial:
        start = time.perf_counter()
        report["trivial"] = trivial_table(args.workers)
        passing = [row for row in report["trivial"] if row[3] in ("verified", "unrefuted", "supported")]
        print(f"== trivial stand-ins: {len(passing)} of {len(report['trivial'])} pass a check (triage each)")
        for check_id, name, label, verdict in passing:
            print(f"   {check_id}  {name}[{label}]  {verdict}")
        print(f"   trivial wall {time.perf_counter() - start:.1f} s")
    dev, ci = report["builtin"]["seconds"].get("dev"), report["builtin"]["seconds"].get("ci")
    if dev and ci:
        print(f"   cost: a dev run is {sorted(dev)[len(dev) // 2] / sorted(ci)[len(ci) // 2]:.2f}× a ci run (medians)")
    if args.json:
        tmp = f"{args.json}.tmp{os.getpid()}"
        with open(tmp, "w") as handle:
            json.dump(report, handle, indent=1)
        os.replace(tmp, args.json)
    missed = any(report["suite"]["counts"].get(n, {}).get(e, 0) < 0.99 * args.suite_seeds
                 for n, e in report["suite"]["expected"].items())
    return 1 if missed or report["builtin"]["failures"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
