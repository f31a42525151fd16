"""The frozen registry: every registered preset and the verdict criteria still hash as registered,
and verdicts are decided by a confirmatory design, exploratory ones only reported beside."""

import pytest

from empirical.gaps import choose_preset, committed_rows, evaluations
from empirical.registrations import ROLES, criteria_hash, preset_hash, registry


def test_criteria_hash_matches_the_registry():
    assert criteria_hash() == registry()["criteria"]["hash"], \
        "a verdict criterion changed after registration: register new criteria instead of editing them"


@pytest.mark.parametrize("name", sorted(registry()["presets"]))
def test_registered_preset_design_is_unchanged(name):
    entry = registry()["presets"][name]
    assert entry["role"] in ROLES
    assert preset_hash(name) == entry["hash"], f"preset {name} changed after registration: give it a new name"


def test_exploratory_presets_never_decide():
    table = evaluations(committed_rows())
    coverage, others = choose_preset(table, coverage=True)
    assert coverage == "coverage-lite"
    assert {"coverage-lite-normalised", "coverage-lite-convnet"} <= set(others)
    assert choose_preset(table, coverage=False)[0] == "cpu"


def test_exploratory_or_smoke_design_cannot_support():
    from theorems.luo_xu._runs import law_outcome
    from theorems.outcome import Verdict

    for preset in ("coverage-lite-normalised", "smoke"):
        outcome = law_outcome("supported", {"dm": ["fits"]}, preset, [], {})
        assert outcome.verdict is Verdict.NOT_SUPPORTED and "cannot support a law" in outcome.note
    assert law_outcome("supported", {"dm": ["fits"]}, "cpu", [], {}).verdict is Verdict.SUPPORTED
