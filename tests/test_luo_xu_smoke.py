"""The smoke preset end to end: every method distils and is evaluated, the store resumes, the fits
and figures run on its rows (what CI runs; ~10-20 s)."""

import pytest

torch = pytest.importorskip("torch")

from constructions.matching import SyntheticSet  # noqa: E402
from empirical.gaps import coverage_table, evaluations, scaling_table  # noqa: E402
from empirical.presets import SMOKE, export_runs  # noqa: E402
from empirical.store import read_jsonl  # noqa: E402
from theorems import CheckContext, Verdict  # noqa: E402
from theorems.luo_xu import coverage_law, scaling_law  # noqa: E402
from tests.torch_support import one_torch_thread  # noqa: F401  (autouse fixture)


@pytest.mark.fashion_mnist
def test_smoke_preset_end_to_end(tmp_path, monkeypatch):
    monkeypatch.setenv("DDTHEORY_CACHE", str(tmp_path / "cache"))
    store = tmp_path / "smoke.sqlite"
    counts = SMOKE.run(store, progress=False)
    assert counts["ran"] == counts["total"] == len(SMOKE.specs())
    assert SMOKE.run(store, progress=False)["ran"] == 0
    assert export_runs(store, tmp_path / "smoke.jsonl") == counts["total"]
    rows = read_jsonl([tmp_path / "smoke.jsonl"])
    assert all(row["preset_note"] and row["git_revision"] and row["device"] == "cpu" for row in rows)
    table = evaluations(rows)
    assert set(scaling_table(table, "smoke").method) == {"dm", "gm", "mtt", "random"}
    assert set(coverage_table(table, "smoke").m) == {1, 2, 4}
    saved = SyntheticSet.load(next((tmp_path / "cache").glob("synthetic-*.pt")))
    assert saved.images.ndim == 4 and saved.std > 0 and saved.spec["trial"]["preset"] == "smoke"
    ctx = CheckContext(profile="dev", seed=0, plot_dir=tmp_path / "plots")
    for module in (scaling_law, coverage_law):
        outcome = module.committed_runs(ctx, runs=lambda ctx: rows)
        assert outcome.verdict in (Verdict.SUPPORTED, Verdict.NOT_SUPPORTED, Verdict.FALSIFIED)
        assert "preset smoke" in outcome.note and "not a test of the exponent" in outcome.note
    assert {p.name for p in (tmp_path / "plots").iterdir()} == {
        "figure2-scaling-law.png", "figure2-scaling-law.svg", "figure3-coverage-law.png", "figure3-coverage-law.svg"}


def test_gpu_and_cpu_presets_are_well_formed():
    """The presets not run here still build every trial's distiller settings (no training)."""
    from empirical.presets import CPU, GPU
    from empirical.trials import distiller_settings

    for chosen in (CPU, GPU):
        specs = chosen.specs()
        assert len({s.key for s in specs}) == len(specs)
        for spec in specs:
            if spec.method != "full":
                settings = distiller_settings(chosen, spec)
                assert settings.iterations >= (1000 if chosen is GPU and spec.method != "random" else 0)
    assert GPU.max_minutes_per_chunk == 25.0 and max(GPU.ipcs) == 256 and len(GPU.family) == 8
