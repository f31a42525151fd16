"""Run a list of trials into a :class:`~empirical.store.RunStore`, skipping finished ones.

``run_sweep(specs, trial, store_path)`` runs every spec whose key is not in the store yet and
records each result as soon as it arrives (one atomic row). Execution is serial in-process for
``workers=1``, a local process pool for ``workers > 1``, or a Dask distributed cluster when a
``scheduler`` address is given (the workers must be able to import ``trial``). A tqdm bar with an
ETA shows progress. Killing the sweep at any point loses only the trials in flight; restarting it
runs exactly those again. Local pool workers end with the sweep, even when it is killed with
SIGKILL (:func:`end_with_parent`), so no orphan keeps training.

Command line::

    python -m empirical.sweep --preset cpu --store runs.sqlite [--workers N] [--scheduler tcp://host:8786]
    python -m empirical.sweep --preset gpu-h200 --store runs.sqlite --engine packed   # a GPU box

``--engine packed`` runs each trial through :func:`empirical.packed_trials.run_packed_trial` (the
packed engine of the GPU window); presets with a fixed-step evaluation protocol need it.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Callable, Iterable, Iterator

from tqdm import tqdm

from empirical.store import Provenance, RunStore, TrialResult, TrialSpec, now

TrialFunction = Callable[[TrialSpec], TrialResult]
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
WATCHDOG_SECONDS = 1.0


def _alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie, dead but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return True  # no /proc: trust kill(pid, 0)


def _watch(parent: int) -> None:
    while _alive(parent):
        time.sleep(WATCHDOG_SECONDS)
    os._exit(1)


def end_with_parent(parent: int) -> None:
    """Pool-worker initializer: end this worker when process ``parent`` (the sweep) dies.

    On Linux, when ``parent`` is the direct parent, the kernel delivers SIGKILL on its death
    (``prctl(PR_SET_PDEATHSIG)``); a parent that died before the call is seen by ``getppid``.
    Elsewhere (or under a fork server) a daemon thread polls ``parent`` every second."""
    if sys.platform.startswith("linux") and os.getppid() == parent:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
            if os.getppid() != parent:
                os._exit(1)
            return
    threading.Thread(target=_watch, args=(parent,), name="end-with-parent", daemon=True).start()


def timed_trial(trial: TrialFunction, spec: TrialSpec) -> TrialResult:
    """Run ``trial(spec)`` and stamp the result with its start time and duration."""
    started, clock = now(), time.perf_counter()
    result = trial(spec)
    if not isinstance(result, TrialResult):
        raise TypeError(f"trial function returned {type(result).__name__}, not a TrialResult")
    return TrialResult(result.metrics, result.device, started, time.perf_counter() - clock)


def _serial(trial: TrialFunction, specs: list[TrialSpec], deadline: float) -> Iterator[tuple[TrialSpec, TrialResult]]:
    for spec in specs:
        if time.monotonic() > deadline:
            return
        yield spec, timed_trial(trial, spec)


def _pool(trial: TrialFunction, specs: list[TrialSpec], workers: int,
          deadline: float) -> Iterator[tuple[TrialSpec, TrialResult]]:
    pool = ProcessPoolExecutor(max_workers=workers, initializer=end_with_parent, initargs=(os.getpid(),))
    try:
        futures = {pool.submit(timed_trial, trial, spec): spec for spec in specs}
        for future in as_completed(futures):
            yield futures[future], future.result()
            if time.monotonic() > deadline:
                return
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _dask(trial: TrialFunction, specs: list[TrialSpec], scheduler,
          deadline: float) -> Iterator[tuple[TrialSpec, TrialResult]]:
    """``scheduler`` is an address string or an existing ``distributed.Client``."""
    from distributed import Client, as_completed as dask_completed

    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        futures = client.map(timed_trial, [trial] * len(specs), specs, key=[f"trial-{s.key}" for s in specs], pure=False)
        by_key = {future.key: spec for future, spec in zip(futures, specs)}
        for future in dask_completed(futures):
            yield by_key[future.key], future.result()
            if time.monotonic() > deadline:
                client.cancel(futures)
                return
    finally:
        if client is not scheduler:
            client.close()


def run_sweep(specs: Iterable[TrialSpec], trial: TrialFunction, store_path: str | Path, *, workers: int = 1,
              scheduler=None, progress: bool = True, description: str = "trials",
              max_minutes: float | None = None) -> dict[str, int]:
    """Run the unfinished ``specs``; return counts ``{"total", "skipped", "ran"}``.

    Specs are validated (and deduplicated by key) before anything runs, so bad input writes
    nothing to the store. With ``max_minutes`` no new trial starts after that long (a chunk;
    the next call resumes).
    """
    deadline = time.monotonic() + (60 * max_minutes if max_minutes else float("inf"))
    unique = {spec.key: spec for spec in specs}
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    provenance = Provenance()
    with RunStore(store_path) as store:
        finished = store.finished_keys()
        pending = [spec for key, spec in unique.items() if key not in finished]
        counts = {"total": len(unique), "skipped": len(unique) - len(pending), "ran": 0}
        if not pending:
            return counts
        if scheduler is not None:
            results = _dask(trial, pending, scheduler, deadline)
        elif workers > 1:
            results = _pool(trial, pending, workers, deadline)
        else:
            results = _serial(trial, pending, deadline)
        with tqdm(total=len(unique), initial=counts["skipped"], desc=description, disable=not progress,
                  unit="trial", dynamic_ncols=True) as bar:
            for spec, result in results:
                counts["ran"] += store.record(spec, result, provenance)
                bar.update(1)
    return counts


def main(argv: list[str] | None = None) -> int:
    import argparse

    from empirical.presets import PRESETS, preset

    parser = argparse.ArgumentParser(description="Run a preset's trials into a run store (resumable).")
    parser.add_argument("--preset", required=True, help=f"one of {', '.join(sorted(PRESETS))}")
    parser.add_argument("--store", required=True, help="SQLite run store path (created if missing)")
    parser.add_argument("--workers", type=int, default=1, help="local worker processes (default 1)")
    parser.add_argument("--scheduler", default=None, help="Dask scheduler address, e.g. tcp://127.0.0.1:8786")
    parser.add_argument("--export", default=None, help="write the store as JSON lines to this path afterwards")
    parser.add_argument("--max-minutes", type=float, default=None,
                        help="stop starting new trials after this many minutes (a later call resumes)")
    parser.add_argument("--engine", choices=("one", "packed"), default=None,
                        help="one-model trials (run_trial) or the packed engine; default: packed for presets "
                             "with a fixed-step evaluation protocol, else one")
    args = parser.parse_args(argv)
    try:
        chosen = preset(args.preset)
        from empirical.packed_trials import FIXED_EVALUATION_STEPS, run_packed_trial

        if args.engine == "one" and chosen.name in FIXED_EVALUATION_STEPS:
            raise ValueError(f"preset {chosen.name!r} evaluates after a fixed number of steps; use --engine packed")
        if args.export:
            from empirical.files import writable_file

            writable_file(args.export, "--export")  # before the sweep, not after hours of training
        if args.engine == "packed":
            counts = run_sweep(chosen.specs(), run_packed_trial, args.store, workers=args.workers,
                               scheduler=args.scheduler, description=f"preset {chosen.name} (packed)",
                               max_minutes=args.max_minutes or chosen.max_minutes_per_chunk)
        else:
            counts = chosen.run(args.store, workers=args.workers, scheduler=args.scheduler,
                                max_minutes=args.max_minutes)
        if args.export:
            from empirical.presets import export_runs

            export_runs(args.store, args.export)
    except ValueError as exc:
        parser.exit(2, f"error: {exc}\n")
    print(counts)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
