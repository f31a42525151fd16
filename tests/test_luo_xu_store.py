"""Run store and sweep: stable keys, schema check, kill-and-resume, Dask LocalCluster."""

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from empirical.store import SCHEMA_VERSION, RunStore, TrialSpec, export_jsonl, read_jsonl
from empirical.sweep import run_sweep
from tests.luo_xu_fake_trial import fake_specs, fake_trial

ROOT = Path(__file__).resolve().parent.parent


def test_key_is_stable_and_order_free():
    a = TrialSpec("dm", 4, ("c1",), 0, (0, 1), "smoke", (("augment", True), ("draw", 1)))
    b = TrialSpec("dm", 4, ("c1",), 0, [0, 1], "smoke", (("draw", 1), ("augment", True)))
    assert a.key == b.key and len(a.key) == 64
    assert TrialSpec.from_dict(a.as_dict()) == a
    assert TrialSpec("dm", 8, ("c1",), 0, (0, 1), "smoke").key != a.key


def test_sweep_skips_finished(tmp_path):
    store = tmp_path / "runs.sqlite"
    specs = fake_specs(6)
    assert run_sweep(specs[:4], fake_trial, store, progress=False) == {"total": 4, "skipped": 0, "ran": 4}
    assert run_sweep(specs, fake_trial, store, progress=False) == {"total": 6, "skipped": 4, "ran": 2}
    with RunStore(store) as opened:
        rows = list(opened.rows())
        assert len(rows) == 6
        assert opened._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert all(r["git_revision"] and r["package_version"] for r in rows)
        assert export_jsonl(opened, tmp_path / "runs.jsonl") == 6
    assert {r["key"] for r in read_jsonl([tmp_path / "runs.jsonl"])} == {s.key for s in specs}


def test_incompatible_store_is_one_line_error(tmp_path):
    path = tmp_path / "old.sqlite"
    RunStore(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value=? WHERE name='schema_version'", (str(SCHEMA_VERSION + 1),))
    db.commit()
    db.close()
    with pytest.raises(ValueError, match="schema version"):
        RunStore(path)
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"not a database at all" * 100)
    with pytest.raises(ValueError, match="not a SQLite run store"):
        RunStore(garbage)


def test_sigkill_and_resume_loses_and_duplicates_nothing(tmp_path):
    store, log = tmp_path / "runs.sqlite", tmp_path / "log.txt"
    count = 24
    script = (f"from empirical.sweep import run_sweep\nfrom tests.luo_xu_fake_trial import fake_specs, fake_trial\n"
              f"run_sweep(fake_specs({count}, {str(log)!r}, 0.05), fake_trial, {str(store)!r}, progress=False)\n")
    process = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
    deadline = time.monotonic() + 20
    finished = set()
    while time.monotonic() < deadline and len(finished) < 5:
        time.sleep(0.05)
        if store.exists():
            try:
                with RunStore(store) as opened:
                    finished = opened.finished_keys()
            except ValueError:
                continue  # the schema is still being created
    process.send_signal(signal.SIGKILL)
    process.wait()
    with RunStore(store) as opened:
        at_kill = opened.finished_keys()
    assert 5 <= len(at_kill) < count, "the sweep must be killed mid-way"
    counts = run_sweep(fake_specs(count, str(log), 0.05), fake_trial, store, progress=False)
    assert counts["skipped"] == len(at_kill) and counts["ran"] == count - len(at_kill)
    with RunStore(store) as opened:
        keys = [row["key"] for row in opened.rows()]
    assert len(keys) == len(set(keys)) == count
    runs = log.read_text().split()
    assert all(runs.count(key) == 1 for key in at_kill), "a finished trial ran again after the restart"


def test_dask_local_cluster(tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp://", host="127.0.0.1",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        counts = run_sweep(fake_specs(5), fake_trial, tmp_path / "d.sqlite", scheduler=cluster.scheduler_address,
                           progress=False)
        assert counts == {"total": 5, "skipped": 0, "ran": 5}
        assert run_sweep(fake_specs(6), fake_trial, tmp_path / "d.sqlite", scheduler=client, progress=False)["ran"] == 1
    with RunStore(tmp_path / "d.sqlite") as opened:
        assert {r["metrics"]["value"] for r in opened.rows()} == {s.ipc * 1000 + s.distill_seed for s in fake_specs(6)}


def test_local_pool_and_chunk_limit(tmp_path):
    store = tmp_path / "pool.sqlite"
    assert run_sweep(fake_specs(4), fake_trial, store, workers=2, progress=False) == {"total": 4, "skipped": 0, "ran": 4}
    chunk = run_sweep(fake_specs(8, sleep=0.05), fake_trial, tmp_path / "chunk.sqlite", max_minutes=1e-9,
                      progress=False)
    assert chunk["ran"] == 0, "no trial starts after the chunk's time is up"
    with pytest.raises(ValueError, match="workers must be at least 1"):
        run_sweep(fake_specs(1), fake_trial, store, workers=0)
