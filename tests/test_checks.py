"""Generated from the registry: one test per theorem × check, and one per planted failure.

* ``test_check_holds``: the real check does not come back falsified or errored.
* ``test_planted_failure_is_caught``: under a planted broken construction / false claim the same
  check answers ``falsified`` (a check that cannot fail is worthless).
* ``test_every_check_has_a_plant``: no registered check goes without a planted failure.

Empirical checks judge a law on data: ``not-supported`` is an honest result for them, not a bug,
and a planted violation must turn them ``not-supported`` (or ``falsified``). An assumption-drop
check whose plant removes the counterexample it looks for ends ``inconclusive`` (its search found
nothing) or ``falsified``; every other kind must hold, and must flip to ``falsified`` under its
plant.
"""

import pytest

from theorems import REGISTRY, Kind, Verdict
from theorems.runner import run_check

from tests.plants import all_plants

PLANTS = all_plants()
CHECKS = [(t, c) for t in REGISTRY.theorems() for c in t.checks]
PASSING = {Verdict.VERIFIED, Verdict.SKIPPED, Verdict.UNREFUTED, Verdict.SUPPORTED}
#: checks of a paper's claim that find the claim false, deterministically (the finding is registered as its
#: own claim): the real check must come back ``falsified``, and its docs page says why
FOUND_FALSE = {f"{t.id}::{name}" for t in REGISTRY.theorems() for name in t.refuted_by}
"""Checks of claims registered as refuted (``Theorem.refuted_by``): they must come back falsified."""


def acceptable(check) -> set:
    return PASSING | {Verdict.NOT_SUPPORTED} if check.kind is Kind.EMPIRICAL else PASSING


def caught(check) -> set:
    if check.kind is Kind.EMPIRICAL:
        return {Verdict.FALSIFIED, Verdict.NOT_SUPPORTED}
    if check.kind is Kind.COUNTEREXAMPLE:
        return {Verdict.FALSIFIED, Verdict.INCONCLUSIVE}
    return {Verdict.FALSIFIED}


@pytest.mark.parametrize("theorem,check", CHECKS, ids=[f"{t.id}::{c.name}" for t, c in CHECKS])
def test_check_holds(theorem, check, ctx):
    result = run_check(theorem, check, ctx)
    if f"{theorem.id}::{check.name}" in FOUND_FALSE:
        assert result.verdict is Verdict.FALSIFIED, f"{result.id}: {result.verdict}, expected falsified: {result.outcome.note}"
        return
    assert result.verdict in acceptable(check), (f"{result.id}: {result.verdict}: {result.outcome.note} "
                                                 f"figures={result.outcome.figures} "
                                                 f"counterexample={result.outcome.counterexample}")


PLANTED = [(check_id, plant) for check_id, plants in sorted(PLANTS.items()) for plant in plants]


@pytest.mark.parametrize("check_id,plant", PLANTED, ids=[f"{i}[{p.description}]" for i, p in PLANTED])
def test_planted_failure_is_caught(check_id, plant, ctx):
    theorem_id, check_name = check_id.split("::")
    theorem = REGISTRY.resolve(theorem_id)
    check = theorem.check(check_name)
    if check.missing():
        pytest.skip(check.missing())
    result = run_check(theorem, check, ctx, **plant.subjects)
    assert result.verdict in caught(check), f"{check_id} under '{plant.description}': {result.verdict}: {result.outcome.note}"


def test_every_check_has_a_plant():
    registered = {f"{t.id}::{c.name}" for t, c in CHECKS}
    assert not registered - set(PLANTS), f"checks without a planted failure: {sorted(registered - set(PLANTS))}"
    assert not set(PLANTS) - registered, f"plants for unknown checks: {sorted(set(PLANTS) - registered)}"
