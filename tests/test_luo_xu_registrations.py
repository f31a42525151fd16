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


def test_each_testbed_decides_its_own_claim():
    from empirical.gaps import CONVEX_PRESET_PREFERENCE, PRESET_PREFERENCE

    table = evaluations(committed_rows())
    convnet, others = choose_preset(table, coverage=False)
    assert convnet == "cpu" and not {"convex", "convex-lite"} & set(others)
    assert choose_preset(table, coverage=False, testbed="convex") == ("convex-lite", [])
    assert not set(CONVEX_PRESET_PREFERENCE) & set(PRESET_PREFERENCE)


def test_fixed_step_designs_decide_ahead_of_the_epochs_ones():
    import copy

    from empirical.gaps import PRESET_PREFERENCE

    assert PRESET_PREFERENCE.index("gpu-h200") < PRESET_PREFERENCE.index("gpu")
    assert PRESET_PREFERENCE.index("cpu-steps") < PRESET_PREFERENCE.index("cpu")
    rows = committed_rows()
    steps = [copy.deepcopy(row) for row in rows if row["spec"]["preset"] == "cpu"]
    for row in steps:
        row["spec"]["preset"] = "cpu-steps"
    chosen, others = choose_preset(evaluations(rows + steps), coverage=False)
    assert chosen == "cpu-steps" and "cpu" in others
