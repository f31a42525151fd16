"""A newcomer's first hour: every bad path, option or file is one line on stderr, exit 2, before
any check runs; the JSON keeps what a reader needs; `verify --help` shows the run options."""

import errno
import gzip
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np
import pytest

from empirical import datasets
from theorems.cli import main
from theorems.registry import Registry

ROOT = Path(__file__).resolve().parents[1]


def run(*args, capsys):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_usage_error(code, out, err, *fragments):
    assert code == 2, (code, err)
    assert err.count("\n") == 1 and err.startswith("verify: error: ") and "Traceback" not in err, err
    assert "::" not in out + err, "a check ran before the bad input was reported"
    for fragment in fragments:
        assert fragment in err, err


@pytest.fixture
def fresh_registry(monkeypatch):
    registry = Registry()
    monkeypatch.setattr("theorems.registry.REGISTRY", registry)
    monkeypatch.setattr("theorems.cli.REGISTRY", registry)
    return registry


# --- output paths ------------------------------------------------------------------------------

@pytest.mark.parametrize("path,fragment", [
    ("/proc/x.json", "not writable"),
    ("/nonexistent-dir/x.json", "no such folder"),
    (tempfile.gettempdir(), "is a folder, not a file"),
])
def test_unwritable_json_path_is_refused_before_running(path, fragment, capsys):
    assert_one_line_usage_error(*run("theorem-3", "--json", path, capsys=capsys), "--json", fragment)


def test_json_is_written_atomically_and_readable(tmp_path, capsys):
    out = tmp_path / "out.json"
    out.write_text("old")
    assert run("theorem-3", "--json", str(out), capsys=capsys)[0] == 0
    assert json.loads(out.read_text())["theorems"][0]["id"] == "izzo-zou/theorem-3"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"], "a temporary file was left behind"


def test_unwritable_plot_dir_is_refused_before_running(capsys):
    assert_one_line_usage_error(*run("luo-xu/scaling-law", "--plot", "/proc/figs", capsys=capsys), "--plot", "/proc/figs")


def test_plot_for_a_theorem_without_figures_is_an_error(tmp_path, capsys):
    code, out, err = run("theorem-3", "--plot", str(tmp_path / "figs"), capsys=capsys)
    assert_one_line_usage_error(code, out, err, "--plot does not apply to izzo-zou/theorem-3", "luo-xu/scaling-law")


# --- options that do not apply -----------------------------------------------------------------

@pytest.mark.parametrize("args,fragment", [
    (["luo-xu/scaling-law", "--preset", "smoke"], "--preset applies only with --rerun"),
    (["theorem-3", "--rerun"], "--rerun does not apply to izzo-zou/theorem-3"),
    (["theorem-3", "--explain", "--json", "x.json"], "--json does not apply to --explain"),
    (["reproduce", "chen-huang-weng/table-3", "--profile", "ci"], "--profile does not apply to chen-huang-weng/table-3"),
    (["plan", "--method", "xyz", "--gap", "0.03"], "no committed scaling-law runs for method 'xyz'"),
    (["plan", "--configs", "4", "--method", "gm", "--gap", "0.03"], "no committed coverage-law runs for method 'gm'"),
])
def test_options_that_do_not_apply_are_errors(args, fragment, capsys):
    assert_one_line_usage_error(*run(*args, capsys=capsys), fragment)


# --- data files that do not parse --------------------------------------------------------------

def write_idx(path, array):
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    with gzip.open(path, "wb") as handle:
        handle.write(header + array.astype(np.uint8).tobytes())


def fake_fashion_mnist(directory: Path) -> Path:
    for split, n in (("train", 20), ("test", 10)):
        image_file, label_file = datasets.FASHION_MNIST_FILES[split]
        write_idx(directory / image_file, np.random.default_rng(0).integers(0, 256, (n, 28, 28)))
        write_idx(directory / label_file, np.arange(n) % 10)
    return directory


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-30])


def corrupt_crc(path: Path) -> None:
    raw = bytearray(path.read_bytes())
    raw[-8] ^= 0xFF  # the gzip trailer's CRC-32
    path.write_bytes(bytes(raw))


@pytest.mark.parametrize("damage,fragment", [(truncate, "is truncated"), (corrupt_crc, "CRC check failed")])
@pytest.mark.parametrize("args", [["reproduce", "chen-huang-weng/table-3"], ["chen-huang-weng/theorem-5.1"]])
def test_damaged_fashion_mnist_names_the_file(tmp_path, monkeypatch, capsys, damage, fragment, args):
    damaged = fake_fashion_mnist(tmp_path) / "train-images-idx3-ubyte.gz"
    damage(damaged)
    monkeypatch.setenv(datasets.FASHION_MNIST_ENV, str(tmp_path))
    assert_one_line_usage_error(*run(*args, capsys=capsys), str(damaged), fragment, "apt-get install --reinstall")


def test_truncated_data_is_exit_2_not_an_abort_in_a_real_process(tmp_path):
    truncate(fake_fashion_mnist(tmp_path) / "t10k-labels-idx1-ubyte.gz")
    done = subprocess.run([sys.executable, "-m", "theorems", "reproduce", "chen-huang-weng/table-3"], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ,
                                                                 datasets.FASHION_MNIST_ENV: str(tmp_path)})
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "t10k-labels-idx1-ubyte.gz" in done.stderr


def test_an_eof_error_outside_the_checks_is_a_one_line_crash(tmp_path, capsys, fresh_registry):
    claims = tmp_path / "eof.py"
    claims.write_text(textwrap.dedent('''
        from theorems import Reproduction, register_reproduction

        def table(ctx):
            raise EOFError("Ran out of input")

        register_reproduction(Reproduction(id="my-lab/table-1", title="t", fn=table))
        from theorems import Checks, Kind, Outcome, Theorem, register
        checks = Checks()

        @checks.add("nothing", Kind.PROPERTY)
        def nothing(ctx):
            """Holds."""
            return Outcome.verified()

        register(Theorem(id="my-lab/eof", title="t", source="s", claim="c", statement=lambda: "s",
                         checks=checks.freeze()))
    '''))
    code, _, err = run("reproduce", "--load", str(claims), "my-lab/table-1", capsys=capsys)
    assert code == 1 and err.count("\n") == 1 and "EOFError: Ran out of input" in err and "aborted" not in err, err


# --- help and JSON -----------------------------------------------------------------------------

def test_top_level_help_documents_the_run_options(capsys):
    code, out, _ = run("--help", capsys=capsys)
    assert code == 0
    for option in ("--profile", "--seed", "--json", "--load", "--plot", "--rerun", "--preset", "--explain"):
        assert option in out, option


def test_json_records_titles_summary_and_provenance(tmp_path, capsys):
    out = tmp_path / "out.json"
    assert run("theorem-3", "--profile", "dev", "--json", str(out), capsys=capsys)[0] == 0
    document = json.loads(out.read_text())
    theorem = document["theorems"][0]
    assert theorem["title"].startswith("d points recover linear regression")
    checks = len(theorem["checks"])
    assert document["summary"] == {"theorems": {"verified": 1}, "checks": {"verified": checks}}
    from empirical.store import package_version
    from theorems.profiles import PROFILE_EXAMPLES

    assert document["ddtheory"]["version"] == package_version() and "git_revision" in document["ddtheory"]
    assert document["profile_settings"] == {"name": "dev", "max_examples": PROFILE_EXAMPLES["dev"],
                                            "derandomize": False, "deadline": None}
    assert {"python", "numpy", "sympy", "hypothesis", "torch"} <= set(document["libraries"])


def test_verdict_words_match_in_table_json_and_figures():
    from empirical.figures import verdict_word
    from theorems.outcome import Verdict
    from theorems.report import summary

    assert verdict_word("falsified") == str(Verdict.NOT_SUPPORTED) == "not-supported"
    assert verdict_word("supported") == "supported"
    assert summary([]) == {"theorems": {}, "checks": {}}


# --- stores and caches -------------------------------------------------------------------------

def test_store_in_a_folder_that_cannot_be_created_is_one_line():
    from empirical.store import RunStore

    with pytest.raises(ValueError, match=r"run store '/proc/nowhere/runs.sqlite': folder '/proc/nowhere' cannot be created"):
        RunStore("/proc/nowhere/runs.sqlite")


def test_valid_store_in_a_read_only_folder_says_so(tmp_path, monkeypatch):
    from empirical.store import RunStore

    with RunStore(tmp_path / "runs.sqlite"):
        pass

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    with pytest.raises(ValueError) as caught:
        RunStore(tmp_path / "runs.sqlite")
    message = str(caught.value)
    assert "is not writable (Read-only file system)" in message and "not a SQLite run store" not in message


def test_sweep_cli_checks_store_and_export_before_running(tmp_path):
    for extra in (["--store", "/proc/nowhere/runs.sqlite"],
                  ["--store", str(tmp_path / "runs.sqlite"), "--export", "/nonexistent-dir/runs.jsonl"]):
        done = subprocess.run([sys.executable, "-m", "empirical.sweep", "--preset", "smoke", *extra], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 2 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert not (tmp_path / "runs.sqlite").exists()


def test_atomic_write_leaves_the_old_file_when_the_writer_dies(tmp_path):
    from empirical.files import atomic_path

    target = tmp_path / "expert-0.pt"
    target.write_bytes(b"intact")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as temporary:
            temporary.write_bytes(b"half")
            raise RuntimeError("killed mid-write")
    assert target.read_bytes() == b"intact" and [p.name for p in tmp_path.iterdir()] == ["expert-0.pt"]


def test_truncated_expert_cache_names_the_file(tmp_path):
    torch = pytest.importorskip("torch")
    from empirical.trials import load_cached

    path = tmp_path / "expert-abc-0.pt"
    torch.save([torch.zeros(100)], path)
    path.write_bytes(path.read_bytes()[:50])
    with pytest.raises(ValueError) as caught:
        load_cached(path)
    message = str(caught.value)
    assert str(path) in message and "delete it and run again" in message and "\n" not in message


def test_unwritable_cache_folder_is_one_line(monkeypatch):
    from empirical.trials import cache_dir

    monkeypatch.setenv("DDTHEORY_CACHE", "/proc/ddtheory-cache")
    with pytest.raises(ValueError, match=r"cache folder \(\$DDTHEORY_CACHE\) '/proc/ddtheory-cache' cannot be created"):
        cache_dir()


# --- library validation ------------------------------------------------------------------------

def test_library_validation_names_the_argument():
    from constructions.krr_distill import distill_krr
    from constructions.linear import distill_linear_regression, ridge_path

    with pytest.raises(ValueError, match="lambdas must be a number or a flat sequence"):
        ridge_path(np.eye(2), np.ones(2), [[0.1, 1.0]])
    with pytest.raises(ValueError, match="overflows float64"):
        distill_linear_regression(np.full((3, 2), 1e308), np.ones(3))
    with pytest.raises(ValueError, match="ipc must be an integer >= 1, got nan"):
        distill_krr(np.eye(3), np.eye(3), None, ipc=float("nan"), lam=0.1)


# --- a fresh machine ---------------------------------------------------------------------------

def test_data_tests_skip_with_the_reason_when_the_data_is_hidden(tmp_path):
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
                           "tests/test_datasets.py", "-k", "real_fashion_mnist"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={**os.environ,
                                                       datasets.FASHION_MNIST_ENV: str(tmp_path)})
    assert done.returncode == 0, done.stdout[-2000:]
    assert "1 skipped" in done.stdout and "Fashion-MNIST not found in" in done.stdout


# --- start-up ----------------------------------------------------------------------------------

def test_resolving_an_id_imports_no_heavy_library():
    """torch, POT, statsmodels, matplotlib and pandas load only inside the checks that use them."""
    from empirical.bench_verify import HEAVY_LIBRARIES, heavy_imports

    assert heavy_imports("izzo-zou/theorem-3") == [], f"imported at start-up (of {HEAVY_LIBRARIES})"


@pytest.mark.fashion_mnist
def test_rerun_with_a_corrupt_store_or_cache_folder_is_refused_before_training(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DDTHEORY_CACHE", str(tmp_path))
    (tmp_path / "runs-smoke.sqlite").write_bytes(b"not a database at all" * 100)
    assert_one_line_usage_error(*run("luo-xu/scaling-law", "--rerun", capsys=capsys), "runs-smoke.sqlite",
                                "not a SQLite run store", "use a new store path")
    monkeypatch.setenv("DDTHEORY_CACHE", "/proc/ddtheory-cache")
    assert_one_line_usage_error(*run("luo-xu/scaling-law", "--rerun", capsys=capsys), "/proc/ddtheory-cache")
