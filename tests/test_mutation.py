"""empirical.mutation on a tiny repository with a fake oracle (no real theorem runs; a few seconds)."""

import ast
import json
import hashlib
import tempfile
import textwrap
from pathlib import Path

import pytest

from empirical.mutation import oracle as oracle_module
from empirical.mutation.campaign import mutate_file
from empirical.mutation.mutants import generate, sample
from empirical.mutation.oracle import OracleSettings
from empirical.mutation.sandbox import copy_of, run_bootstrap

TINY = '''\
"""A tiny module; 2.5 in a docstring is not mutated."""

import numpy as np

LIMIT = 3.0


def clip(x, factor=2.0):
    """Docstring 1.5."""
    if factor < 0:
        raise ValueError(f"factor must be >= 0, got {factor + 1}")
    if not x:
        return x
    return abs(x) * factor - min(x, LIMIT)


def gram(X) -> np.ndarray:
    return X.T @ X
'''

EXPECTED = [
    (5, "constant ×1.01"), (5, "constant +1"), (5, "constant →0"),
    (8, "constant ×1.01"), (8, "constant +1"), (8, "constant →0"),
    (12, "not dropped"), (13, "return zeroed"),
    (14, "return zeroed"), (14, "arithmetic - → +"), (14, "arithmetic * → /"), (14, "abs dropped"),
    (14, "min → max"),
    (18, "return zeroed"), (18, "transpose dropped"),
]


def test_generator_lists_the_expected_mutants():
    mutants = generate(TINY, "tiny.py")
    assert [(m.line, m.operator) for m in mutants] == EXPECTED
    by_operator = {m.operator: m for m in mutants}
    assert by_operator["transpose dropped"].mutated == "return X @ X"
    assert by_operator["return zeroed"].mutated == "return np.zeros_like(X.T @ X)"  # the last one: gram's array
    assert by_operator["min → max"].mutated == "return abs(x) * factor - max(x, LIMIT)"
    for mutant in mutants:
        ast.parse(mutant.source)
        # only the top-level statement holding the change is rewritten: the module docstring line survives
        assert mutant.source.splitlines()[0] == TINY.splitlines()[0]


def test_reach_of_body_default_and_module_level_mutants():
    mutants = generate(TINY, "tiny.py")
    assert {m.reach for m in mutants if m.line == 5} == {None}  # module level: any use of the module
    assert {m.reach for m in mutants if m.line == 8} == {(8, 14)}  # a default: the whole function
    assert {m.reach for m in mutants if m.line == 14} == {(14, 14)}


def test_validation_branches_docstrings_and_messages_are_skipped():
    lines = {m.line for m in generate(TINY, "tiny.py")}
    assert not lines & {1, 9, 10, 11}  # docstrings, the validation `if` (test and raise), its f-string
    validation_then_logic = textwrap.dedent('''\
        def f(x):
            if x < 0:
                raise TypeError("negative")
            elif x > 10:
                return x - 10
            return x
        ''')
    mutated_lines = {m.line for m in generate(validation_then_logic)}
    assert 2 not in mutated_lines and {4, 5} <= mutated_lines  # the else branch is still mutated
    swaps = [m.mutated for m in generate("def f(x, y, z):\n    return g(x, 'x', y, z) + min(x, y)\n")
             if m.operator.startswith("arguments")]
    assert swaps == ["return g(x, 'x', z, y) + min(x, y)"]  # never with a string, never min's commuting pair


def test_sampling_is_deterministic():
    mutants = generate(TINY, "tiny.py")
    first, again, other = sample(mutants, 5, 1), sample(mutants, 5, 1), sample(mutants, 5, 2)
    assert first == again and first != other
    assert [m.line for m in first] == sorted(m.line for m in first)
    with pytest.raises(ValueError, match="not valid Python"):
        generate("def broken(:\n", "broken.py")


FAKE_ORACLE = '''\
"""python -m fakeverify IDS --profile P --seed S --json PATH: one check per id."""
import json, sys
from pkg.arith import add, count_up

CHECKS = {"adds": lambda: add(2, 3) == 5, "counts": lambda: count_up(0) == 0 and count_up(3) == 3}
args = sys.argv[1:]
if args == ["list"]:
    print("id      title\\n------  -----\\n" + "\\n".join(f"{name}  a check" for name in CHECKS))
    sys.exit(0)
ids = args[: args.index("--profile")]
verdicts = {name: "verified" if CHECKS[name]() else "falsified" for name in ids}
document = {"theorems": [{"id": name, "verdict": v, "checks": [{"name": "only", "verdict": v}]}
                         for name, v in verdicts.items()],
            "timings": {name: {"total": 0.01} for name in ids}}
open(args[args.index("--json") + 1], "w").write(json.dumps(document))
sys.exit(1 if "falsified" in verdicts.values() else 0)
'''

ARITH = '''\
def add(a, b):
    if not isinstance(a, int):
        raise TypeError("a must be an int")
    return a + b


def count_up(n):
    i = 0
    while i < n:
        i += 1
    return i


def unused(x):
    return x * 2
'''


@pytest.fixture
def tiny_repo(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    for name, text in {"pkg/__init__.py": "", "pkg/arith.py": ARITH, "fakeverify/__init__.py": "",
                       "fakeverify/__main__.py": FAKE_ORACLE}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setattr(oracle_module, "MIN_CPU_SECONDS", 0.5)  # the kernel limit: 1 s
    return root, scratch


def _snapshot(root: Path) -> dict:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in root.rglob("*") if p.is_file()}


def test_fake_oracle_kills_behaviour_changes_and_leaves_the_tree_alone(tiny_repo):
    root, scratch = tiny_repo
    before = _snapshot(root)
    settings = OracleSettings(root, module="fakeverify", cache_dir=root.parent / "cache")
    report = mutate_file(settings, Path("pkg/arith.py"), jobs=4)  # three mutants loop forever
    by_change = {(r.line, r.operator): r for r in report.results}
    assert by_change[(4, "arithmetic + → -")].status == "killed"
    assert "falsified: adds::only" in by_change[(4, "arithmetic + → -")].reason
    assert by_change[(4, "arithmetic + → -")].theorems == ["adds"]  # only the theorem that runs line 4
    assert by_change[(10, "arithmetic += → -=")].status == "timeout"  # i never reaches n
    assert "processor-time limit" in by_change[(10, "arithmetic += → -=")].reason
    assert by_change[(15, "return zeroed")].status == "unreachable"
    assert not any(r.line in (2, 3) for r in report.results)  # the validation branch
    assert report.counts()["survived"] == 0 and report.score() == 1.0
    assert _snapshot(root) == before and not list(scratch.iterdir())
    again = mutate_file(settings, Path("pkg/arith.py"))  # restartable: every result comes from the cache
    assert all(r.cached for r in again.results if r.status != "unreachable")
    assert [r.status for r in again.results] == [r.status for r in report.results]


def test_the_sandbox_refuses_a_module_outside_the_copy(tiny_repo):
    root, _ = tiny_repo
    with copy_of(root) as copy, pytest.raises(RuntimeError, match="outside the copy"):
        run_bootstrap(copy, "json", "run", "fakeverify", ["list"])


def test_cli_lists_mutants_and_rejects_bad_input(tiny_repo, capsys):
    from empirical.mutation.__main__ import main

    root, _ = tiny_repo
    assert main(["pkg/arith.py", "--root", str(root), "--list", "--sample", "2", "--seed", "3"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 2 and all(line.startswith("pkg/arith.py:") and "→" in line for line in listed)
    assert main(["pkg/missing.py", "--root", str(root), "--list"]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["pkg/arith.py", "--root", str(root), "--jobs", "0", "--cache", "none"]) == 2
    assert "--jobs must be at least 1" in capsys.readouterr().err


def test_cli_runs_a_sample_writes_the_report_and_resumes_from_its_cache(tiny_repo, capsys, tmp_path):
    from empirical.mutation.__main__ import DEFAULT_CACHE, main

    root, _ = tiny_repo
    out = tmp_path / "report.json"
    arguments = ["pkg/arith.py", "--root", str(root), "--oracle", "fakeverify", "--sample", "2", "--seed", "1",
                 "--out", str(out)]
    assert main(arguments) == 0
    first = json.loads(out.read_text())["files"][0]
    assert first["counts"] == {"killed": 1, "survived": 0, "timeout": 0, "unreachable": 1} and first["score"] == 1.0
    assert "pkg/arith.py  2/13" in capsys.readouterr().out
    assert (root / DEFAULT_CACHE).is_dir()
    assert main(arguments) == 0
    assert "[cached]" in capsys.readouterr().err
    assert main([*arguments, "--preload"]) == 0  # forked from a server: same verdicts (not cached: own key)
    assert json.loads(out.read_text())["files"][0]["counts"] == first["counts"]
    assert "[cached]" not in capsys.readouterr().err


def test_classification_of_a_run_against_the_baseline():
    from empirical.mutation.oracle import classify
    from empirical.mutation.sandbox import RunResult

    def document(verdict):
        return {"theorems": [{"id": "t", "checks": [{"name": "c", "verdict": verdict}]}]}

    baseline = {"t::c": "verified", "other::c": "verified"}
    assert classify(RunResult(0, 1.0, document("verified"), ""), baseline, ["t"]) == ("survived", "")
    assert classify(RunResult(0, 1.0, document("inconclusive"), ""), baseline, ["t"]) == (
        "killed", "verdict changed: t::c verified → inconclusive")
    assert classify(RunResult(1, 1.0, document("error"), ""), baseline, ["t"]) == ("killed", "error: t::c")
    assert classify(RunResult(1, 1.0, None, "Traceback\nNameError: x\n"), baseline, ["t"]) == (
        "killed", "exit 1 without a report: NameError: x")
    assert classify(RunResult(None, 9.0, None, ""), baseline, ["t"])[0] == "timeout"
    assert classify(RunResult(-24, 9.0, None, ""), baseline, ["t"])[0] == "timeout"  # SIGXCPU
    refuted = {"t::c": "falsified"}  # a claim registered as refuted: its refuting check is falsified
    assert classify(RunResult(0, 1.0, document("falsified"), ""), refuted, ["t"]) == ("survived", "")
    assert classify(RunResult(0, 1.0, document("verified"), ""), refuted, ["t"]) == (
        "killed", "verdict changed: t::c falsified → verified")


def test_an_unmutated_tree_that_fails_its_oracle_is_refused(tiny_repo):
    root, scratch = tiny_repo
    (root / "pkg/arith.py").write_text(ARITH.replace("return a + b", "return a - b"))
    with pytest.raises(RuntimeError, match="does not pass its own oracle.*adds::only"):
        mutate_file(OracleSettings(root, module="fakeverify"), Path("pkg/arith.py"), ["adds"])
    assert not list(scratch.iterdir())
