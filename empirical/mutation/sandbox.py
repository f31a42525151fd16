"""Running the oracle on a throw-away copy of the source tree.

Each run copies the repository's packages (every top-level directory with an ``__init__.py``) and
``pyproject.toml`` into a fresh temporary directory, writes the mutant there, and runs
``python -P -c BOOTSTRAP`` with that directory as working directory and first on ``PYTHONPATH``
(``-P``: the working directory is not prepended a second time). The bootstrap refuses to run
(exit :data:`WRONG_TREE`) unless the mutated module resolves to the copy, so an editable install
can never make a run test the working tree instead. Bytecode caches are copied (Python
checks each against its source's size and time) except the mutated module's, and runs write
none. The working tree is only ever read; the copy is deleted when the run ends, is killed by its timeout, or the caller is interrupted.

In ``trace`` mode the bootstrap runs the oracle once per named argument list in one process and
records, for each, the lines of the target file executed inside functions (``sys.settrace`` and
``threading.settrace``; code run in child processes is not seen).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

WRONG_TREE = 97
JSON_NAME = "oracle.json"  # where a run's arguments should ask the oracle to write its JSON (relative to the copy)
ROOT_FILES = ("pyproject.toml",)

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
with open(record, "w") as handle:
    json.dump(results, handle)
"""


@dataclass(frozen=True)
class RunResult:
    """What one oracle run did: exit status (None on timeout), wall seconds, its JSON (if written), its output."""

    exit: int | None
    seconds: float
    document: dict | None
    output: str

    @property
    def timed_out(self) -> bool:
        return self.exit is None


def packages(root: Path) -> list[str]:
    """The top-level packages of the repository: directories holding an ``__init__.py``."""
    return sorted(p.name for p in root.iterdir() if p.is_dir() and (p / "__init__.py").is_file())


def tree_files(root: Path) -> list[Path]:
    """Every file a run copies (paths relative to ``root``), bytecode caches excluded."""
    files = [Path(name) for name in ROOT_FILES if (root / name).is_file()]
    for package in packages(root):
        files += sorted(p.relative_to(root) for p in (root / package).rglob("*")
                        if p.is_file() and "__pycache__" not in p.parts)
    return files


@contextmanager
def copy_of(root: Path, replaced: Path | None = None, source: str | None = None) -> Iterator[Path]:
    """A temporary copy of the repository's packages, with ``replaced`` (relative) rewritten to ``source``."""
    with tempfile.TemporaryDirectory(prefix="ddtheory-mutant-") as directory:
        copy = Path(directory)
        for name in ROOT_FILES:
            if (root / name).is_file():
                shutil.copy2(root / name, copy / name)
        for package in packages(root):
            shutil.copytree(root / package, copy / package)  # bytecode too: it is revalidated against each source
        if replaced is not None:
            (copy / replaced).write_text(source)
            for stale in (copy / replaced.parent / "__pycache__").glob(f"{replaced.stem}.*.pyc"):
                stale.unlink()
        yield copy


def run_bootstrap(copy: Path, target_module: str, mode: str, module: str, arguments: list[str],
                  timeout: float | None, record: Path | None = None) -> RunResult:
    """Run the bootstrap in ``copy`` (``python -m module *arguments``, or the trace plan in ``arguments[0]``);
    on timeout the whole process group is killed."""
    env = {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0"}
    json_path = copy / JSON_NAME
    record = record or copy / "trace.json"
    command = [sys.executable, "-P", "-c", BOOTSTRAP, str(copy), target_module, mode, str(record), module,
               *arguments]
    start = time.perf_counter()
    with open(copy / "oracle.log", "w+") as log:
        process = subprocess.Popen(command, cwd=copy, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            code = None
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        seconds = time.perf_counter() - start
        log.seek(0)
        output = log.read()
    if code == WRONG_TREE:
        raise RuntimeError(output.strip().splitlines()[-1] if output.strip() else "the sandbox imported the wrong tree")
    document = json.loads(json_path.read_text()) if mode == "run" and json_path.is_file() else None
    return RunResult(code, seconds, document, output)
