"""Verdicts and the outcome a check returns.

A check is a claim that can fail. It ends in one :class:`Verdict`:

``verified``
    the claim held for everything that was tried;
``falsified``
    a counterexample was found (it is kept, as data, in ``Outcome.counterexample``);
``error``
    the check itself crashed: this is a bug, never a pass;
``skipped``
    something the check needs (a dataset, torch, a GPU) is missing; the reason says how to get it;
``unrefuted``
    for conjectures: a search for counterexamples found none (never ``verified``);
``inconclusive``
    an assumption-drop search found no case where the conclusion fails without its assumption:
    nothing was shown either way (exit 0, listed in the summary);
``refuted``
    for a paper's claim the project found false: the checks named by the theorem's
    ``refuted_by`` came back ``falsified``, reproducing the registered finding (exit 0; the
    finding is its own registered claim). If they do not, the theorem is an ``error``;
``not-applicable``
    the check does not take the subject a user substituted (``--subject``), so it was not run;
``supported`` / ``not-supported``
    for empirical laws: the data meets / does not meet criteria written before the data was seen.

Assumption-drop checks claim *"without assumption A the conclusion fails somewhere"*; they are
``verified`` when their search exhibits such a case, and ``inconclusive`` when it finds none (a
search that found nothing is no evidence against the theorem).

Figures that back a pass must be finite: :mod:`theorems.runner` turns a passing outcome with a NaN
or infinite figure into ``error``.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np


class Verdict(str, enum.Enum):
    VERIFIED = "verified"
    FALSIFIED = "falsified"
    ERROR = "error"
    SKIPPED = "skipped"
    UNREFUTED = "unrefuted"
    SUPPORTED = "supported"
    NOT_SUPPORTED = "not-supported"
    INCOMPLETE = "incomplete"
    INCONCLUSIVE = "inconclusive"
    NOT_APPLICABLE = "not-applicable"
    REFUTED = "refuted"

    @property
    def is_failure(self) -> bool:
        """Whether this verdict makes ``verify`` exit 1."""
        return self in (Verdict.FALSIFIED, Verdict.ERROR)

    def __str__(self) -> str:
        return self.value


def _plain(value: Any) -> Any:
    """Turn numpy scalars/arrays, sympy numbers and tuples into JSON-ready Python values."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return _plain(value.tolist())
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    try:
        return float(value)  # sympy / mpmath numbers
    except (TypeError, ValueError):
        return str(value)


def _non_finite_keys(figures: Mapping[str, Any], prefix: str = "") -> list[str]:
    """The keys (dotted for nested mappings) whose value holds a NaN or an infinity."""
    keys = []
    for key, value in figures.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            keys += _non_finite_keys(value, f"{name}.")
            continue
        if isinstance(value, (list, tuple)) and any(isinstance(v, (Mapping, list, tuple)) for v in value):
            keys += _non_finite_keys({str(i): v for i, v in enumerate(value)}, f"{name}.")
            continue
        try:
            array = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            continue
        if not np.all(np.isfinite(array)):
            keys.append(name)
    return keys


@dataclass(frozen=True)
class Outcome:
    """What one run of a check found.

    ``figures`` are the numbers that decided the verdict (maximum error, tolerance, examples
    tried, ...); ``counterexample`` is the falsifying input as plain data; ``note`` is one line of
    explanation shown in the table. ``non_finite`` lists the figures that were NaN or infinite
    (the runner makes such an outcome an ``error``).
    """

    verdict: Verdict
    figures: Mapping[str, Any] = field(default_factory=dict)
    counterexample: Any = None
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "non_finite", tuple(_non_finite_keys(dict(self.figures))))
        object.__setattr__(self, "figures", _plain(dict(self.figures)))
        object.__setattr__(self, "counterexample", _plain(self.counterexample))

    # Constructors read better at the end of a check than the bare dataclass.
    @classmethod
    def verified(cls, note: str = "", **figures: Any) -> "Outcome":
        return cls(Verdict.VERIFIED, figures, None, note)

    @classmethod
    def falsified(cls, counterexample: Any = None, note: str = "", **figures: Any) -> "Outcome":
        return cls(Verdict.FALSIFIED, figures, counterexample, note)

    @classmethod
    def skipped(cls, note: str) -> "Outcome":
        return cls(Verdict.SKIPPED, {}, None, note)

    @classmethod
    def unrefuted(cls, note: str = "", **figures: Any) -> "Outcome":
        return cls(Verdict.UNREFUTED, figures, None, note)

    @classmethod
    def inconclusive(cls, note: str = "", **figures: Any) -> "Outcome":
        return cls(Verdict.INCONCLUSIVE, figures, None, note)

    @classmethod
    def decide(cls, holds: bool, counterexample: Any = None, note: str = "", **figures: Any) -> "Outcome":
        """``verified`` when ``holds``, else ``falsified`` with the counterexample."""
        if holds:
            return cls.verified(note, **figures)
        return cls.falsified(counterexample, note, **figures)


def combine_refuted(verdicts: dict[str, Verdict], refuted_by: tuple[str, ...]) -> Verdict:
    """The verdict of a claim registered as refuted: ``refuted`` when every refuting check is
    falsified and nothing else failed; an unexpected failure keeps its verdict; a refutation that
    was not reproduced is an ``error``."""
    others = [v for name, v in verdicts.items() if name not in refuted_by]
    rest = combine(others) if others else Verdict.VERIFIED
    if rest.is_failure:
        return rest
    if all(verdicts.get(name) is Verdict.FALSIFIED for name in refuted_by):
        return Verdict.REFUTED
    return Verdict.ERROR


def combine(verdicts: list[Verdict], conjecture: bool = False) -> Verdict:
    """The verdict of a theorem from the verdicts of its checks.

    Any error beats any falsification (a crashed check is the more urgent news); a falsified check
    falsifies the theorem; a skipped check leaves it ``incomplete``; an assumption-drop search that
    found nothing leaves it ``inconclusive``; a conjecture whose searches all came back empty is
    ``unrefuted``.
    """
    verdicts = [v for v in verdicts if v is not Verdict.NOT_APPLICABLE]
    if not verdicts:
        return Verdict.INCOMPLETE
    if Verdict.ERROR in verdicts:
        return Verdict.ERROR
    if Verdict.FALSIFIED in verdicts:
        return Verdict.FALSIFIED
    if Verdict.NOT_SUPPORTED in verdicts:
        return Verdict.NOT_SUPPORTED
    if Verdict.SKIPPED in verdicts:
        return Verdict.INCOMPLETE
    if Verdict.INCONCLUSIVE in verdicts:
        return Verdict.INCONCLUSIVE
    if conjecture or Verdict.UNREFUTED in verdicts:
        return Verdict.UNREFUTED
    if Verdict.SUPPORTED in verdicts:
        return Verdict.SUPPORTED
    return Verdict.VERIFIED
