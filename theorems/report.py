"""Text tables and JSON documents for ``verify``.

The JSON document is deterministic for a fixed seed: every wall-clock figure sits under the
single top-level key ``timings``.
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from theorems.runner import CheckResult, TheoremResult

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
    notes = [
        f"  {c.check.name}: {c.outcome.note}"
        for c in result.checks
        if c.outcome.note and (c.verdict.is_failure or str(c.verdict) in ("skipped", "not-supported", "unrefuted", "inconclusive"))
    ]
    title = f"{result.theorem.id} — {result.theorem.title}: {result.verdict}"
    return "\n".join([title, table, *notes])


def as_document(results: Sequence[TheoremResult], profile: str, seed: int) -> dict[str, Any]:
    return {
        "profile": profile,
        "seed": seed,
        "theorems": [r.as_json() for r in results],
        "timings": {
            r.theorem.id: {"total": r.seconds, "checks": {c.check.name: c.seconds for c in r.checks}}
            for r in results
        },
    }


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=False, allow_nan=False) + "\n"


def check_line(result: CheckResult) -> str:
    return f"  {result.id:<60} {str(result.verdict):<10} {result.seconds:6.2f}s"
