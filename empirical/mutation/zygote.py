"""A fork server (``--preload``): one process imports the oracle's third-party modules once, then
forks a child per run, so that a mutant no longer pays for importing numpy, scipy, sympy, POT,
torch and statsmodels.

Only modules from outside the repository are preloaded (the list is what the traced run had
imported, in import order); the child puts its copy first on ``sys.path`` and imports every
project module afresh, and the bootstrap still refuses to run unless the mutated module comes
from the copy. Each child starts a session of its own, takes its processor-time limit, and is
reaped by the server, which reports its exit status and processor time; until then its process
id cannot be reused, so killing its process group on the elapsed-time backstop is safe. The
server serves one run at a time; each worker thread has its own.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time

SERVER = r"""
import json, os, resource, sys, traceback
bootstrap = sys.argv[2]
for name in json.loads(sys.argv[1]):
    try:
        __import__(name)
    except BaseException:
        pass
sys.dont_write_bytecode = True
stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
for line in stdin:
    request = json.loads(line)
    stdout.flush(); sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.setsid()
            log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(log, 1); os.dup2(log, 2)
            os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
            os.chdir(request["cwd"])
            os.environ.clear(); os.environ.update(request["env"])
            sys.path.insert(0, request["cwd"])
            if request["cpu"] is not None:
                resource.setrlimit(resource.RLIMIT_CPU, (request["cpu"], request["cpu"] + 10))
            sys.argv = ["-c", *request["argv"]]
            exec(compile(bootstrap, "<bootstrap>", "exec"), {"__name__": "__main__"})
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:
            traceback.print_exc()
        finally:
            try:
                sys.stdout.flush(); sys.stderr.flush()
            finally:
                os._exit(code)
    stdout.write(f"{pid}\n".encode()); stdout.flush()
    _, status, usage = os.wait4(pid, 0)
    stdout.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_utime + usage.ru_stime}\n".encode()); stdout.flush()
"""


class ForkServer:
    """A running server; :meth:`run` forks one child and waits for it within the limits."""

    def __init__(self, modules: list[str], bootstrap: str, env: dict[str, str]):
        self.process = subprocess.Popen([sys.executable, "-P", "-c", SERVER, json.dumps(modules), bootstrap],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        env=env, start_new_session=True)
        self.pending = b""
        self.child: int | None = None

    def _line(self, deadline: float | None) -> str | None:
        """The server's next line, or None when ``deadline`` (a perf_counter time) passes first."""
        fd = self.process.stdout.fileno()
        while b"\n" not in self.pending:
            wait = None if deadline is None else max(deadline - time.perf_counter(), 0.0)
            ready, _, _ = select.select([fd], [], [], wait)
            if not ready:
                return None
            chunk = os.read(fd, 4096)
            if not chunk:
                raise RuntimeError("the preload server died")
            self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        return line.decode()

    def run(self, cwd: str, argv: list[str], env: dict[str, str], log: str, cpu: int | None,
            wall: float | None) -> tuple[int | None, float, float]:
        """Exit status (None past ``wall`` seconds, the child's group then killed), processor seconds and
        elapsed seconds, both counted from the fork (a server still preloading is not charged)."""
        request = {"cwd": cwd, "argv": argv, "env": env, "log": log, "cpu": cpu}
        self.process.stdin.write((json.dumps(request) + "\n").encode())
        self.process.stdin.flush()
        self.child = int(self._line(None))
        start = time.perf_counter()
        line = self._line(None if wall is None else start + wall)
        timed_out = line is None
        if timed_out:
            self.stop_child()
            line = self._line(None)
        seconds = time.perf_counter() - start
        self.child = None
        code, cpu_seconds = line.split()
        return (None if timed_out else int(code)), float(cpu_seconds), seconds

    def stop_child(self) -> None:
        """Kill the running child's process group (not yet reaped by the server: its id is still its own)."""
        if self.child is not None:
            try:
                os.killpg(self.child, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def close(self) -> None:
        self.stop_child()
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
