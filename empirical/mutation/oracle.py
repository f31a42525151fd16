"""The oracle: which theorems judge a mutant, and what their verdicts say about it.

1. *Coverage map* (once per source tree, cached): every candidate theorem runs under tracing in
   an unmutated copy; it records the lines of the target file executed inside functions.
2. *Baseline* (once, cached): the theorems that reach any sampled mutant run untraced in an
   unmutated copy; their per-check verdicts are the reference and their times set the timeouts.
3. *Each mutant* runs the theorems whose traced lines meet its reach (all theorems that use
   the file at all, for a module-level change) in its own copy, with a processor-time limit of
   ``timeout_factor`` × the baseline's processor time for those theorems (start-up included;
   processor time, not elapsed time, so that other work on a shared machine cannot turn a slow
   survivor into a timeout) and an elapsed-time backstop :data:`WALL_BACKSTOP_FACTOR` times longer
   than the baseline's elapsed time, for a run that hangs.

A mutant is ``killed`` when the run exits non-zero, a check comes back falsified or error, or any
check's verdict differs from the baseline; ``timeout`` when it exceeds either limit; ``survived``
when it exits 0 with exactly the baseline verdicts; ``unreachable`` when no theorem executes its
lines (it is not run).

Results are cached under a key made of the whole copied tree's content, the oracle settings and
the mutant's source, so an interrupted run restarts where it stopped and a change anywhere in the
tree invalidates every cached result.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import threading
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator

from empirical.mutation.mutants import Mutant
from empirical.mutation.sandbox import BOOTSTRAP, JSON_NAME, Limits, RunResult, copy_of, run_bootstrap, tree_files
from empirical.mutation.zygote import ForkServer

CACHE_FORMAT = 2  # part of every cache key: a change of what is stored invalidates old entries
MIN_CPU_SECONDS = 10.0
WALL_BACKSTOP_FACTOR = 10.0
FAILED_VERDICTS = {"falsified", "error"}


@dataclass(frozen=True)
class OracleSettings:
    """How the oracle is run: ``python -m <module> IDS --profile P --seed S --json PATH`` in the copy,
    each mutant within ``timeout_factor`` × the unmutated run's processor time; with ``preload`` the
    baseline and the mutants fork from a :class:`~empirical.mutation.zygote.ForkServer`;
    ``fail_fast`` passes ``--fail-fast`` (a run stops at its first falsified or error check, which
    already kills the mutant; a survivor runs every check either way)."""

    root: Path
    module: str = "theorems"
    profile: str = "ci"
    seed: int = 0
    cache_dir: Path | None = None
    timeout_factor: float = 3.0
    preload: bool = False
    fail_fast: bool = True

    def arguments(self, theorem_ids: list[str]) -> list[str]:
        return [*theorem_ids, "--profile", self.profile, "--seed", str(self.seed), "--json", JSON_NAME,
                *(["--fail-fast"] if self.fail_fast else [])]


@dataclass
class MutantResult:
    """The fate of one mutant; ``reason`` says what killed it (or why it was not run)."""

    key: str
    line: int
    operator: str
    original: str
    mutated: str
    status: str
    reason: str = ""
    theorems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cached: bool = False

    def as_json(self) -> dict:
        return asdict(self)


def module_name(path: Path) -> str:
    """``constructions/linear.py`` → ``constructions.linear``."""
    parts = list(path.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


class Oracle:
    """Runs the oracle for one target file of a repository, with a cache of every result."""

    def __init__(self, settings: OracleSettings, target: Path):
        self.settings = settings
        self.target = target  # relative to settings.root
        self.target_module = module_name(target)
        digest = hashlib.sha256()
        for relative in tree_files(settings.root):
            digest.update(str(relative).encode() + b"\0" + (settings.root / relative).read_bytes() + b"\0")
        digest.update(json.dumps([CACHE_FORMAT, settings.module, settings.profile, settings.seed,
                                  settings.timeout_factor, settings.preload, settings.fail_fast, str(target)]).encode())
        self.fingerprint = digest.hexdigest()
        self.modules: list[str] = []  # what the traced run imported from outside the tree
        self._idle: list[ForkServer] = []
        self._servers: list[ForkServer] = []
        self._servers_lock = threading.Lock()

    @contextmanager
    def _server(self) -> Iterator[ForkServer | None]:
        """An idle fork server (a new one when all are busy) when preloading, else None."""
        if not self.settings.preload:
            yield None
            return
        with self._servers_lock:
            server = self._idle.pop() if self._idle else None
        if server is None:
            env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0"}
            env.pop("PYTHONPATH", None)
            server = ForkServer(self.modules, BOOTSTRAP, env)
            with self._servers_lock:
                self._servers.append(server)
        try:
            yield server
        finally:
            with self._servers_lock:
                self._idle.append(server)

    def close(self) -> None:
        """Stop the fork servers."""
        for server in self._servers:
            server.close()
        self._servers.clear()
        self._idle.clear()

    # -- cache ---------------------------------------------------------------------------------
    def _cache_path(self, kind: str, *parts: str) -> Path | None:
        if self.settings.cache_dir is None:
            return None
        key = hashlib.sha256("\0".join([self.fingerprint, kind, *parts]).encode()).hexdigest()[:24]
        return self.settings.cache_dir / f"{kind}-{key}.json"

    def _cached(self, kind: str, *parts: str):
        path = self._cache_path(kind, *parts)
        return json.loads(path.read_text()) if path is not None and path.is_file() else None

    def _store(self, value, kind: str, *parts: str) -> None:
        path = self._cache_path(kind, *parts)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(".tmp")
            temporary.write_text(json.dumps(value))
            temporary.replace(path)

    # -- the three steps -----------------------------------------------------------------------
    def theorem_ids(self) -> list[str]:
        """Every theorem ``python -m <module> list`` names (the first column of its first table)."""
        with copy_of(self.settings.root) as copy:
            result = run_bootstrap(copy, self.target_module, "run", self.settings.module, ["list"])
        if result.exit != 0:
            raise RuntimeError(f"listing the theorems failed (exit {result.exit}): {_last(result)}")
        rows = result.output.split("\n\n")[0].splitlines()[2:]  # a header line and a rule line first
        return [row.split()[0] for row in rows if row.strip()]

    def coverage(self, theorem_ids: list[str]) -> dict[str, set[int]]:
        """Lines of the target executed inside functions by each theorem (unmutated tree)."""
        cached = self._cached("coverage", *theorem_ids)
        if cached is None:
            plan = json.dumps({tid: self.settings.arguments([tid]) for tid in theorem_ids})
            with copy_of(self.settings.root) as copy:
                record = copy / "trace.json"
                result = run_bootstrap(copy, self.target_module, "trace", self.settings.module, [plan], record=record)
                if result.exit != 0 or not record.is_file():
                    raise RuntimeError(f"tracing the unmutated tree failed (exit {result.exit}): {_last(result)}")
                cached = json.loads(record.read_text())
            self._store(cached, "coverage", *theorem_ids)
        self.modules = cached["modules"]
        return {tid: set(cached["runs"][tid]["lines"]) for tid in theorem_ids}

    def baseline(self, theorem_ids: list[str]) -> dict:
        """Verdicts and times of the unmutated tree:
        {"verdicts": {check: v}, "seconds": {id: s}, "wall": s, "cpu": s}.

        Its processor time is read from this process's reaped-children counters, so it must run
        while no other oracle runs (the campaign calls it before starting the mutants)."""
        cached = self._cached("baseline", *theorem_ids)
        if cached is None:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            with copy_of(self.settings.root) as copy, self._server() as server:
                result = run_bootstrap(copy, self.target_module, "run", self.settings.module,
                                       self.settings.arguments(theorem_ids), server=server)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if result.exit != 0 or result.document is None:
                failing = sorted(c for c, v in verdicts(result.document or {}).items() if v in FAILED_VERDICTS)
                detail = ", ".join(failing) if failing else _last(result)
                raise RuntimeError(f"the unmutated tree does not pass its own oracle (exit {result.exit}): {detail}; "
                                   "fix it or leave those theorems out of --theorems")
            cpu = result.cpu if result.cpu is not None else (
                (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
            cached = {"verdicts": verdicts(result.document), "seconds": theorem_seconds(result.document),
                      "wall": result.seconds, "cpu": cpu}
            self._store(cached, "baseline", *theorem_ids)
        return cached

    def limits(self, baseline: dict, theorem_ids: list[str]) -> Limits:
        """The budget of a run of ``theorem_ids``: the baseline's share of start-up plus these theorems
        (from its elapsed times), in processor time × ``timeout_factor`` (at least MIN_CPU_SECONDS)
        and in elapsed time × WALL_BACKSTOP_FACTOR (at least three times the processor-time limit)."""
        startup = max(baseline["wall"] - sum(baseline["seconds"].values()), 0.0)
        share = (startup + sum(baseline["seconds"].get(tid, 0.0) for tid in theorem_ids)) / max(baseline["wall"], 1e-9)
        cpu = max(self.settings.timeout_factor * baseline["cpu"] * share, MIN_CPU_SECONDS)
        # the backstop leaves the processor-time limit (and its 10 s grace to SIGKILL) room to act
        # first even when the run gets a third of a core
        return Limits(cpu=cpu, wall=max(WALL_BACKSTOP_FACTOR * baseline["wall"] * share, 3 * (cpu + 11)))

    def judge(self, mutant: Mutant, theorem_ids: list[str], baseline: dict) -> MutantResult:
        """Run ``mutant`` against ``theorem_ids`` (cached) and classify it."""
        result = MutantResult(mutant.key, mutant.line, mutant.operator, mutant.original, mutant.mutated,
                              "unreachable", "no traced theorem executes this line", list(theorem_ids))
        if not theorem_ids:
            return result
        cached = self._cached("mutant", mutant.source, *theorem_ids)
        if cached is not None:
            result.status, result.reason, result.seconds, result.cached = (
                cached["status"], cached["reason"], cached["seconds"], True)
            return result
        # cheapest theorems first: under --fail-fast a mutant dies in the first theorem that catches it
        ordered = sorted(theorem_ids, key=lambda tid: (baseline["seconds"].get(tid, 0.0), tid))
        with copy_of(self.settings.root, self.target, mutant.source) as copy, self._server() as server:
            run = run_bootstrap(copy, self.target_module, "run", self.settings.module,
                                self.settings.arguments(ordered), self.limits(baseline, theorem_ids),
                                server=server)
        result.status, result.reason = classify(run, baseline["verdicts"], theorem_ids)
        result.seconds = run.seconds
        self._store({"status": result.status, "reason": result.reason, "seconds": run.seconds},
                    "mutant", mutant.source, *theorem_ids)
        return result


def reaching(mutant: Mutant, coverage: dict[str, set[int]]) -> list[str]:
    """The theorems whose traced lines meet the mutant's reach (any line at all for module level)."""
    if mutant.reach is None:
        return [tid for tid, lines in coverage.items() if lines]
    low, high = mutant.reach
    return [tid for tid, lines in coverage.items() if any(low <= line <= high for line in lines)]


def verdicts(document: dict) -> dict[str, str]:
    """``{"theorem::check": verdict}`` from a ``verify --json`` document."""
    return {f"{t['id']}::{c['name']}": c["verdict"] for t in document.get("theorems", []) for c in t.get("checks", [])}


def theorem_seconds(document: dict) -> dict[str, float]:
    return {tid: float(entry.get("total", 0.0)) for tid, entry in document.get("timings", {}).items()}


def classify(run: RunResult, reference: dict[str, str], theorem_ids: list[str]) -> tuple[str, str]:
    """(status, reason) of a mutant's run against the baseline verdicts of ``theorem_ids``."""
    if run.timed_out:
        limit = "processor-time limit" if run.exit is not None else "elapsed-time backstop"
        return "timeout", f"stopped by the {limit} after {run.seconds:.0f} s"
    if run.document is None:
        return "killed", f"exit {run.exit} without a report: {_last(run)}"
    found = verdicts(run.document)
    # a failing verdict the baseline also has (a claim registered as refuted) catches nothing
    failed = sorted(check for check, verdict in found.items()
                    if verdict in FAILED_VERDICTS and reference.get(check) != verdict)
    if failed:
        return "killed", f"{found[failed[0]]}: {failed[0]}" + (f" (+{len(failed) - 1} more)" if len(failed) > 1 else "")
    expected = {check: v for check, v in reference.items() if check.split("::")[0] in theorem_ids}
    changed = sorted(check for check in expected.keys() | found.keys() if expected.get(check) != found.get(check))
    if changed:
        check = changed[0]
        return "killed", f"verdict changed: {check} {expected.get(check)} → {found.get(check)}"
    if run.exit != 0:
        return "killed", f"exit {run.exit}: {_last(run)}"
    return "survived", ""


def _last(run: RunResult) -> str:
    lines = [line for line in run.output.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else "(no output)"
