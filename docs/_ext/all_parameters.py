"""Sphinx extension: autodoc's parameter list names every argument, typed or not.

With ``autodoc_typehints = "description"`` autodoc lists only the arguments that carry an annotation
or a ``:param:`` field, so an untyped ``X`` vanished from the list while typed keywords stayed. This
hook adds an empty ``:param name:`` field for each argument of a documented function or method that
its docstring does not already describe; autodoc then fills in the type where there is one.
"""

from __future__ import annotations

import inspect

SKIPPED = ("self", "cls")


def _add_missing_params(app, what, name, obj, options, lines) -> None:
    if what not in ("function", "method", "class") or not callable(obj):
        return
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):  # builtins without a signature
        return
    described = {line.split(":")[1].split()[-1] for line in lines if line.startswith(":param ")}
    missing = [p.name for p in signature.parameters.values()
               if p.name not in SKIPPED and p.name not in described
               and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if missing:
        lines.extend(["", *(f":param {param}:" for param in missing)])


def setup(app):
    app.connect("autodoc-process-docstring", _add_missing_params)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
