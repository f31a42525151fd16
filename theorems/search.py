"""Searches for counterexamples, run from inside a check.

A *property* is a function of one example that returns the figures it measured (a dict, or
``None``) when the conclusion holds, and raises :class:`Violation` when it fails. Comparisons are
best written with :func:`within`, which is NaN-safe and steers the search toward the boundary.

:func:`search` tries a property over a :class:`~theorems.domains.Domain` (or a bare hypothesis
strategy) in two phases:

1. the domain's *grid*: its boundary values and a coarse grid, in order, every run;
2. hypothesis draws under the context's profile and seed, guided by ``hypothesis.target`` on the
   largest margin ``error / bound`` that :func:`within` saw on each example.

It returns what it found: the first violating example (shrunk by hypothesis when found in phase
2), the number of *distinct* examples tested (replays while shrinking and rejected draws are not
counted) and the worst value of every figure over the examples that held.

Verdict rules enforced here and in :mod:`theorems.runner`:

* a NaN or infinite figure, or a comparison with one, is an error (:class:`NonFiniteFigure`),
  never a pass;
* an exception raised inside a *subject* (the construction under test, see
  :func:`watching_subjects`) on an input the check handed it, and not handled by the check, is a
  :class:`SubjectRefused` violation: a subject that refuses an input inside the theorem's
  domain has failed. A check that wants to exclude an input must decide from the data, before
  calling the subject, that it lies outside the domain (and ``reject`` it);
* property checks want no violation (:func:`property_outcome`); assumption-drop checks want one
  (:func:`counterexample_outcome`). An assumption-drop search that found nothing has found
  nothing: it is ``inconclusive``, not a falsification of the theorem.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
import inspect
import math
import pickle
from dataclasses import dataclass, field
from typing import Any, Callable

from hypothesis import given, reject, target
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import UnsatisfiedAssumption

from theorems.context import CheckContext
from theorems.domains import Domain
from theorems.outcome import Outcome, Verdict

__all__ = [
    "NonFiniteFigure",
    "SearchResult",
    "SubjectRefused",
    "Violation",
    "as_refusal",
    "counterexample_outcome",
    "property_outcome",
    "reject",
    "search",
    "watching_subjects",
    "within",
]


class Violation(Exception):
    """The conclusion failed on an example; ``figures`` say by how much."""

    def __init__(self, message: str, **figures: Any) -> None:
        super().__init__(message)
        self.message = message
        self.figures = figures


class SubjectRefused(Violation, ValueError):
    """The subject under test raised on an input the check handed it.

    A subclass of :class:`ValueError` too, so a check that establishes independently that an input
    lies outside the theorem's domain may still catch the refusal it expects.
    """

    def __init__(self, subject: str, exc: BaseException) -> None:
        detail = " ".join(str(exc).split()) or "(no message)"
        super().__init__(f"subject {subject!r} refused an input: {type(exc).__name__}: {detail}")
        self.subject = subject
        self.cause = exc


_SUBJECT_CODES: contextvars.ContextVar[dict] = contextvars.ContextVar("subject_codes", default={})


def _code_of(subject: Any):
    while isinstance(subject, functools.partial):
        subject = subject.func
    subject = getattr(subject, "__func__", subject)
    return getattr(subject, "__code__", None) if inspect.isfunction(subject) else None


@contextlib.contextmanager
def watching_subjects(subjects: dict[str, Any]):
    """While active, an exception raised inside one of these subject functions is a refusal."""
    codes = {code: name for name, subject in subjects.items() if (code := _code_of(subject)) is not None}
    token = _SUBJECT_CODES.set(codes)
    try:
        yield
    finally:
        _SUBJECT_CODES.reset(token)


def as_refusal(exc: BaseException) -> "SubjectRefused | None":
    """The :class:`SubjectRefused` for ``exc`` when it was raised inside a watched subject."""
    if isinstance(exc, Violation) or type(exc).__module__.startswith("hypothesis"):
        return None
    codes = _SUBJECT_CODES.get()
    tb = exc.__traceback__
    while tb is not None:
        name = codes.get(tb.tb_frame.f_code)
        if name is not None:
            return SubjectRefused(name, exc)
        tb = tb.tb_next
    return None


class NonFiniteFigure(ArithmeticError):
    """A figure or a comparison was NaN or infinite: the check cannot decide, which is an error."""


# -- comparisons --------------------------------------------------------------------------------

_margins: list[float] = []  # margins error/bound seen by `within` on the example being tested


def _finite(name: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise NonFiniteFigure(f"{name} is not a number: {value!r}") from exc
    if not math.isfinite(number):
        raise NonFiniteFigure(f"{name} is {number!r}")
    return number


def within(error: Any, bound: Any, message: str = "", **figures: Any) -> dict[str, float]:
    """Require ``error ≤ bound``; return ``{"error": …, "bound": …, **figures}`` when it holds.

    A NaN or infinite ``error`` or ``bound`` raises :class:`NonFiniteFigure` (an error, not a
    pass). When ``error > bound`` it raises :class:`Violation` with ``message`` and the figures.
    Inside :func:`search`, the margin ``error / bound`` steers hypothesis toward violations.
    """
    error, bound = _finite("error", error), _finite("bound", bound)
    if bound < 0:
        raise NonFiniteFigure(f"bound {bound!r} is negative: no error can meet it")
    margin = error / bound if bound > 0 else (0.0 if error == 0 else math.inf)
    _margins.append(min(margin, 1e300))
    measured = {"error": error, "bound": bound, **figures}
    if not error <= bound:
        raise Violation(message or f"error {error:.3g} exceeds bound {bound:.3g}", **measured)
    return measured


# -- the search ---------------------------------------------------------------------------------

def _digest(example: Any) -> str:
    try:
        blob = pickle.dumps(example, protocol=4)
    except Exception:  # noqa: BLE001 - unpicklable examples fall back to their repr
        blob = repr(example).encode("utf-8", "replace")
    return hashlib.blake2b(blob, digest_size=16).hexdigest()


@dataclass
class SearchResult:
    """What a search found. ``tried`` counts distinct examples whose property ran to a verdict."""

    tried: int = 0
    counterexample: Any = None
    violation: Violation | None = None
    worst: dict[str, float] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set, repr=False)

    @property
    def found(self) -> bool:
        return self.violation is not None

    @property
    def refused(self) -> bool:
        """The violation found is the subject refusing an input, not the conclusion failing."""
        return isinstance(self.violation, SubjectRefused)

    def figures(self) -> dict[str, Any]:
        return {"examples": self.tried, **self.worst}

    def _count(self, example: Any) -> None:
        key = _digest(example)
        if key not in self.seen:
            self.seen.add(key)
            self.tried += 1

    def _record(self, figures: dict | None) -> None:
        for key, value in (figures or {}).items():
            value = _finite(f"figure {key!r}", value)
            self.worst[key] = max(value, self.worst.get(key, value))


def _test(result: SearchResult, prop: Callable[[Any], dict | None], example: Any, steer: bool) -> None:
    """Run ``prop`` on one example: record its figures, or keep its violation and re-raise.

    ``steer`` (inside hypothesis only) reports the example's largest margin to ``target``."""
    _margins.clear()
    try:
        figures = prop(example)
    except UnsatisfiedAssumption:
        raise  # a rejected draw is not an example tested
    except Violation as violation:
        result._count(example)
        result.counterexample, result.violation = example, violation
        raise
    except Exception as exc:
        refusal = as_refusal(exc)
        if refusal is None:
            raise
        result._count(example)
        result.counterexample, result.violation = example, refusal
        raise refusal from exc
    result._count(example)
    result._record(figures)
    if steer and _margins:
        target(max(_margins), label="margin error/bound")


def search(
    ctx: CheckContext,
    domain: Domain | st.SearchStrategy,
    prop: Callable[[Any], dict | None],
    *,
    fraction: float = 1.0,
    minimum: int = 5,
    label: str = "",
) -> SearchResult:
    """Try to falsify ``prop`` on the domain's grid, then on draws from its strategy.

    ``fraction`` scales the profile's example budget for properties that cost more than a few
    milliseconds an example; grid examples come on top of it. Numeric figures returned by ``prop``
    are reduced by their maximum; a non-finite one raises :class:`NonFiniteFigure`.
    """
    if not isinstance(domain, Domain):
        domain = Domain(domain)
    result = SearchResult()
    for example in domain.grid:
        try:
            _test(result, prop, example, steer=False)
        except UnsatisfiedAssumption:
            continue
        except Violation:
            return result

    @ctx.hypothesis_settings(fraction, minimum)
    @hypothesis_seed(ctx.hypothesis_seed(label))
    @given(domain.strategy)
    def run(example: Any) -> None:
        _test(result, prop, example, steer=True)

    try:
        run()
    except Violation:
        pass  # hypothesis re-raises the shrunk failure last, so the recorded example is the minimal one
    return result


def property_outcome(result: SearchResult, note: str = "") -> Outcome:
    """``verified`` when no example violated the property, else ``falsified`` with that example.

    A falsified outcome carries the violating example's own figures (and the number of examples
    tested), never the worst figures of the examples that held.
    """
    if result.found:
        figures = {"examples": result.tried, **result.violation.figures}
        return Outcome.falsified(result.counterexample, result.violation.message, **figures)
    return Outcome.verified(note, **result.figures())


def counterexample_outcome(result: SearchResult, assumption: str) -> Outcome:
    """For assumption-drop checks: ``verified`` when the search exhibited a failure of the conclusion.

    A search that found none is ``inconclusive``: it shows nothing about the assumption. A subject
    that refused an input (rather than giving a wrong answer) exhibits no failure of the
    conclusion either; that is an ``error`` of the check's design, reported as such.
    """
    if result.refused:
        return Outcome(Verdict.ERROR, {"examples": result.tried}, result.counterexample,
                       f"without '{assumption}': {result.violation.message}")
    if result.found:
        figures = {"examples": result.tried, **result.violation.figures}
        note = f"without '{assumption}': {result.violation.message}"
        return Outcome(Verdict.VERIFIED, figures, result.counterexample, note)
    return Outcome.inconclusive(
        note=f"no counterexample found without '{assumption}' in {result.tried} examples",
        examples=result.tried,
    )
