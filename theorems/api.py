"""The programmatic API: run a theorem (optionally on your own subjects) and get result objects.

>>> from theorems.api import run
>>> result = run("izzo-zou/theorem-3", distill=my_distill, profile="dev", seed=0)
>>> result.verdict, result.summary(), result.to_dict()

The objects are the ones ``verify`` prints and serialises: a
:class:`~theorems.runner.TheoremResult` holding one :class:`~theorems.runner.CheckResult` per check
(``verdict``, ``outcome.figures``, ``outcome.counterexample``, ``outcome.note``, ``seconds``).
"""

from __future__ import annotations

from typing import Any

from theorems.context import CheckContext
from theorems.profiles import DEFAULT_PROFILE
from theorems.registry import REGISTRY
from theorems.runner import TheoremResult, run_theorem
from theorems.subjects import validate_subjects


def run(theorem_id: str, *, profile: str = DEFAULT_PROFILE, seed: int = 0, **subjects: Any) -> TheoremResult:
    """Run every check of ``theorem_id``; named subjects replace the built-ins in the checks that
    take them, and the other checks are ``not-applicable``. Bad ids, profiles, seeds or subjects
    raise a one-line ValueError before anything runs."""
    theorem = REGISTRY.resolve(theorem_id)
    ctx = CheckContext(profile=profile, seed=seed)
    validate_subjects(theorem, subjects)
    return run_theorem(theorem, ctx, subjects=subjects or None)
