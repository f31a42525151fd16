"""The README's example claim runs as written, and its theorem table matches the registry."""

import re
from pathlib import Path

from theorems.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_readme_example_claim_is_verified(tmp_path, capsys, monkeypatch):
    from theorems.registry import Registry

    registry = Registry()
    monkeypatch.setattr("theorems.registry.REGISTRY", registry)
    monkeypatch.setattr("theorems.cli.REGISTRY", registry)
    section = README.split("## Adding a claim", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    assert len(code.strip().splitlines()) <= 24
    (tmp_path / "my_claims.py").write_text(code)
    assert main(["--load", str(tmp_path / "my_claims.py"), "my-lab/ols-from-d-points"]) == 0
    assert "verified" in capsys.readouterr().out


def test_readme_example_claim_catches_one_point_short(tmp_path, monkeypatch):
    """The false claim 'd − 1 points reproduce the OLS fit' comes back falsified under the README's tolerance."""
    from constructions.linear import LinearDistillation, distill_linear_regression
    from theorems import CheckContext, Verdict
    from theorems.registry import Registry
    from theorems.runner import run_check

    def one_point_short(X, y):
        full = distill_linear_regression(X, y)
        kept = max(full.rank - 1, 1)
        return LinearDistillation(full.X[:kept], full.y[:kept], kept, full.dimension, False, "one point short")

    registry = Registry()
    monkeypatch.setattr("theorems.registry.REGISTRY", registry)
    code = re.search(r"```python\n(.*?)```", README.split("## Adding a claim", 1)[1], re.DOTALL).group(1)
    (tmp_path / "my_claims.py").write_text(code)
    namespace: dict = {}
    exec(compile(code, str(tmp_path / "my_claims.py"), "exec"), namespace)
    theorem = registry.resolve("my-lab/ols-from-d-points")
    result = run_check(theorem, theorem.check("ols-matches"), CheckContext(profile="dev", seed=0),
                       distill=one_point_short)
    assert result.verdict is Verdict.FALSIFIED


def test_readme_theorem_table_lists_every_theorem():
    from theorems import REGISTRY

    table = re.search(r"<!-- theorem-table.*?```text\n(.*?)```", README, re.DOTALL).group(1)
    theorem_rows, _, reproduction_rows = table.partition("reproductions")
    assert set(re.findall(r"^(\S+/\S+)", theorem_rows, re.MULTILINE)) == {t.id for t in REGISTRY.theorems()}
    assert set(re.findall(r"^(\S+/\S+)", reproduction_rows, re.MULTILINE)) == {r.id for r in REGISTRY.reproductions()}
