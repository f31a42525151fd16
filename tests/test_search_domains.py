"""Every search a built-in check runs states its domain: a grid of boundary values and a coarse
grid that is tried before random draws (``theorems.domains``), never random draws alone."""

from __future__ import annotations

import pytest

from theorems.context import CheckContext
from theorems.registry import REGISTRY, Kind
from theorems.searching import collecting_searches

BUILTIN = [(theorem.id, check.name) for theorem in REGISTRY.theorems() for check in theorem.checks]


def searches_without_grid(theorem_id: str) -> list[tuple[str, str]]:
    theorem = REGISTRY.resolve(theorem_id)
    missing = []
    for check in theorem.checks:
        if check.missing() or check.kind in (Kind.REAL_DATA, Kind.EMPIRICAL):
            continue  # real data and training runs are judged whole, not searched
        ctx = CheckContext(profile="dev", seed=0).for_check(f"{theorem.id}::{check.name}")
        with collecting_searches() as searches:
            try:
                check.run(ctx)
            except Exception:  # noqa: BLE001 - verdicts are tested elsewhere; here only the domains
                pass
        missing += [(check.name, result.domain or "a bare strategy") for result in searches if result.grid == 0]
    return missing


def _reads_fashion_mnist(theorem_id: str) -> bool:
    return any(need.name == "data:fashion-mnist" for check in REGISTRY.resolve(theorem_id).checks
               for need in check.needs)


THEOREM_IDS = [pytest.param(theorem_id, marks=[pytest.mark.fashion_mnist] if _reads_fashion_mnist(theorem_id) else [])
               for theorem_id in sorted({theorem_id for theorem_id, _ in BUILTIN})]


@pytest.mark.parametrize("theorem_id", THEOREM_IDS)
def test_every_search_of_a_builtin_check_has_a_grid(theorem_id):
    assert searches_without_grid(theorem_id) == []
