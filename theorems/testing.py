"""The built-in theorems as a test battery for your own code, in your own pytest suite.

::

    from theorems.testing import parametrize_with_checks

    @parametrize_with_checks("izzo-zou/theorem-3", distill=my_distill)
    def test_my_distiller(check):
        check()

One test is generated per check of the theorem that takes your subject (the others appear as
skipped, "not applicable"). ``check()`` runs it under the hypothesis profile pytest was started
with (``--hypothesis-profile=ci``; ``dev`` otherwise) and fails with the verdict, the note, the
figures and the counterexample when the check is ``falsified`` or ``error``. Subjects are validated
when the decorator is applied, so a wrong signature fails at collection with one line.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from theorems.context import CheckContext
from theorems.profiles import DEFAULT_PROFILE, PROFILE_EXAMPLES
from theorems.registry import REGISTRY, Check, Theorem
from theorems.runner import CheckResult, run_check
from theorems.subjects import validate_subjects


class CheckFailed(AssertionError):
    """A check came back ``falsified`` or ``error`` on the user's subject."""


def _profile() -> str:
    from hypothesis import settings

    name = settings.get_current_profile_name()
    return name if name in PROFILE_EXAMPLES else DEFAULT_PROFILE


def failure_report(result: CheckResult) -> str:
    """What a failing test prints: verdict and note, figures, counterexample."""
    lines = [f"{result.id}: {result.verdict}: {result.outcome.note}"]
    if result.outcome.figures:
        lines.append("figures: " + json.dumps(result.outcome.figures, default=str))
    if result.outcome.counterexample is not None:
        lines.append("counterexample: " + json.dumps(result.outcome.counterexample, default=str))
    return "\n".join(lines)


class BoundCheck:
    """One check of a theorem bound to the user's subjects; call it to run it."""

    def __init__(self, theorem: Theorem, check: Check, subjects: dict[str, Any], seed: int) -> None:
        self.theorem, self.check, self.subjects, self.seed = theorem, check, subjects, seed

    @property
    def id(self) -> str:
        return f"{self.theorem.id}::{self.check.name}"

    def __call__(self) -> CheckResult:
        result = run_check(self.theorem, self.check, CheckContext(profile=_profile(), seed=self.seed), **self.subjects)
        if result.verdict.is_failure:
            raise CheckFailed(failure_report(result))
        return result

    def __repr__(self) -> str:
        return f"BoundCheck({self.id})"


def parametrize_with_checks(theorem_id: str, *, seed: int = 0, **subjects: Any) -> Callable:
    """A ``pytest.mark.parametrize`` over the checks of ``theorem_id``, bound to ``subjects``."""
    import pytest

    theorem = REGISTRY.resolve(theorem_id)
    by_check = validate_subjects(theorem, subjects)
    params = []
    for check in theorem.checks:
        bound = BoundCheck(theorem, check, by_check.get(check.name, {}), seed)
        marks = () if check.name in by_check or not subjects else pytest.mark.skip(
            reason=f"not applicable: {check.name} takes none of {', '.join(sorted(subjects))}")
        params.append(pytest.param(bound, id=bound.id, marks=marks))
    return pytest.mark.parametrize("check", params)
