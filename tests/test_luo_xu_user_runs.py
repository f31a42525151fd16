"""Your own runs (--runs FILE): the documented format, its one-line errors, and the same verdicts
as the built-in path on the committed runs exported through it."""

import json
from pathlib import Path

import pytest

from empirical.gaps import committed_rows
from empirical.user_runs import REQUIRED, read_runs, write_runs
from theorems.cli import main
from theorems.luo_xu.coverage_law import coverage_assessments
from theorems.luo_xu.scaling_law import scaling_assessments

ROOT = Path(__file__).resolve().parent.parent
HEADER = ",".join(REQUIRED)
GOOD = "dm,1,c0,0,0,0.9,0.7"


def write(tmp_path, text, name="runs.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("text,match", [
    ("method,k\ndm,1\n", "missing column.s. configuration, distill_seed"),
    (f"{HEADER}\ndm,one,c0,0,0,0.9,0.7\n", r"row 1, column k: 'one' is not a number"),
    (f"{HEADER}\n{GOOD}\ndm,0,c0,0,0,0.9,0.7\n", r"row 2, column k: 0 is below 1"),
    (f"{HEADER}\ndm,1.5,c0,0,0,0.9,0.7\n", r"row 1, column k: '1.5' is not an integer"),
    (f"{HEADER}\ndm,1,c0,0,0,90,0.7\n", r"row 1, column full_accuracy: 90 is outside \[0, 1\]"),
    (f"{HEADER}\ndm,1,c0,0,0,0.9,-0.1\n", r"row 1, column accuracy: -0.1 is outside \[0, 1\]"),
    (f"{HEADER}\ndm,1,c0,0,0,0.9,nan\n", r"row 1, column accuracy: 'nan' is not finite"),
    (f"{HEADER}\n,1,c0,0,0,0.9,0.7\n", r"row 1, column method: empty"),
    (f"{HEADER},subset\ndm,1,c0,0,0,0.9,0.7,c1|c2\n", r"row 1, column subset"),
    (f"{HEADER}\n", "no runs in the file"),
])
def test_bad_runs_file_is_one_line_error_naming_row_and_column(tmp_path, text, match):
    with pytest.raises(ValueError, match=match):
        read_runs(write(tmp_path, text))


def test_bad_json_line_names_the_row(tmp_path):
    record = dict(zip(REQUIRED, GOOD.split(",")))
    path = write(tmp_path, json.dumps(record) + "\n{not json\n", "runs.jsonl")
    with pytest.raises(ValueError, match="row 2: not a JSON object"):
        read_runs(path)


@pytest.mark.parametrize("command", [["luo-xu/scaling-law"], ["plan", "--gap", "0.1"]])
def test_cli_exits_2_with_one_line(tmp_path, capsys, command):
    path = write(tmp_path, f"{HEADER}\ndm,1,c0,0,0,0.9,1.7\n")
    assert main([*command, "--runs", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "row 1, column accuracy" in err


def test_runs_and_rerun_exclude_each_other(tmp_path, capsys):
    path = write(tmp_path, f"{HEADER}\n{GOOD}\n")
    assert main(["luo-xu/scaling-law", "--runs", str(path), "--rerun"]) == 2


def verdicts_scaling(rows, preset=None):
    return {key: (value[3].verdict, round(value[3].law.slope, 10)) for key, value in
            scaling_assessments(rows, preset)[2].items()}


def verdicts_coverage(rows, preset=None):
    return {key: (value[5].verdict, round(value[5].worst.c, 10)) for key, value in
            coverage_assessments(rows, preset)[2].items()}


def test_committed_runs_exported_give_the_built_in_verdicts(tmp_path):
    rows = committed_rows()
    for preset, assess in (("cpu", verdicts_scaling), ("coverage-lite", verdicts_coverage)):
        path = tmp_path / f"{preset}.csv"
        assert write_runs(rows, path, preset) > 0
        assert assess(read_runs(path)) == assess(rows, preset)


def test_a_law_without_its_kind_of_trials_is_skipped(capsys):
    path = ROOT / "docs" / "examples" / "my_runs.csv"
    main(["luo-xu/coverage-law", "--runs", str(path)])
    out = capsys.readouterr().out
    assert "the runs hold no coverage trials" in out and "incomplete" in out and "error" not in out


def test_documented_example_file_parses_and_fits():
    path = ROOT / "docs" / "examples" / "my_runs.csv"
    rows = read_runs(path)
    assert {row["spec"]["method"] for row in rows} >= {"full", "dm", "random"}
    assert main(["luo-xu/scaling-law", "--runs", str(path)]) in (0, 1)
