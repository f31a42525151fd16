"""The IPC planner on runs planted from a known law, checked against held-out runs."""

import math

import numpy as np
import pytest

from empirical.planner import plan


def planted_rows(floor=0.03, slope=0.3, ks=(1, 2, 4, 8, 16, 32, 64), seeds=6, noise=0.002, sizes=(1, 2, 4, 8)):
    """Rows in the export format: full-data accuracy 0.9; distilled accuracy 0.9 − Δ."""
    rng = np.random.default_rng(0)
    rows = [{"key": "full-c0", "spec": {"method": "full", "ipc": 0, "configurations": [f"c{i}"], "distill_seed": 0,
                                        "eval_seeds": [0], "preset": "gpu", "options": {}},
             "metrics": {"evaluations": [{"configuration": f"c{i}", "eval_seed": 0, "accuracy": 0.9, "loss": 0.3}]}}
            for i in range(8)]
    for k in ks:
        for seed in range(seeds):
            gap = floor + slope / math.sqrt(k) + rng.normal(0, noise)
            rows.append({"key": f"s-{k}-{seed}", "spec": {"method": "dm", "ipc": k, "configurations": ["c0"],
                                                          "distill_seed": seed, "eval_seeds": [0], "preset": "gpu",
                                                          "options": {"augment": "none"}},
                         "metrics": {"evaluations": [{"configuration": "c0", "eval_seed": 0, "accuracy": 0.9 - gap,
                                                      "loss": 0.3 + gap}]}})
        for m in sizes:
            for draw in range(3):
                names = [f"c{(draw + j) % 8}" for j in range(m)]
                gap = floor + slope * math.sqrt(math.log(m) / k) + rng.normal(0, noise)
                rows.append({"key": f"c-{k}-{m}-{draw}", "spec": {
                    "method": "dm", "ipc": k, "configurations": names, "distill_seed": 0, "eval_seeds": [0],
                    "preset": "gpu", "options": {"augment": "none", "draw": draw, "coverage": m}},
                    "metrics": {"evaluations": [{"configuration": n, "eval_seed": 0, "accuracy": 0.9 - gap,
                                                 "loss": 0.3} for n in names]}})
    return rows


def numbers_after(text, label):
    return float(text.split(label, 1)[1].split()[0].strip(","))


def test_single_configuration_plan_matches_the_planted_law():
    text = plan(0.08, 1, planted_rows())
    expected = (0.3 / (0.08 - 0.03)) ** 2  # 36
    assert abs(numbers_after(text, "k* = ") - expected) <= 0.15 * expected
    low, high = text.split("95% interval [", 1)[1].split("]")[0].split(", ")
    assert float(low) <= expected <= float(high)
    held_out = text.split("error ", 1)[1].split(")")[0]
    assert abs(float(held_out)) < 0.01, "the held-out k = 64 gap is predicted within 0.01"


def test_coverage_plan_grows_with_log_m():
    rows = planted_rows()
    k4, k8 = numbers_after(plan(0.08, 4, rows), "k* = "), numbers_after(plan(0.08, 8, rows), "k* = ")
    expected8 = 0.3**2 * math.log(8) / 0.05**2
    assert abs(k8 - expected8) <= 0.15 * expected8
    assert abs(k8 / k4 - math.log(8) / math.log(4)) < 0.05


@pytest.mark.parametrize("gap,configs,match", [(0.0, 1, "target gap"), (float("nan"), 1, "target gap"),
                                               (0.1, 0, "configurations must be")])
def test_planner_rejects_bad_input(gap, configs, match):
    with pytest.raises(ValueError, match=match):
        plan(gap, configs, planted_rows())
