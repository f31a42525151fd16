"""The `verify` contract: tables, exit codes 0/1/2, id resolution, JSON determinism, --load."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from theorems.cli import main
from theorems.registry import Registry

FALSE_CLAIM = textwrap.dedent('''
    """A deliberately false claim: the mean of any sample is at most its median."""
    import numpy as np
    from hypothesis import strategies as st
    from hypothesis.extra.numpy import arrays
    from theorems import Checks, Kind, Theorem, Violation, register, search, property_outcome

    checks = Checks()

    @checks.add("mean-below-median", Kind.PROPERTY)
    def mean_below_median(ctx):
        """Search samples whose mean exceeds their median."""
        def prop(sample):
            if sample.mean() > np.median(sample) + 1e-9:
                raise Violation("mean above median", gap=sample.mean() - np.median(sample))
        values = arrays(np.float64, st.integers(1, 6), elements=st.floats(-10, 10))
        return property_outcome(search(ctx, values, prop))

    register(Theorem(id="my-lab/mean-median", title="mean ≤ median", source="nobody",
                     claim="Every sample's mean is at most its median.", statement=lambda: "mean ≤ median",
                     checks=checks.freeze()))
''')

SHADOW_CLAIM = FALSE_CLAIM.replace("my-lab/mean-median", "my-lab/theorem-3")


@pytest.fixture
def fresh_registry(monkeypatch):
    """A registry of built-ins only, so claims loaded by one test do not leak into the next."""
    registry = Registry()
    monkeypatch.setattr("theorems.registry.REGISTRY", registry)
    monkeypatch.setattr("theorems.cli.REGISTRY", registry)
    return registry


def run(*args, capsys):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_names_every_theorem(capsys):
    code, out, _ = run("list", capsys=capsys)
    assert code == 0 and "izzo-zou/theorem-3" in out and "symbolic" in out


def test_short_id_runs_and_prints_table(capsys):
    code, out, _ = run("theorem-3", "--profile", "dev", capsys=capsys)
    assert code == 0
    assert "ridge-path" in out and "verified" in out and "seconds" in out


def test_unknown_id_exits_2_with_closest_candidates(capsys):
    code, _, err = run("theorem-33", capsys=capsys)
    assert code == 2
    assert err.count("\n") == 1 and "unknown theorem id 'theorem-33'" in err and "izzo-zou/theorem-3" in err


def test_ambiguous_short_id_lists_candidates(tmp_path, capsys, fresh_registry):
    claims = tmp_path / "shadow.py"
    claims.write_text(SHADOW_CLAIM)
    code, _, err = run("--load", str(claims), "theorem-3", capsys=capsys)
    assert code == 2 and "ambiguous" in err and "izzo-zou/theorem-3" in err and "my-lab/theorem-3" in err


@pytest.mark.parametrize("args,fragment", [
    (["theorem-3", "--profile", "fast"], "--profile"),
    (["theorem-3", "--seed", "-1"], "--seed"),
    (["run"], "name at least one theorem id"),
    (["--load", "/nonexistent/claims.py", "all"], "no such file"),
    (["reproduce", "nobody/table-9"], "unknown reproduction"),
    (["reproduce", "chen-huang-weng/table-3", "--conventions", "paper"], "--conventions"),
])
def test_usage_errors_are_one_line_exit_2(args, fragment, capsys):
    code, _, err = run(*args, capsys=capsys)
    assert code == 2 and fragment in err and err.count("\n") == 1, err


def test_false_user_claim_is_falsified_with_counterexample(tmp_path, capsys, fresh_registry):
    claims = tmp_path / "claims.py"
    claims.write_text(FALSE_CLAIM)
    out_json = tmp_path / "out.json"
    code, out, _ = run("--load", str(claims), "my-lab/mean-median", "--json", str(out_json), capsys=capsys)
    assert code == 1 and "falsified" in out
    check = json.loads(out_json.read_text())["theorems"][0]["checks"][0]
    assert check["verdict"] == "falsified" and len(check["counterexample"]) >= 2


def test_same_seed_gives_identical_json_apart_from_timings(tmp_path, capsys):
    documents = []
    for name in ("a.json", "b.json"):
        assert run("theorem-3", "--seed", "7", "--json", str(tmp_path / name), capsys=capsys)[0] == 0
        text = (tmp_path / name).read_text()
        document = json.loads(text)
        document.pop("timings")
        documents.append(json.dumps(document, sort_keys=True))
    assert documents[0] == documents[1]
    assert run("theorem-3", "--seed", "8", "--json", str(tmp_path / "c.json"), capsys=capsys)[0] == 0


def test_json_to_stdout_is_pure_json(capsys):
    code, out, err = run("theorem-3", "--json", "-", capsys=capsys)
    assert code == 0 and json.loads(out)["theorems"][0]["verdict"] == "verified" and "ridge-path" in err


def test_explain_prints_statement_assumptions_and_checks(capsys):
    code, out, _ = run("izzo-zou/theorem-3", "--explain", capsys=capsys)
    assert code == 0
    for fragment in ("assumptions:", "at least d points", "checks:", "fewer-points [counterexample]", "θ"):
        assert fragment in out


def test_python_dash_m_theorems_is_the_cli():
    done = subprocess.run([sys.executable, "-m", "theorems", "list"], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0 and "izzo-zou/theorem-3" in done.stdout


def test_entry_point_group_registers_installed_theorems(tmp_path, monkeypatch, fresh_registry):
    (tmp_path / "lab_claims.py").write_text(FALSE_CLAIM.replace("my-lab/mean-median", "lab/installed-claim"))
    info = tmp_path / "lab_claims-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: lab-claims\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[ddtheory.theorems]\nlab = lab_claims\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert fresh_registry.resolve("installed-claim").id == "lab/installed-claim"


def test_plan_prints_a_prediction_and_rejects_a_bad_gap(capsys):
    code, out, _ = run("plan", "--gap", "0.03", "--configs", "1", capsys=capsys)
    assert code == 0 and "images per class" in out
    code, _, err = run("plan", "--gap", "1.5", capsys=capsys)
    assert code == 2 and "target gap must be" in err and err.count("\n") == 1


def test_unknown_preset_is_a_usage_error_before_anything_runs(capsys):
    code, _, err = run("luo-xu/scaling-law", "--rerun", "--preset", "bogus", capsys=capsys)
    assert code == 2 and "unknown preset 'bogus'; valid: smoke" in err


@pytest.mark.parametrize("theorem_id", [t.id for t in __import__("theorems").REGISTRY.theorems()])
def test_every_theorem_explains_itself(theorem_id):
    from theorems.cli import explain
    from theorems import REGISTRY

    text = explain(REGISTRY.resolve(theorem_id))
    assert theorem_id in text and "statement:" in text and "checks:" in text


def test_fail_fast_stops_at_the_first_failure_and_lists_what_was_not_run(tmp_path, capsys, fresh_registry):
    two_checks = FALSE_CLAIM.replace('\nregister(', '''
@checks.add("never-reached", Kind.PROPERTY)
def never_reached(ctx):
    """Must not run after the first check failed under --fail-fast."""
    raise AssertionError("ran after --fail-fast should have stopped")

register(''')
    claims = tmp_path / "claims.py"
    claims.write_text(two_checks)
    out_json = tmp_path / "out.json"
    code, out, _ = run("--load", str(claims), "my-lab/mean-median", "theorem-3", "--fail-fast",
                       "--json", str(out_json), capsys=capsys)
    document = json.loads(out_json.read_text())
    assert code == 1 and len(document["theorems"]) == 1
    assert document["theorems"][0]["not_run"] == ["never-reached"]
    assert "not run (--fail-fast): never-reached" in out
    assert f"{1 + len(fresh_registry.resolve('izzo-zou/theorem-3').checks)} check(s) not run" in out
