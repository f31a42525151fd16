"""ddtheory's theorem registry and checker.

Public API for writing a claim::

    from theorems import Theorem, Assumption, Checks, Kind, Outcome, register, search, within, Violation
    from theorems.domains import interval, integers, tuples

Verdict rules the framework enforces for every check, built-in or loaded: a NaN or infinite figure
is an ``error``; a :class:`Violation` raised anywhere in a check is ``falsified``; a subject that
raises on an input the check gave it has failed (:class:`SubjectRefused`); an assumption-drop
search that finds nothing is ``inconclusive``; ``examples`` counts distinct examples tested.
"""

from theorems.context import CheckContext
from theorems.outcome import Outcome, Verdict
from theorems.requirements import GPU, TORCH, Requirement, dataset
from theorems.registry import (
    REGISTRY,
    Assumption,
    Check,
    Checks,
    Kind,
    Reproduction,
    Theorem,
    register,
    register_reproduction,
)
from theorems.domains import Domain
from theorems.search import (
    NonFiniteFigure,
    SubjectRefused,
    Violation,
    counterexample_outcome,
    property_outcome,
    reject,
    search,
    within,
)

__all__ = [
    "REGISTRY",
    "Assumption",
    "Check",
    "CheckContext",
    "Checks",
    "Domain",
    "GPU",
    "Kind",
    "NonFiniteFigure",
    "Outcome",
    "Reproduction",
    "Requirement",
    "SubjectRefused",
    "TORCH",
    "Theorem",
    "Verdict",
    "Violation",
    "counterexample_outcome",
    "dataset",
    "property_outcome",
    "register",
    "register_reproduction",
    "reject",
    "search",
    "within",
]
