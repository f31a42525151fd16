"""A cheap stand-in for a training trial, for the store and sweep tests (importable by workers)."""

import time

from empirical.store import TrialResult, TrialSpec


def fake_trial(spec: TrialSpec) -> TrialResult:
    """Sleeps ``spec.option('sleep')`` seconds, logs the key to ``spec.option('log')``, returns a
    metric that is a pure function of the spec."""
    time.sleep(spec.option("sleep", 0.0))
    log = spec.option("log")
    if log:
        with open(log, "a") as handle:
            handle.write(spec.key + "\n")
    return TrialResult({"value": spec.ipc * 1000 + spec.distill_seed}, device="cpu")


def fake_specs(count: int, log: str = "", sleep: float = 0.0) -> list[TrialSpec]:
    return [TrialSpec("dm", 1 + i // 3, ("convnet-sgd",), i % 3, (0, 1), "test",
                      (("log", log), ("sleep", sleep))) for i in range(count)]
