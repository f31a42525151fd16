"""Running the oracle on a throw-away copy of the source tree.

Each run copies the repository's packages (every top-level directory with an ``__init__.py``
except ``tests``, and without this tool's own package) and ``pyproject.toml`` into a fresh
temporary directory, writes the mutant there, and runs ``python -P -c BOOTSTRAP`` with that
directory as working directory and first on ``PYTHONPATH`` (``-P``: the working directory is not
prepended a second time). The bootstrap refuses to run (exit :data:`WRONG_TREE`) unless the
mutated module resolves to the copy, so an editable install can never make a run test the
working tree instead. Bytecode caches are copied (Python checks each against its source's size
and time) except the mutated module's, and runs write none. The working tree is only ever read;
the copy is deleted when the run ends, is stopped by its limits, or the caller is interrupted.

In ``trace`` mode the bootstrap runs the oracle once per named argument list in one process and
records, for each, the lines of the target file executed inside functions (``sys.settrace`` and
``threading.settrace``; code run in child processes is not seen), and the modules from outside
the copy that the runs imported (what a :class:`~empirical.mutation.zygote.ForkServer` preloads).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from empirical.mutation.zygote import ForkServer

WRONG_TREE = 97
LOG_NAME = "oracle.log"
JSON_NAME = "oracle.json"  # where a run's arguments should ask the oracle to write its JSON (relative to the copy)
ROOT_FILES = ("pyproject.toml",)
NOT_COPIED = {"tests"}
THIS_PACKAGE = Path(__file__).resolve().parent

_RUNNING: set = set()  # how to stop each run in flight
_LOCK = threading.Lock()
_STOPPING = threading.Event()


class Interrupted(RuntimeError):
    """The run was killed by :func:`stop_all`; it says nothing about the mutant."""


def stop_all() -> None:
    """Kill every running oracle (their callers raise :class:`Interrupted`) and start no more."""
    _STOPPING.set()
    with _LOCK:
        for stop in _RUNNING:
            stop()


def allow_runs() -> None:
    """Undo :func:`stop_all` once its runs have ended."""
    _STOPPING.clear()


def _kill(process: subprocess.Popen) -> None:
    """Kill the process group of a run whose leader is not yet reaped (so its id cannot have been reused)."""
    if process.returncode is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


BOOTSTRAP = r"""
import importlib.util, json, os, runpy, sys, threading
root, target, mode, record, module, *argv = sys.argv[1:]
origin = os.path.realpath(importlib.util.find_spec(target).origin)
if not origin.startswith(os.path.realpath(root) + os.sep):
    print(f"mutation sandbox: {target} resolves to {origin}, outside the copy {root}", file=sys.stderr)
    sys.exit(97)

def run(arguments):
    sys.argv = [module, *arguments]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0

if mode == "run":
    sys.exit(run(argv))
known, hits = {}, set()
def is_target(filename):
    if filename not in known:
        known[filename] = os.path.realpath(filename) == origin
    return known[filename]
def on_line(frame, event, arg):
    if event == "line":
        hits.add(frame.f_lineno)
    return on_line
def on_call(frame, event, arg):
    code = frame.f_code
    if code.co_flags & 1 and is_target(code.co_filename):  # CO_OPTIMIZED: a function, not module/class code
        return on_line
    return None
results = {}
for name, arguments in json.loads(argv[0]).items():
    hits.clear()
    sys.settrace(on_call); threading.settrace(on_call)
    try:
        code = run(arguments)
    finally:
        sys.settrace(None); threading.settrace(None)
    results[name] = {"exit": code, "lines": sorted(hits)}
inside = os.path.realpath(root) + os.sep
modules = [name for name, m in list(sys.modules.items()) if name != "__main__"
           and not os.path.realpath(getattr(m, "__file__", None) or "/").startswith(inside)]
with open(record, "w") as handle:
    json.dump({"runs": results, "modules": modules}, handle)
"""


@dataclass(frozen=True)
class Limits:
    """A run's budget: ``cpu`` seconds of processor time (the kernel stops it with SIGXCPU; load on a
    shared machine does not change it) and ``wall`` seconds of elapsed time (a backstop for a run
    that hangs without computing). ``None``: unlimited."""

    cpu: float | None = None
    wall: float | None = None


@dataclass(frozen=True)
class RunResult:
    """What one oracle run did: exit status (None when stopped by the wall-clock backstop, negative
    for a signal), wall seconds, its JSON (if written), its output."""

    exit: int | None
    seconds: float
    document: dict | None
    output: str
    cpu: float | None = None  # processor seconds, when the fork server measured them

    @property
    def timed_out(self) -> bool:
        return self.exit is None or self.exit == -signal.SIGXCPU


def packages(root: Path) -> list[str]:
    """The top-level packages a run needs: directories holding an ``__init__.py``, the test suite excepted."""
    return sorted(p.name for p in root.iterdir()
                  if p.is_dir() and (p / "__init__.py").is_file() and p.name not in NOT_COPIED)


def _copied(path: Path) -> bool:
    """Whether a file under a package is copied: not bytecode, not this tool (it never runs in a copy)."""
    return "__pycache__" not in path.parts and not path.resolve().is_relative_to(THIS_PACKAGE)


def tree_files(root: Path) -> list[Path]:
    """Every source and data file a run copies (relative to ``root``): what the cache keys hash."""
    files = [Path(name) for name in ROOT_FILES if (root / name).is_file()]
    for package in packages(root):
        files += sorted(p.relative_to(root) for p in (root / package).rglob("*") if p.is_file() and _copied(p))
    return files


def _skip_this_package(folder: str, names: list[str]) -> list[str]:
    return [name for name in names if (Path(folder) / name).resolve() == THIS_PACKAGE]


@contextmanager
def copy_of(root: Path, replaced: Path | None = None, source: str | None = None) -> Iterator[Path]:
    """A temporary copy of the repository's packages, with ``replaced`` (relative) rewritten to ``source``."""
    with tempfile.TemporaryDirectory(prefix="ddtheory-mutant-") as directory:
        copy = Path(directory)
        for name in ROOT_FILES:
            if (root / name).is_file():
                shutil.copy2(root / name, copy / name)
        for package in packages(root):
            # bytecode too: Python revalidates it against each source's size and time
            shutil.copytree(root / package, copy / package, ignore=_skip_this_package)
        if replaced is not None:
            (copy / replaced).write_text(source)
            for stale in (copy / replaced.parent / "__pycache__").glob(f"{replaced.stem}.*.pyc"):
                stale.unlink()
        yield copy


def run_bootstrap(copy: Path, target_module: str, mode: str, module: str, arguments: list[str],
                  limits: Limits = Limits(), record: Path | None = None, server: ForkServer | None = None) -> RunResult:
    """Run the bootstrap in ``copy`` (``python -m module *arguments``, or the trace plan in ``arguments[0]``)
    within ``limits``, in a fresh interpreter or forked from ``server``; past the wall-clock backstop
    the whole process group is killed."""
    env = {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0"}
    record = record or copy / "trace.json"
    argv = [str(copy), target_module, mode, str(record), module, *arguments]
    cpu_limit = None if limits.cpu is None else int(limits.cpu) + 1
    if server is None:
        start = time.perf_counter()
        code, cpu = _spawn(copy, argv, env, cpu_limit, limits.wall), None
        seconds = time.perf_counter() - start
    else:
        with _registered(server.stop_child):
            code, cpu, seconds = server.run(str(copy), argv, env, str(copy / LOG_NAME), cpu_limit, limits.wall)
    if _STOPPING.is_set():
        raise Interrupted("mutation run interrupted")
    output = (copy / LOG_NAME).read_text(errors="replace") if (copy / LOG_NAME).is_file() else ""
    if code == WRONG_TREE:
        raise RuntimeError(output.strip().splitlines()[-1] if output.strip() else "the sandbox imported the wrong tree")
    document = _read_json(copy / JSON_NAME) if mode == "run" else None
    return RunResult(code, seconds, document, output, cpu)


@contextmanager
def _registered(stop) -> Iterator[None]:
    """Make ``stop`` reachable from :func:`stop_all` while a run is in flight."""
    with _LOCK:
        if _STOPPING.is_set():
            raise Interrupted("mutation run interrupted")
        _RUNNING.add(stop)
    try:
        yield
    finally:
        with _LOCK:
            _RUNNING.discard(stop)


def _spawn(copy: Path, argv: list[str], env: dict, cpu_limit: int | None, wall: float | None) -> int | None:
    """A fresh ``python -P -c BOOTSTRAP`` in its own session; its exit status, None past ``wall``."""
    with open(copy / LOG_NAME, "w") as log:
        process = subprocess.Popen([sys.executable, "-P", "-c", BOOTSTRAP, *argv], cwd=copy, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    stop = lambda: _kill(process)  # noqa: E731
    with _registered(stop):
        try:
            if cpu_limit is not None:  # inherited by anything the oracle starts; SIGKILL 10 s after SIGXCPU
                resource.prlimit(process.pid, resource.RLIMIT_CPU, (cpu_limit, cpu_limit + 10))
        except ProcessLookupError:
            pass  # it has already ended
        try:
            return process.wait(timeout=wall)
        except subprocess.TimeoutExpired:
            return None
        finally:
            _kill(process)  # on timeout or interruption: the whole group, whatever the oracle started
            process.wait()


def _read_json(path: Path) -> dict | None:
    """The oracle's JSON document; None when it wrote none or a run stopped half-way through writing it."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None
