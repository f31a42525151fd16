"""One file's mutation campaign: generate, sample, map coverage, take the baseline, judge each mutant."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

from empirical.mutation.mutants import generate, sample
from empirical.mutation.oracle import MutantResult, Oracle, OracleSettings, reaching
from empirical.mutation.report import FileReport
from empirical.mutation.sandbox import allow_runs, stop_all


def mutate_file(settings: OracleSettings, path: Path, theorem_ids: list[str] | None = None, *,
                size: int | None = None, seed: int = 0, jobs: int = 1,
                progress: Callable[[int, int, MutantResult], None] | None = None) -> FileReport:
    """Mutation-test ``path`` (relative to ``settings.root``) against ``theorem_ids`` (default: every theorem).

    ``size`` mutants are drawn with ``seed`` (all when None); ``jobs`` mutants run at a time.
    """
    if jobs < 1:
        raise ValueError(f"--jobs must be at least 1, got {jobs}")
    source_path = settings.root / path
    if source_path.suffix != ".py" or not source_path.is_file():
        raise ValueError(f"{path}: not a Python file under {settings.root}")
    start = time.perf_counter()
    mutants = generate(source_path.read_text(), str(path))
    chosen = sample(mutants, size, seed)
    oracle = Oracle(settings, path)
    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        candidates = list(theorem_ids) if theorem_ids else oracle.theorem_ids()
        coverage = oracle.coverage(candidates)
        judges = [reaching(m, coverage) for m in chosen]
        needed = [tid for tid in candidates if any(tid in ids for ids in judges)]
        baseline = oracle.baseline(needed) if needed else {"verdicts": {}, "seconds": {}, "wall": 0.0, "cpu": 0.0}
        report = FileReport(str(path), len(mutants), baseline_seconds=baseline["wall"])
        done = 0

        def judge(index: int) -> MutantResult:
            return oracle.judge(chosen[index], judges[index], baseline)

        for result in pool.map(judge, range(len(chosen))):
            done += 1
            report.results.append(result)
            if progress is not None:
                progress(done, len(chosen), result)
    except BaseException:
        stop_all()  # interrupted: kill the running oracles so that their copies are removed now
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        oracle.close()
        allow_runs()
    report.wall_seconds = time.perf_counter() - start
    return report
