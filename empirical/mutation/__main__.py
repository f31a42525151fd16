"""``python -m empirical.mutation FILE [FILE ...] [--theorems ID ...] [--profile ci] [--sample N --seed S]
[--jobs 1] [--out report.json] [--list]``: mutation-test construction files with ``verify`` as the oracle.

Prints one progress line per mutant (stderr), then the table of counts and the survivors.
Exit status 0 once the report is written (survivors are findings, not failures), 2 for bad
input or when the unmutated tree does not pass its own oracle.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path

from empirical.mutation.campaign import mutate_file
from empirical.mutation.mutants import generate, sample
from empirical.mutation.oracle import OracleSettings
from empirical.mutation.report import text

DEFAULT_CACHE = ".mutation-cache"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m empirical.mutation",
                                     description="Mutation testing of construction files with verify as the oracle.")
    parser.add_argument("files", nargs="+", type=Path, help="Python files to mutate, relative to --root")
    parser.add_argument("--theorems", nargs="+", metavar="ID",
                        help="candidate theorems (default: all; each mutant runs those that execute its line)")
    parser.add_argument("--profile", default="ci", help="verify's --profile for every run (default ci)")
    parser.add_argument("--seed", type=int, default=0, help="verify's --seed, and the sampling seed (default 0)")
    parser.add_argument("--sample", type=int, metavar="N", help="draw N mutants per file (default: all)")
    parser.add_argument("--jobs", type=int, default=1, help="mutants run at a time (default 1)")
    parser.add_argument("--out", type=Path, metavar="PATH", help="write the JSON report to PATH")
    parser.add_argument("--root", type=Path, default=Path.cwd(),
                        help="repository root (default: the current directory)")
    parser.add_argument("--oracle", default="theorems", metavar="MODULE",
                        help="module run as `python -m MODULE IDS --profile P --seed S --json PATH` (default theorems)")
    parser.add_argument("--timeout-factor", type=float, default=3.0,
                        help="a mutant may use this many times the unmutated run's processor time (default 3)")
    parser.add_argument("--preload", action="store_true",
                        help="fork each run from a server that has imported the third-party modules once")
    parser.add_argument("--all-checks", action="store_true",
                        help="run every check of a mutant (default: stop at its first falsified or error check, "
                             "which already kills it; --oracle modules without --fail-fast need this)")
    parser.add_argument("--list", action="store_true", help="print the (sampled) mutants and run nothing")
    parser.add_argument("--cache", type=Path, default=None,
                        help=f"result cache directory (default ROOT/{DEFAULT_CACHE}); 'none' disables it")
    return parser


def _progress(done: int, total: int, result) -> None:
    detail = f" ({result.reason})" if result.reason and result.status != "unreachable" else ""
    cached = " [cached]" if result.cached else ""
    print(f"[{done}/{total}] line {result.line} {result.operator}: {result.status}{detail} "
          f"{result.seconds:.1f}s{cached}", file=sys.stderr, flush=True)


def _relative(path: Path, root: Path) -> Path:
    """``path`` (absolute, or relative to the current directory or to ``root``) relative to ``root``."""
    for candidate in (path, Path.cwd() / path, root / path):
        resolved = candidate.resolve()
        if resolved.is_file() and resolved.is_relative_to(root):
            return resolved.relative_to(root)
    raise ValueError(f"{path}: no such file under {root}")


def _terminate(signum, frame) -> None:
    raise SystemExit(128 + signum)  # unwinds the temporary copies and kills the running oracle


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return _run(args)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(args: argparse.Namespace) -> int:
    root = args.root.resolve()
    cache = root / DEFAULT_CACHE if args.cache is None else None if str(args.cache) == "none" else args.cache
    try:
        if args.sample is not None and args.sample < 0:
            raise ValueError(f"--sample must be non-negative, got {args.sample}")
        if args.list:
            for path in args.files:
                relative = _relative(path, root)
                for mutant in sample(generate((root / relative).read_text(), str(relative)), args.sample, args.seed):
                    print(f"{mutant.describe()}    [{mutant.operator}]")
            return 0
        if not args.timeout_factor > 1:
            raise ValueError(f"--timeout-factor must exceed 1, got {args.timeout_factor}")
        settings = OracleSettings(root, module=args.oracle, profile=args.profile, seed=args.seed, cache_dir=cache,
                                  timeout_factor=args.timeout_factor, preload=args.preload,
                                  fail_fast=not args.all_checks)
        reports = []
        for path in args.files:
            reports.append(mutate_file(settings, _relative(path, root), args.theorems, size=args.sample,
                                       seed=args.seed, jobs=args.jobs, progress=_progress))
    except (ValueError, RuntimeError) as exc:
        print(f"mutation: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mutation: interrupted; cached results are kept, a rerun resumes", file=sys.stderr)
        return 130
    print(text(reports))
    if args.out:
        document = {"profile": args.profile, "seed": args.seed, "theorems": args.theorems or "all",
                    "files": [r.as_json() for r in reports]}
        args.out.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
