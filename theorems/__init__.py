"""ddtheory's theorem registry and checker.

Public API for writing a claim::

    from theorems import Theorem, Assumption, Checks, Kind, Outcome, register, search, Violation
"""

from theorems.context import CheckContext
from theorems.outcome import Outcome, Verdict
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
from theorems.search import Violation, counterexample_outcome, property_outcome, search

__all__ = [
    "REGISTRY",
    "Assumption",
    "Check",
    "CheckContext",
    "Checks",
    "Kind",
    "Outcome",
    "Reproduction",
    "Theorem",
    "Verdict",
    "Violation",
    "counterexample_outcome",
    "property_outcome",
    "register",
    "register_reproduction",
    "search",
]
