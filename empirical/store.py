"""The run store: one SQLite row per finished trial, keyed by the hash of the trial's spec.

A *trial* is a pure function of its :class:`TrialSpec` (method, IPC, configuration names, seeds,
preset): running it twice gives the same metrics, so the spec's stable hash, sha256 of its
canonical JSON (sorted keys, no whitespace), identifies the result. A sweep asks the store which
keys are finished and runs only the others; rows are written in one transaction each with
``INSERT OR IGNORE`` on the primary key, so a sweep killed at any instant leaves every finished
trial exactly once and no partial row.

The database runs in WAL mode (readers never block the writer). Its ``meta`` table records the
schema version; opening a store written with another schema is a one-line ``ValueError``.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from empirical.files import writable_directory, write_text_atomic

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS trials (
    key TEXT PRIMARY KEY,
    spec TEXT NOT NULL,
    metrics TEXT NOT NULL,
    started REAL NOT NULL,
    seconds REAL NOT NULL,
    device TEXT NOT NULL,
    package_version TEXT NOT NULL,
    git_revision TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class TrialSpec:
    """Everything a trial depends on.

    ``configurations`` names the training configurations the distiller is built against (one for
    the scaling law, a subset of M for the coverage law); the distilled set is evaluated under
    each of them with every seed in ``eval_seeds``. ``options`` holds further switches as sorted
    (name, value) pairs (e.g. ``("augment", True)``, ``("draw", 2)``).
    """

    method: str
    ipc: int
    configurations: tuple[str, ...]
    distill_seed: int
    eval_seeds: tuple[int, ...]
    preset: str
    options: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "configurations", tuple(self.configurations))
        object.__setattr__(self, "eval_seeds", tuple(int(s) for s in self.eval_seeds))
        object.__setattr__(self, "options", tuple(sorted((str(k), v) for k, v in dict(self.options).items())))
        if not self.configurations:
            raise ValueError("a trial needs at least one configuration (the configuration family is empty)")
        if not self.eval_seeds:
            raise ValueError("a trial needs at least one evaluation seed")
        if not isinstance(self.ipc, int) or isinstance(self.ipc, bool):
            raise ValueError(f"ipc must be an integer, got {self.ipc!r}")

    def option(self, name: str, default: Any = None) -> Any:
        return dict(self.options).get(name, default)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["configurations"] = list(self.configurations)
        data["eval_seeds"] = list(self.eval_seeds)
        data["options"] = {k: v for k, v in self.options}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TrialSpec":
        return cls(data["method"], int(data["ipc"]), tuple(data["configurations"]), int(data["distill_seed"]),
                   tuple(data["eval_seeds"]), data["preset"], tuple(dict(data.get("options", {})).items()))

    def canonical_json(self) -> str:
        return json.dumps(self.as_dict(), sort_keys=True, separators=(",", ":"))

    @property
    def key(self) -> str:
        """sha256 of the canonical JSON: the trial's identity in every store."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TrialResult:
    """What a trial function returns: its metrics (JSON-ready) and the device it ran on."""

    metrics: dict[str, Any]
    device: str = "cpu"
    started: float = 0.0
    seconds: float = 0.0


@dataclass(frozen=True)
class Provenance:
    """Where a row came from: package version and git revision of the code that ran it."""

    package_version: str = field(default_factory=lambda: package_version())
    git_revision: str = field(default_factory=lambda: git_revision())


def package_version() -> str:
    try:
        import importlib.metadata

        return importlib.metadata.version("ddtheory")
    except Exception:  # not installed: read it from the source tree
        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        for line in pyproject.read_text().splitlines() if pyproject.exists() else []:
            if line.startswith("version"):
                return line.split("=", 1)[1].strip().strip('"')
        return "unknown"


def git_revision() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).resolve().parent,
                             capture_output=True, text=True, timeout=10)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


class RunStore:
    """A SQLite file of finished trials. Open with ``RunStore(path)``; use as a context manager."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.exists() and self.path.is_dir():
            raise ValueError(f"run store {str(self.path)!r} is a directory, not a SQLite file")
        # SQLite in WAL mode writes -wal/-shm files beside the store, so even reading needs the folder writable
        writable_directory(self.path.parent, f"run store {str(self.path)!r}: folder")
        try:
            self._db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._check_schema()
        except sqlite3.DatabaseError as exc:
            raise ValueError(f"run store {str(self.path)!r} is not a SQLite run store ({exc}); "
                             f"move it away or use a new store path") from None

    def _check_schema(self) -> None:
        tables = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if tables and "meta" not in tables:
            raise ValueError(f"run store {str(self.path)!r} has no meta table; it was not written by ddtheory; "
                             f"use a new store path")
        if "meta" in tables:
            row = self._db.execute("SELECT value FROM meta WHERE name='schema_version'").fetchone()
            found = row[0] if row else "none"
            if found != str(SCHEMA_VERSION):
                raise ValueError(f"run store {str(self.path)!r} has schema version {found}; this ddtheory reads "
                                 f"version {SCHEMA_VERSION}; use a new store path")
            return
        self._db.executescript(_SCHEMA)
        self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "RunStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def finished_keys(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT key FROM trials")}

    def __contains__(self, spec: TrialSpec) -> bool:
        return self._db.execute("SELECT 1 FROM trials WHERE key=?", (spec.key,)).fetchone() is not None

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM trials").fetchone()[0]

    def record(self, spec: TrialSpec, result: TrialResult, provenance: Provenance) -> bool:
        """Write one finished trial atomically; ``False`` when its key was already there."""
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO trials VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (spec.key, spec.canonical_json(), json.dumps(result.metrics, sort_keys=True), result.started,
             result.seconds, result.device, provenance.package_version, provenance.git_revision),
        )
        return cursor.rowcount == 1

    def rows(self) -> Iterator[dict[str, Any]]:
        """Every finished trial as a dict: key, spec (dict), metrics (dict) and provenance columns."""
        query = "SELECT key, spec, metrics, started, seconds, device, package_version, git_revision FROM trials ORDER BY key"
        for key, spec, metrics, started, seconds, device, version, revision in self._db.execute(query):
            yield {"key": key, "spec": json.loads(spec), "metrics": json.loads(metrics), "started": started,
                   "seconds": seconds, "device": device, "package_version": version, "git_revision": revision}


def export_jsonl(store: RunStore, path: str | Path, annotate=None) -> int:
    """Write every row of ``store`` as one JSON line (sorted keys) to ``path``; return the count.
    ``annotate(row)`` may return extra provenance columns (e.g. what a preset reduced)."""
    rows = [{**row, **(annotate(row) if annotate else {})} for row in store.rows()]
    write_text_atomic(path, "".join(json.dumps(row, sort_keys=True) + "\n" for row in rows))
    return len(rows)


def read_jsonl(paths: Iterable[str | Path]) -> list[dict[str, Any]]:
    """Rows exported by :func:`export_jsonl`, from one or several files."""
    rows = []
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise ValueError(f"{path}: cannot read the run export ({reason}); export it again") from None
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not a JSON line ({exc.msg})") from None
    return rows


def now() -> float:
    """Wall-clock time, used only for the ``started`` timing column (never for seeds)."""
    return time.time()
