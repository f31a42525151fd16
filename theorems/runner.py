"""Running a theorem's checks and collecting their results.

A crash inside a check becomes the verdict ``error`` with the exception on one line; it never
counts as a pass. A :class:`~theorems.searching.Violation` that escapes a check (raised outside any
search, e.g. by a real-data comparison) is ``falsified`` with its figures; a passing outcome with a
NaN or infinite figure is ``error``. Timings are kept apart from everything else so that two runs with the same
seed produce identical results apart from the ``seconds`` fields.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from theorems.context import CheckContext
from theorems.outcome import Outcome, Verdict, combine, combine_refuted
from theorems.registry import Check, Theorem
from theorems.searching import NonFiniteFigure, Violation


@dataclass(frozen=True)
class CheckResult:
    theorem_id: str
    check: Check
    outcome: Outcome
    seconds: float

    @property
    def id(self) -> str:
        return f"{self.theorem_id}::{self.check.name}"

    @property
    def verdict(self) -> Verdict:
        return self.outcome.verdict

    def summary(self) -> str:
        """One line: id, verdict, figures, and the note when there is one."""
        figures = ", ".join(f"{k}={_short(v)}" for k, v in self.outcome.figures.items())
        note = f" — {self.outcome.note}" if self.outcome.note else ""
        return f"{self.id}: {self.verdict} ({figures}){note}"

    def to_dict(self) -> dict[str, Any]:
        """The check's record as written by ``verify --json`` (plus its wall time)."""
        return {**self.as_json(), "seconds": self.seconds}

    def as_json(self) -> dict[str, Any]:
        record = {
            "name": self.check.name,
            "kind": str(self.check.kind),
            "verdict": str(self.outcome.verdict),
            "figures": dict(self.outcome.figures),
            "note": self.outcome.note,
        }
        if self.outcome.counterexample is not None:
            record["counterexample"] = self.outcome.counterexample
        return record


@dataclass(frozen=True)
class TheoremResult:
    """The checks of one theorem. ``substituted``: they ran on a user's subjects, so a claim
    registered as refuted is judged as an ordinary claim about those subjects."""

    theorem: Theorem
    checks: tuple[CheckResult, ...]
    substituted: bool = False
    not_run: tuple[str, ...] = ()

    @property
    def verdict(self) -> Verdict:
        if self.theorem.status == "refuted" and not self.substituted:
            return combine_refuted({c.check.name: c.verdict for c in self.checks}, self.theorem.refuted_by)
        return combine([c.verdict for c in self.checks], conjecture=self.theorem.status == "conjecture")

    @property
    def seconds(self) -> float:
        return sum(c.seconds for c in self.checks)

    def summary(self) -> str:
        """The theorem's verdict, then one line per check."""
        lines = [f"{self.theorem.id} — {self.theorem.title}: {self.verdict}"]
        lines += [f"  {c.summary()}" for c in self.checks]
        for c in self.checks:
            if c.outcome.counterexample is not None:
                lines.append(f"  counterexample for {c.check.name}: {c.outcome.counterexample}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {**self.as_json(), "seconds": self.seconds}

    def as_json(self) -> dict[str, Any]:
        record = {
            "id": self.theorem.id,
            "verdict": str(self.verdict),
            "checks": [c.as_json() for c in self.checks],
        }
        if self.not_run:
            record["not_run"] = list(self.not_run)
        return record


def run_check(theorem: Theorem, check: Check, ctx: CheckContext, **subjects: Any) -> CheckResult:
    """Run one check; a missing requirement skips it, an exception makes it ``error``."""
    check_id = f"{theorem.id}::{check.name}"
    start = time.perf_counter()
    reason = check.missing()
    if reason:
        outcome = Outcome.skipped(reason)
    else:
        try:
            outcome = check.run(ctx.for_check(check_id), **subjects)
        except Violation as violation:
            try:
                outcome = Outcome.falsified(None, violation.message, **violation.figures)
            except Exception as exc:  # noqa: BLE001 - unusable figures
                outcome = _crashed(exc)
        except Exception as exc:  # noqa: BLE001 - every crash must surface as a verdict
            outcome = _crashed(exc)
        except (SystemExit, GeneratorExit) as exc:  # a subject or claim that tries to end the run
            outcome = _crashed(exc)
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt) or not type(exc).__module__.startswith("hypothesis"):
                raise
            outcome = _crashed(exc)  # hypothesis control flow escaping a subject (StopTest, ...)
        if outcome.non_finite and outcome.verdict in _PASSING:
            outcome = Outcome(Verdict.ERROR, outcome.figures, outcome.counterexample,
                              f"non-finite figure(s) {', '.join(outcome.non_finite)}: a NaN or ∞ decides nothing"
                              + (f" ({outcome.note})" if outcome.note else ""))
    return CheckResult(theorem.id, check, outcome, time.perf_counter() - start)


_PASSING = (Verdict.VERIFIED, Verdict.UNREFUTED, Verdict.SUPPORTED, Verdict.INCONCLUSIVE)
"""Verdicts a NaN or ∞ figure may not stand behind: it turns them into ``error``. A falsified or
not-supported verdict keeps its word (the failure was decided; the ∞ is how far it failed)."""


def _crashed(exc: BaseException) -> Outcome:
    message = " ".join(str(exc).split()) or "(no message)"
    kind = "non-finite" if isinstance(exc, NonFiniteFigure) else type(exc).__name__
    return Outcome(Verdict.ERROR, {}, None, f"{kind}: {message}")


def _short(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def run_theorem(theorem: Theorem, ctx: CheckContext, progress=None,
                subjects: dict[str, Any] | None = None, fail_fast: bool = False) -> TheoremResult:
    """Run every check; with ``subjects``, the checks that take none of them are ``not-applicable``.

    ``fail_fast`` stops after the first check whose verdict is a failure (``falsified`` or
    ``error``; for a claim registered as refuted, a failure of a check other than its refuting
    ones); the checks left are listed in ``not_run``, and the theorem's verdict is already a failure."""
    results = []
    for index, check in enumerate(theorem.checks):
        if subjects:
            taken = {name: obj for name, obj in subjects.items() if name in check.subjects}
            if not taken:
                outcome = Outcome(Verdict.NOT_APPLICABLE, {}, None,
                                  f"takes none of the subjects {', '.join(sorted(subjects))}")
                result = CheckResult(theorem.id, check, outcome, 0.0)
            else:
                result = run_check(theorem, check, ctx, **taken)
        else:
            result = run_check(theorem, check, ctx)
        if progress is not None:
            progress(result)
        results.append(result)
        expected = theorem.refuted_by if theorem.status == "refuted" and not subjects else ()
        if fail_fast and result.verdict.is_failure and check.name not in expected:
            left = tuple(c.name for c in theorem.checks[index + 1:])
            return TheoremResult(theorem, tuple(results), substituted=bool(subjects), not_run=left)
    return TheoremResult(theorem, tuple(results), substituted=bool(subjects))
