"""Trivial subjects generated for every check that takes a function subject.

The standard: no trivial subject passes a check. For each function subject ``f`` of a check, two
stand-ins are made from the built-in itself, so their return type is always right:

* ``zeros``: ``f``'s answer with every float (array, scalar, dataclass field) set to zero;
* ``off by 10⁻³``: ``f``'s answer with every float scaled by 1 + 10⁻³ — far above any tolerance
  derived from float64 rounding (≈ 10⁻¹⁶·κ·n) that the checks use, so a check that lets it pass
  compares too loosely, or does not compare that output at all.

A check may end ``falsified``, ``error`` or ``inconclusive`` under them, but never ``verified``.
Assumption-drop checks are excluded: their subject is expected to go wrong without its assumption.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect

import numpy as np

from theorems import Kind


def transform_floats(value, fn):
    """``value`` with ``fn`` applied to every float array / float scalar / sympy expression in it."""
    import sympy as sp

    if isinstance(value, sp.MatrixBase):
        return value.applyfunc(lambda e: transform_floats(e, fn))
    if isinstance(value, sp.Expr):
        return sp.nsimplify(fn(np.float64(1.0))) * value if fn(np.float64(1.0)) != 0 else sp.S.Zero
    if isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.floating):
        return fn(value)
    if isinstance(value, (float, np.floating)) and not isinstance(value, bool):
        return type(value)(fn(np.float64(value)))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: transform_floats(getattr(value, f.name), fn) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*(transform_floats(v, fn) for v in value))
    if isinstance(value, (tuple, list)):
        return type(value)(transform_floats(v, fn) for v in value)
    if isinstance(value, dict):
        return {k: transform_floats(v, fn) for k, v in value.items()}
    return value


def _changed(before, after) -> bool:
    try:
        return not bool(np.all(np.asarray(before == after, dtype=bool)))
    except Exception:  # noqa: BLE001 - structures that do not compare element-wise
        return before is not after


def _stand_in(subject, fn, label):
    """``subject`` with ``fn`` applied to its answers; ``stand_in.changed`` records whether any
    answer actually changed (an answer with no float in it — a function, a string, an mpmath or
    torch value — comes back as it was, and the stand-in then tests nothing)."""

    @functools.wraps(subject)
    def stand_in(*args, **kwargs):
        answer = subject(*args, **kwargs)
        trivial = transform_floats(answer, fn)
        stand_in.changed = stand_in.changed or _changed(answer, trivial)
        return trivial

    stand_in.__name__ = f"{subject.__name__}[{label}]"
    stand_in.changed = False
    return stand_in


TRIVIAL = {
    "zeros": lambda a: np.zeros_like(a),
    "off by 1e-3": lambda a: a * (1 + 1e-3),
}


def trivial_plants(theorems):
    """(check id, subject name, label, theorem, check, stand-in) for every function subject."""
    out = []
    for theorem in theorems:
        for check in theorem.checks:
            if check.kind in (Kind.COUNTEREXAMPLE, Kind.EMPIRICAL):
                continue
            for name, default in check.subjects.items():
                if not inspect.isfunction(default):
                    continue
                for label, fn in TRIVIAL.items():
                    out.append((f"{theorem.id}::{check.name}", name, label, theorem, check,
                                _stand_in(default, fn, label)))
    return out
