"""Hypothesis searches run from inside a check.

A *property* is a function of one generated example that returns the figures it measured (a
dict, or ``None``) when the conclusion holds, and raises :class:`Violation` when it fails.
:func:`search` runs it under the context's profile and seed and returns what it found: the
shrunk counterexample, how many examples were tried, and the worst value of every figure.

Property checks want ``search(...).counterexample is None``; assumption-drop checks want the
opposite (they exhibit a case where the conclusion fails once the assumption is dropped).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from hypothesis import given
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from theorems.context import CheckContext
from theorems.outcome import Outcome, Verdict


class Violation(Exception):
    """The conclusion failed on an example; ``figures`` say by how much."""

    def __init__(self, message: str, **figures: Any) -> None:
        super().__init__(message)
        self.message = message
        self.figures = figures


@dataclass
class SearchResult:
    tried: int = 0
    counterexample: Any = None
    violation: Violation | None = None
    worst: dict[str, float] = field(default_factory=dict)

    @property
    def found(self) -> bool:
        return self.violation is not None

    def figures(self) -> dict[str, Any]:
        return {"examples": self.tried, **self.worst}


def search(
    ctx: CheckContext,
    strategy: st.SearchStrategy,
    prop: Callable[[Any], dict | None],
    *,
    fraction: float = 1.0,
    minimum: int = 5,
    label: str = "",
) -> SearchResult:
    """Try to falsify ``prop`` on examples drawn from ``strategy``.

    ``fraction`` scales the profile's example budget for properties that cost more than a few
    milliseconds an example. Numeric figures returned by ``prop`` are reduced by their maximum.
    """
    result = SearchResult()

    @ctx.hypothesis_settings(fraction, minimum)
    @hypothesis_seed(ctx.hypothesis_seed(label))
    @given(strategy)
    def run(example: Any) -> None:
        result.tried += 1
        try:
            figures = prop(example)
        except Violation as violation:
            result.counterexample, result.violation = example, violation
            raise
        for key, value in (figures or {}).items():
            value = float(value)
            result.worst[key] = max(value, result.worst.get(key, value))

    try:
        run()
    except Violation:
        pass  # hypothesis re-raises the shrunk failure last, so the recorded example is the minimal one
    return result


def property_outcome(result: SearchResult, note: str = "") -> Outcome:
    """``verified`` when no example violated the property, else ``falsified`` with the example."""
    if result.found:
        figures = {**result.figures(), **result.violation.figures}
        return Outcome.falsified(result.counterexample, result.violation.message, **figures)
    return Outcome.verified(note, **result.figures())


def counterexample_outcome(result: SearchResult, assumption: str) -> Outcome:
    """For assumption-drop checks: ``verified`` when the search exhibited a failure of the conclusion."""
    if result.found:
        figures = {"examples": result.tried, **result.violation.figures}
        note = f"without '{assumption}': {result.violation.message}"
        return Outcome(Verdict.VERIFIED, figures, result.counterexample, note)
    return Outcome.falsified(
        note=f"no counterexample found without '{assumption}' in {result.tried} examples",
        examples=result.tried,
    )
