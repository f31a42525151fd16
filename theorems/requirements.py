"""What a check needs before it can run: a dataset, PyTorch, a GPU.

A missing requirement skips only the check that needs it, with one line that says what is
missing and how to get it.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Requirement:
    """A named precondition. ``probe()`` returns ``None`` when it is met, else the skip reason."""

    name: str
    probe: Callable[[], str | None]

    def missing(self) -> str | None:
        return self.probe()


def _torch_missing() -> str | None:
    if importlib.util.find_spec("torch") is None:
        return "PyTorch is not installed; install it with `pip install torch==2.13.0` (CPU wheel)"
    return None


def _gpu_missing() -> str | None:
    reason = _torch_missing()
    if reason:
        return reason
    import torch

    if not torch.cuda.is_available():
        return "no CUDA GPU is visible to PyTorch; run this check on a machine with one"
    return None


TORCH = Requirement("torch", _torch_missing)
GPU = Requirement("gpu", _gpu_missing)


def dataset(name: str) -> Requirement:
    """The requirement that the real dataset ``name`` can be loaded (see :mod:`empirical.datasets`)."""

    def probe() -> str | None:
        from empirical import datasets

        return datasets.missing_reason(name)

    return Requirement(f"data:{name}", probe)
