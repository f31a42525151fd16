"""The IPC planner on runs planted from a known law, checked against held-out runs."""

import math

import numpy as np
import pytest

from empirical.planner import plan


COVERAGE_C = 0.1


def planted_rows(floor=0.03, slope=0.3, ks=(1, 2, 4, 8, 16, 32, 64), seeds=6, noise=0.002, sizes=(1, 2, 4, 8)):
    """Rows in the export format: full-data accuracy 0.9; distilled accuracy 0.9 − Δ, with
    Δ = floor + slope/√k (+ COVERAGE_C·√(log M / k) for the coverage trials)."""
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
                gap = floor + slope / math.sqrt(k) + COVERAGE_C * math.sqrt(math.log(m) / k) + rng.normal(0, noise)
                rows.append({"key": f"c-{k}-{m}-{draw}", "spec": {
                    "method": "dm", "ipc": k, "configurations": names, "distill_seed": 0, "eval_seeds": [0],
                    "preset": "gpu", "options": {"augment": "none", "draw": draw, "coverage": m}},
                    "metrics": {"evaluations": [{"configuration": n, "eval_seed": 0, "accuracy": 0.9 - gap,
                                                 "loss": 0.3} for n in names]}})
    return rows


def numbers_after(text, label):
    return float(text.split(label, 1)[1].split()[0].strip(","))


def test_single_configuration_plan_matches_the_planted_law():
    text = plan(0.08, 1, planted_rows(sizes=()))
    expected = (0.3 / (0.08 - 0.03)) ** 2  # 36
    assert abs(numbers_after(text, "k* = ") - expected) <= 0.15 * expected
    low, high = text.split("95% interval [", 1)[1].split("]")[0].split(", ")
    assert float(low) <= expected <= float(high)
    held_out = text.split("error ", 1)[1].split(")")[0]
    assert abs(float(held_out)) < 0.01, "the held-out k = 64 gap is predicted within 0.01"


def union_k(m, gap=0.08, floor=0.03, slope=0.3):
    return ((slope + COVERAGE_C * math.sqrt(math.log(m))) / (gap - floor)) ** 2


def test_coverage_plan_matches_the_union_bound_from_one_design():
    rows = planted_rows()
    for m in (1, 4, 8):
        text = plan(0.08, m, rows)
        assert "design gpu" in text and "warning" not in text
        assert abs(numbers_after(text, "k* = ") - union_k(m)) <= 0.15 * union_k(m)


def test_k_star_is_non_decreasing_in_m():
    rows = planted_rows()
    answers = [numbers_after(plan(0.08, m, rows), "k* = ") for m in (1, 2, 4, 8, 1000)]
    assert answers == sorted(answers)


def test_target_below_the_floor_is_named_not_infinite():
    text = plan(0.01, 4, planted_rows())
    assert "target below the fitted floor ε = 0.03" in text and "∞" not in text


def test_unsupported_law_warns_in_one_line():
    rows = planted_rows()
    for row in rows:  # the coverage gap no longer depends on M: c is not > 0
        if row["spec"]["options"].get("coverage"):
            for item in row["metrics"]["evaluations"]:
                wobble = 1e-3 * ((7 * row["spec"]["ipc"] + row["spec"]["options"]["draw"]) % 5)
                item["accuracy"] = 0.9 - 0.03 - 0.3 / math.sqrt(row["spec"]["ipc"]) - wobble
    warnings = [line for line in plan(0.08, 4, rows).splitlines() if "warning" in line]
    assert len(warnings) == 1 and "the coverage law is" in warnings[0]


@pytest.mark.parametrize("gap,configs,match", [(0.0, 1, "target gap"), (float("nan"), 1, "target gap"),
                                               (0.1, 0, "configurations must be")])
def test_planner_rejects_bad_input(gap, configs, match):
    with pytest.raises(ValueError, match=match):
        plan(gap, configs, planted_rows())
