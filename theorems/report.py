"""Text tables and JSON documents for ``verify``.

The JSON document is deterministic for a fixed seed: every wall-clock figure sits under the
single top-level key ``timings``. Besides the results (each theorem with its title) it records
what a reader needs to trust and redo them: a ``summary`` of verdict counts, the ``ddtheory``
version and git revision (``null`` outside a git checkout), the profile's hypothesis settings
and the versions of the libraries the checks use (``null`` when not installed). Verdicts are
written with the same words as in the table (``not-supported``, never ``not_supported``).
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import platform
from collections import Counter
from typing import Any, Sequence

from theorems.outcome import Verdict
from theorems.profiles import profile_settings
from theorems.runner import CheckResult, TheoremResult

LIBRARIES = ("numpy", "scipy", "sympy", "mpmath", "hypothesis", "statsmodels", "pot", "torch", "matplotlib",
             "pandas", "click")

MAX_NOTE = 90


def _format_figure(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, list):
        return f"[{len(value)} values]"
    return str(value)


def figures_text(figures: dict[str, Any], limit: int = 3) -> str:
    items = list(figures.items())[:limit]
    return ", ".join(f"{key}={_format_figure(value)}" for key, value in items)


def format_table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    line = lambda row: "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip()  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(row) for row in rows)])


MAX_COUNTEREXAMPLE = 400
"""Characters of a counterexample shown in the table; ``--json`` keeps it whole."""


def counterexample_text(counterexample) -> str:
    """The counterexample on one line, numbers to 6 significant digits, cut at MAX_COUNTEREXAMPLE."""
    def short(value):
        if isinstance(value, float):
            return float(f"{value:.6g}")
        if isinstance(value, list):
            return [short(v) for v in value]
        if isinstance(value, dict):
            return {k: short(v) for k, v in value.items()}
        return value

    text = json.dumps(short(counterexample), ensure_ascii=False)
    return text if len(text) <= MAX_COUNTEREXAMPLE else text[: MAX_COUNTEREXAMPLE - 1] + "…"


def theorem_table(result: TheoremResult) -> str:
    rows = []
    for check in result.checks:
        note = check.outcome.note
        if len(note) > MAX_NOTE:
            note = note[: MAX_NOTE - 1] + "…"
        rows.append(
            [
                check.check.name,
                str(check.check.kind),
                str(check.verdict),
                figures_text(check.outcome.figures),
                f"{check.seconds:.2f}",
            ]
        )
    table = format_table(rows, ["check", "kind", "verdict", "figures", "seconds"])
    notes = []
    for c in result.checks:
        if c.outcome.note and (c.verdict.is_failure or str(c.verdict) in ("skipped", "not-supported", "unrefuted",
                                                                           "inconclusive")):
            notes.append(f"  {c.check.name}: {c.outcome.note}")
        if c.verdict.is_failure and c.outcome.counterexample is not None:
            notes.append(f"    counterexample: {counterexample_text(c.outcome.counterexample)}")
    if result.not_run:
        notes.append(f"  not run (--fail-fast): {', '.join(result.not_run)}")
    title = f"{result.theorem.id} — {result.theorem.title}: {result.verdict}"
    return "\n".join([title, table, *notes])


def library_versions() -> dict[str, str | None]:
    """Installed versions (from package metadata, nothing is imported) of the libraries checks use."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


@functools.lru_cache(maxsize=1)
def provenance() -> dict[str, str | None]:
    """This package's version and the git revision of its source (``None`` when unknown), asked
    once per process so that every document of a process says the same."""
    from empirical.store import git_revision, package_version

    revision = git_revision()
    return {"version": package_version(), "git_revision": None if revision == "unknown" else revision}


def profile_description(profile: str) -> dict[str, Any]:
    """The hypothesis settings a profile stands for (examples per property, derandomised, deadline)."""
    chosen = profile_settings(profile)
    return {"name": profile, "max_examples": chosen.max_examples, "derandomize": bool(chosen.derandomize),
            "deadline": None if chosen.deadline is None else chosen.deadline.total_seconds()}


def summary(results: Sequence[TheoremResult]) -> dict[str, dict[str, int]]:
    """How many theorems and how many checks ended in each verdict (verdicts in a fixed order)."""
    def counts(verdicts: list[Verdict]) -> dict[str, int]:
        found = Counter(verdicts)
        return {str(v): found[v] for v in Verdict if found[v]}

    return {"theorems": counts([r.verdict for r in results]),
            "checks": counts([c.verdict for r in results for c in r.checks])}


def theorem_json(result: TheoremResult) -> dict[str, Any]:
    record = result.as_json()
    return {"id": record.pop("id"), "title": result.theorem.title, **record}


def as_document(results: Sequence[TheoremResult], profile: str, seed: int) -> dict[str, Any]:
    return {
        "ddtheory": dict(provenance()),
        "profile": profile,
        "profile_settings": profile_description(profile),
        "seed": seed,
        "libraries": library_versions(),
        "summary": summary(results),
        "theorems": [theorem_json(r) for r in results],
        "timings": {
            r.theorem.id: {"total": r.seconds, "checks": {c.check.name: c.seconds for c in r.checks}}
            for r in results
        },
    }


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=False, allow_nan=False) + "\n"


def check_line(result: CheckResult) -> str:
    return f"  {result.id:<60} {str(result.verdict):<10} {result.seconds:6.2f}s"
