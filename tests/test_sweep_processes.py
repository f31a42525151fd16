"""Pool workers of a sweep end with it: a sweep killed with SIGKILL leaves no orphan training."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from empirical.sweep import _alive

ROOT = Path(__file__).resolve().parent.parent


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_bytes().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != b"Z":
            found.append(int(stat.parent.name))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find the workers")
def test_pool_workers_die_with_a_sigkilled_sweep(tmp_path):
    script = (f"from empirical.sweep import run_sweep\nfrom tests.luo_xu_fake_trial import fake_specs, fake_trial\n"
              f"run_sweep(fake_specs(4, '', 60.0), fake_trial, {str(tmp_path / 'runs.sqlite')!r}, workers=2, "
              f"progress=False)\n")
    sweep = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(children(sweep.pid)) < 2:
            time.sleep(0.1)
        workers = children(sweep.pid)
        assert len(workers) >= 2, "the pool never started its two workers"
        time.sleep(0.5)  # let the initializers run
    finally:
        sweep.send_signal(signal.SIGKILL)
        sweep.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.1)
    assert not [pid for pid in workers if _alive(pid)], "pool workers outlived the killed sweep"
