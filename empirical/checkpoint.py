"""Wall-clock limits and atomic checkpoints for in-flight trials.

A :class:`WallClock` is a hard limit (``time.monotonic`` based). Resumable work (an object with
``run(deadline) -> bool``, ``state_dict()``, ``load_state_dict(state)``, e.g. the engines of
:mod:`empirical.packed`) goes through :func:`run_resumable`: it loads the checkpoint at ``path``
if there is one, runs until done or until the limit, and on the limit writes the state (images or
parameters, optimiser state, iteration counter, every generator's state) to a temporary file in
the same folder and renames it over ``path`` (``os.replace``: a kill mid-write leaves the previous
checkpoint, never a truncated one), then raises :class:`DeadlineReached`. Work also checkpoints
every ``every_seconds`` so a SIGKILL loses at most that much. Since the generators' states are
saved, a resumed run draws exactly what the uninterrupted run would have drawn.
"""

from __future__ import annotations

import time
from pathlib import Path

from empirical.files import atomic_path


class DeadlineReached(Exception):
    """The wall-clock limit arrived; in-flight work was checkpointed and stopped."""


class WallClock:
    """``expired()`` once ``seconds`` have passed since construction (``None``: never)."""

    def __init__(self, seconds: float | None) -> None:
        if seconds is not None and not seconds >= 0:
            raise ValueError(f"the time limit must be >= 0 seconds, got {seconds}")
        self.end = time.monotonic() + seconds if seconds is not None else float("inf")

    def expired(self) -> bool:
        return time.monotonic() >= self.end

    def left(self) -> float:
        return self.end - time.monotonic()


def save_checkpoint(path: str | Path, state: dict) -> None:
    import torch

    with atomic_path(path) as temporary:
        torch.save(state, temporary)


def load_checkpoint(path: str | Path) -> dict:
    from empirical.trials import load_cached

    return load_cached(Path(path))


def run_resumable(work, path: str | Path, clock: WallClock, every_seconds: float = 60.0) -> None:
    """Run ``work`` to completion from the checkpoint at ``path`` (if any); on ``clock`` expiry save
    the state there and raise :class:`DeadlineReached`. The checkpoint is removed once done."""
    path = Path(path)
    if path.exists():
        work.load_state_dict(load_checkpoint(path))
    while True:
        save_at = time.monotonic() + every_seconds
        if work.run(lambda: clock.expired() or time.monotonic() >= save_at):
            break
        save_checkpoint(path, work.state_dict())
        if clock.expired():
            raise DeadlineReached(f"time limit reached; state saved to {path}")
    path.unlink(missing_ok=True)
