"""Searches for counterexamples, run from inside a check.

A *property* is a function of one example that returns the figures it measured (a dict, or
``None``) when the conclusion holds, and raises :class:`Violation` when it fails. Comparisons are
best written with :func:`within`, which is NaN-safe and steers the search toward the boundary.

:func:`search` tries a property over a :class:`~theorems.domains.Domain` (or a bare hypothesis
strategy) in three phases:

1. the domain's *grid*: its boundary values and a coarse grid, in order, every run;
2. as many uniform draws from the domain as the profile's budget (seeded by the context), when
   the domain can sample itself;
3. hypothesis draws under the context's profile and seed, guided by ``hypothesis.target`` on the
   largest margin ``error / bound`` that :func:`within` saw on each example (skipped for a domain
   without a strategy).

:func:`tally` runs the same phases 1 and 2 through the same per-example machinery, for a *rate*:
it counts the examples on which a judged procedure missed and fails when they exceed an allowance.

A search returns what it found: the first violating example (shrunk by hypothesis when found in
phase 3), the number of *distinct* examples tested (replays while shrinking and rejected draws are not
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
import warnings

import numpy as np
from dataclasses import dataclass, field
from typing import Any, Callable

from hypothesis import given, reject, target
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import HypothesisDeprecationWarning, UnsatisfiedAssumption

from theorems.context import CheckContext
from theorems.domains import Domain, from_strategy
from theorems.outcome import Outcome, Verdict

__all__ = [
    "NonFiniteFigure",
    "SearchResult",
    "SubjectRefused",
    "Violation",
    "as_refusal",
    "collecting_searches",
    "counterexample_outcome",
    "property_outcome",
    "reject",
    "search",
    "tally",
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
_SEARCHES: contextvars.ContextVar[tuple[list, ...]] = contextvars.ContextVar("searches", default=())


@contextlib.contextmanager
def collecting_searches():
    """Collect the :class:`SearchResult` of every search run while active (the runner uses it to
    refuse a passing verdict from a check one of whose searches found a violation). Collectors
    nest: a search is reported to every active one."""
    found: list[SearchResult] = []
    token = _SEARCHES.set((*_SEARCHES.get(), found))
    try:
        yield found
    finally:
        _SEARCHES.reset(token)


def _code_of(subject: Any):
    """The code object whose frames mark the subject's own work: a function's, a method's, a
    partial's target, a class's ``__init__`` or a callable object's ``__call__``."""
    while isinstance(subject, functools.partial):
        subject = subject.func
    if inspect.isclass(subject):
        subject = subject.__init__
    elif callable(subject) and not inspect.isroutine(subject):
        subject = type(subject).__call__
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


def as_refusal(exc: BaseException, rejections: bool = False) -> "SubjectRefused | None":
    """The :class:`SubjectRefused` for ``exc`` when it was raised inside a watched subject
    (with ``rejections``, hypothesis's ``reject``/``assume`` raised there counts too)."""
    if isinstance(exc, Violation):
        return None
    if type(exc).__module__.startswith("hypothesis") and not (rejections and isinstance(exc, UnsatisfiedAssumption)):
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
    if error < 0:
        raise ValueError(f"within() takes a size (≥ 0), got error {error!r}: pass the absolute difference")
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
    """What a search found. ``tried`` counts distinct examples whose property ran to a verdict;
    ``domain`` describes where it searched and ``grid`` is how many fixed examples (boundary values
    and coarse grid) its domain holds (0: only random draws)."""

    tried: int = 0
    counterexample: Any = None
    violation: Violation | None = None
    worst: dict[str, float] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set, repr=False)
    seeking: bool = False
    domain: str = ""
    grid: int = 0

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
        """Keep the maximum of every numeric figure (an array counts by its largest entry; text
        figures are labels, not measurements, and are not kept). A NaN or ∞ is an error."""
        for key, value in (figures or {}).items():
            if isinstance(value, (str, bool)) or value is None:
                continue
            array = np.asarray(value, dtype=float) if not np.isscalar(value) else value
            value = _finite(f"figure {key!r}", np.max(array) if np.ndim(array) and np.size(array) else array)
            if np.ndim(array) and not np.all(np.isfinite(array)):
                raise NonFiniteFigure(f"figure {key!r} holds a NaN or ∞")
            self.worst[key] = max(value, self.worst.get(key, value))


def _test(result: SearchResult, prop: Callable[[Any], dict | None], example: Any, steer: bool) -> None:
    """Run ``prop`` on one example: record its figures, or keep its violation and re-raise.

    ``steer`` (inside hypothesis only) reports the example's largest margin to ``target``."""
    _margins.clear()
    try:
        figures = prop(example)
    except UnsatisfiedAssumption as rejection:
        refusal = as_refusal(rejection, rejections=True)
        if refusal is None:
            raise  # a draw the check rejected is not an example tested
        result._count(example)  # a subject that rejects an input hides a refusal
        result.counterexample, result.violation = example, refusal
        raise refusal from rejection
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


def _collected(result: SearchResult) -> SearchResult:
    for found in _SEARCHES.get():
        found.append(result)
    return result


def _as_domain(domain: Domain | st.SearchStrategy) -> Domain:
    if isinstance(domain, Domain):
        return domain
    return from_strategy(domain) or Domain(domain)


def _fixed_examples(ctx: CheckContext, domain: Domain, fraction: float, minimum: int, label: str) -> list:
    """Phases 1 and 2: the domain's grid, then ``ctx.scaled(fraction, minimum)`` uniform draws
    from the context's generator (none when the domain cannot sample itself)."""
    uniform = []
    if domain.sample is not None:
        rng = ctx.rng("uniform", label)
        uniform = [domain.sample(rng) for _ in range(ctx.scaled(fraction, minimum))]
    return [*domain.grid, *uniform]


def _try_fixed(ctx: CheckContext, domain: Domain, result: SearchResult, prop: Callable[[Any], Any],
               fraction: float, minimum: int, label: str) -> bool:
    """Run ``prop`` on the grid and the uniform draws; ``True`` when one of them violated it."""
    for example in _fixed_examples(ctx, domain, fraction, minimum, label):
        try:
            with warnings.catch_warnings():  # a property's assume() outside hypothesis is a plain rejection here
                warnings.simplefilter("ignore", HypothesisDeprecationWarning)
                _test(result, prop, example, steer=False)
        except UnsatisfiedAssumption:
            continue
        except Violation:
            return True
    return False


def search(
    ctx: CheckContext,
    domain: Domain | st.SearchStrategy,
    prop: Callable[[Any], dict | None],
    *,
    fraction: float = 1.0,
    minimum: int = 5,
    label: str = "",
    seeking: bool = False,
) -> SearchResult:
    """Try to falsify ``prop`` on the domain's grid, then on uniform draws and draws from its strategy.

    ``fraction`` scales the profile's example budget for properties that cost more than a few
    milliseconds an example; grid examples come on top of it. A domain without a strategy is
    searched on its grid and uniform draws only. Numeric figures returned by ``prop`` are reduced
    by their maximum; a non-finite one raises :class:`NonFiniteFigure`. ``seeking`` marks a search
    that looks for an instance (its violation is what the check wants to find); otherwise a
    violation it finds may not end in a passing verdict (the runner enforces it).
    """
    domain = _as_domain(domain)
    result = SearchResult(seeking=seeking, domain=domain.description, grid=len(domain.grid))
    if _try_fixed(ctx, domain, result, prop, fraction, minimum, label) or domain.strategy is None:
        return _collected(result)

    @ctx.hypothesis_settings(fraction, minimum)
    @hypothesis_seed(ctx.hypothesis_seed(label))
    @given(domain.strategy)
    def run(example: Any) -> None:
        _test(result, prop, example, steer=True)

    try:
        run()
    except Violation as violation:
        # hypothesis re-raises the shrunk failure last, so the recorded example is the minimal one;
        # a violation that did not come from the property (raised while drawing an example) escapes
        if violation is not result.violation:
            raise
    return _collected(result)


def tally(
    ctx: CheckContext,
    domain: Domain,
    judge: Callable[[Any], "str | dict | None"],
    *,
    fraction: float,
    allowed: Callable[[int], int],
    minimum: int = 5,
    label: str = "",
) -> SearchResult:
    """Bound a *rate*: the share of examples on which ``judge`` misses, for procedures (statistical
    tests, fits) that are allowed an occasional wrong answer on noisy data.

    ``judge(example)`` returns a message (``str``) when its verdict on the example is wrong (a
    *miss*), otherwise its figures (a dict, or ``None``); it raises :class:`Violation` for a
    failure no rate excuses. The examples are the domain's grid and ``ctx.scaled(fraction,
    minimum)`` uniform draws (no hypothesis phase: a rate is estimated on draws, not shrunk),
    each run as in :func:`search` (distinct examples counted once, a NaN or ∞ figure an error, a
    subject's exception a refusal). With ``n`` distinct examples tested, more than
    ``allowed(n)`` misses is a :class:`Violation` (figures ``misses``, ``draws``,
    ``allowed_misses``) whose counterexample is the first missed example.
    """
    domain = _as_domain(domain)
    if not domain.grid and domain.sample is None:
        raise ValueError("tally needs a domain with a grid or a uniform sampler (it draws nothing from a strategy)")
    result = SearchResult(domain=domain.description, grid=len(domain.grid))
    missed: dict[str, tuple[Any, str]] = {}  # digest → (example, message), in the order missed

    def prop(example: Any) -> dict | None:
        verdict = judge(example)
        if isinstance(verdict, str):
            missed.setdefault(_digest(example), (example, verdict))
            return None
        return verdict

    if _try_fixed(ctx, domain, result, prop, fraction, minimum, label):
        return _collected(result)
    draws, misses = result.tried, len(missed)
    limit = allowed(draws)
    if not (isinstance(limit, (int, np.integer)) and limit >= 0):
        raise ValueError(f"allowed({draws}) must be a miss count ≥ 0, got {limit!r}")
    result.worst.update(misses=float(misses), allowed_misses=float(limit))
    if misses > limit:
        example, message = next(iter(missed.values()))
        result.counterexample = example
        result.violation = Violation(f"{misses} of {draws} examples missed (allowed {limit}); first: {message}",
                                     misses=misses, draws=draws, allowed_misses=int(limit))
    return _collected(result)


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
