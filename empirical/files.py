"""Output paths checked before work starts, and files written atomically.

* :func:`writable_directory` proves a folder can take new files (it creates one and removes it)
  and turns every failure into one ``ValueError`` line naming the folder and the reason; it is
  what ``verify`` runs on ``--json``, ``--plot``, run stores and caches before any check runs.
* :func:`atomic_path` hands out a temporary name in the destination's own folder and renames it
  over the destination only when the writer finished: a process killed mid-write leaves either
  the old file or none, never a truncated one (``os.replace`` is atomic within one file system).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def writable_directory(path: str | Path, what: str, create: bool = True) -> Path:
    """``path`` as a folder that accepts new files, created (with parents) when ``create``;
    otherwise a one-line ValueError ``"<what> <path> ..."`` saying why not."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ValueError(f"{what} {str(path)!r} is a file, not a folder")
    if not path.exists():
        if not create:
            raise ValueError(f"{what} {str(path)!r}: no such folder; create it first")
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ValueError(f"{what} {str(path)!r} cannot be created ({_reason(exc)}); choose a writable folder") from None
    try:
        handle, probe = tempfile.mkstemp(dir=path, prefix=".ddtheory-probe-")
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        raise ValueError(f"{what} {str(path)!r} is not writable ({_reason(exc)}); choose a writable folder") from None
    return path


def writable_file(path: str | Path, what: str) -> Path:
    """``path`` as a file that can be (re)written atomically: not a folder, in an existing
    writable folder (which is not created: a mistyped folder is an error, not a new tree)."""
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{what} {str(path)!r} is a folder, not a file")
    writable_directory(path.parent, f"{what} {str(path)!r}: folder", create=False)
    return path


def _default_mode() -> int:
    """The mode ``open`` would give a new file (mkstemp's are private, 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_path(destination: str | Path) -> Iterator[Path]:
    """A temporary path beside ``destination``; renamed over it when the block ends normally,
    removed when it raises."""
    destination = Path(destination)
    handle, temporary = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}.", suffix=".tmp")
    os.close(handle)
    try:
        yield Path(temporary)
        os.chmod(temporary, _default_mode())
        os.replace(temporary, destination)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_text_atomic(destination: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``destination`` through :func:`atomic_path`."""
    with atomic_path(destination) as temporary:
        temporary.write_text(text, encoding="utf-8")
