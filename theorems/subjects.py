"""Your construction under a built-in theorem: loading, validating and describing subjects.

A check's *subjects* are its keyword arguments with defaults (``distill=distill_linear_regression``).
Passing your own object under that name runs the check on it::

    verify izzo-zou/theorem-3 --subject distill=mypkg.mymod:my_distill
    verify izzo-zou/theorem-3 --subject distill=path/to/file.py:my_distill

Before anything runs, :func:`validate_subjects` makes sure each named subject is taken by at least
one check of the theorem, and that the object can be called the way the checks call the built-in:
every positional parameter of the built-in is accepted, and every keyword it has is accepted by
name. When both the built-in and your function annotate their return type, yours must be the same
class or a subclass of it. A mismatch is a one-line :class:`ValueError`.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import typing
from pathlib import Path
from typing import Any

from theorems.registry import Check, Theorem, import_user_file


def load_object(spec: str) -> Any:
    """``module.path:name`` or ``file.py:name`` → the named object, or a one-line ValueError."""
    where, sep, name = spec.rpartition(":")
    if not sep or not where or not name:
        raise ValueError(f"subject {spec!r} must look like 'package.module:name' or 'path/to/file.py:name'")
    if where.endswith(".py"):
        path = Path(where)
        if not path.is_file():
            raise ValueError(f"subject file {where!r} does not exist")
        module = import_user_file(path, f"ddtheory_subject_{abs(hash(path.resolve()))}", "subject")
    else:
        try:
            module = importlib.import_module(where)
        except (Exception, SystemExit) as exc:  # noqa: BLE001
            raise ValueError(f"cannot import module {where!r}: {type(exc).__name__}: {exc}") from None
    if not hasattr(module, name):
        raise ValueError(f"{where!r} has no attribute {name!r}")
    return getattr(module, name)


def parse_subject_options(options: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """``("distill=mod:fn", ...)`` → ``{"distill": fn}``; one-line ValueErrors for bad syntax."""
    subjects: dict[str, Any] = {}
    for option in options:
        name, sep, spec = option.partition("=")
        if not sep or not name.isidentifier():
            raise ValueError(f"--subject {option!r} must look like NAME=module:function")
        if name in subjects:
            raise ValueError(f"--subject {name} is given twice")
        subjects[name] = load_object(spec)
    return subjects


def applicable(theorem: Theorem, subjects: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """For each check of ``theorem``, the subjects it takes out of ``subjects`` (checks taking
    none of them are absent)."""
    out = {}
    for check in theorem.checks:
        taken = {name: obj for name, obj in subjects.items() if name in check.subjects}
        if taken:
            out[check.name] = taken
    return out


def signature_text(obj: Any) -> str:
    """``name(params) -> return`` for a callable, or the type of a value subject."""
    if callable(obj):
        try:
            return f"{getattr(obj, '__name__', type(obj).__name__)}{inspect.signature(obj)}"
        except (TypeError, ValueError):
            return getattr(obj, "__name__", repr(obj))
    shown = repr(obj)
    return f"a {type(obj).__name__} (default {shown if len(shown) <= 80 else shown[:79] + '…'})"


def _return_class(fn: Any) -> type | None:
    try:
        hints = typing.get_type_hints(fn)
    except Exception:  # noqa: BLE001 - unresolvable annotations say nothing
        return None
    value = hints.get("return")
    return value if isinstance(value, type) else None


def check_compatible(name: str, default: Any, obj: Any) -> None:
    """Raise a one-line ValueError unless ``obj`` can stand in for the built-in ``default``."""
    if not callable(default):
        if callable(obj) or (default is not None and not isinstance(obj, type(default))):
            raise ValueError(f"subject {name!r} must be {signature_text(default)}, got {type(obj).__name__}")
        return
    if not callable(obj):
        raise ValueError(f"subject {name!r} must be callable like {signature_text(default)}, got {type(obj).__name__}")
    try:
        expected, given = inspect.signature(default), inspect.signature(obj)
    except (TypeError, ValueError):
        return  # builtins without signatures: nothing to compare
    positional, keywords = [], {}
    for parameter in expected.parameters.values():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        if parameter.default is inspect.Parameter.empty and parameter.kind is not parameter.KEYWORD_ONLY:
            positional.append(None)
        else:
            keywords[parameter.name] = None
    try:
        given.bind(*positional, **keywords)
    except TypeError as exc:
        raise ValueError(f"subject {name!r}: {getattr(obj, '__name__', 'it')}{given} cannot be called like the "
                         f"built-in {signature_text(default)} ({exc})") from None
    want, got = _return_class(default), _return_class(obj)
    if want is not None and got is not None and not issubclass(got, want):
        raise ValueError(f"subject {name!r} returns {got.__name__}, but the checks need {want.__name__} "
                         f"(as {signature_text(default)})")


def validate_subjects(theorem: Theorem, subjects: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Check every named subject against the theorem's checks; return :func:`applicable`."""
    by_check = applicable(theorem, subjects)
    for name, obj in subjects.items():
        takers = [check for check in theorem.checks if name in check.subjects]
        if not takers:
            names = sorted({s for check in theorem.checks for s in check.subjects})
            raise ValueError(f"no check of {theorem.id} takes a subject {name!r}; its subjects are "
                             f"{', '.join(names) or 'none'}")
        for check in takers:
            check_compatible(name, check.subjects[name], obj)
    return by_check


def describe(check: Check) -> list[str]:
    """One line per subject of ``check``: its name and the signature a replacement must have."""
    return [f"{name} = {signature_text(default)}" for name, default in check.subjects.items()]
