"""The framework's verdict rules, and the soundness suite at a few seeds (the benchmark runs 100).

``python -m empirical.bench_soundness`` runs every case over many seeds; here a handful of seeds
keeps CI fast while still failing if a rule is broken.
"""

import math

import numpy as np
import pytest
from hypothesis import strategies as st

from theorems import CheckContext, Checks, Kind, Outcome, Theorem, Verdict, Violation, property_outcome, search, within
from theorems.domains import integers, interval, sampled, tuples
from theorems.runner import run_check
from theorems.search import NonFiniteFigure, SubjectRefused
from theorems.soundness import CASES, run_case


def _single(fn) -> tuple[Theorem, object]:
    checks = Checks()
    checks.add("only", Kind.PROPERTY)(fn)
    theorem = Theorem(id="test/only", title="t", source="s", claim="c", statement=lambda: "c", checks=checks.freeze())
    return theorem, theorem.checks[0]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_suite_case_gets_its_verdict(case, seed):
    assert run_case(case, "dev", seed) is case.expected


def test_nan_figure_is_an_error():
    def nan_figure(ctx):
        """A figure that is NaN."""
        return Outcome.verified(gap=float("nan"))

    theorem, check = _single(nan_figure)
    result = run_check(theorem, check, CheckContext())
    assert result.verdict is Verdict.ERROR and "gap" in result.outcome.note


def test_violation_outside_search_is_falsified_with_its_figures():
    def outside(ctx):
        """Raises a violation directly."""
        raise Violation("too big", error=2.0, bound=1.0)

    theorem, check = _single(outside)
    result = run_check(theorem, check, CheckContext())
    assert result.verdict is Verdict.FALSIFIED
    assert result.outcome.figures == {"error": 2.0, "bound": 1.0}


def test_subject_exception_is_a_refusal():
    def uses_subject(ctx, solve=lambda x: 1 / x):
        """Calls its subject at 0."""
        solve(0.0)
        return Outcome.verified()

    theorem, check = _single(uses_subject)
    result = run_check(theorem, check, CheckContext())
    assert result.verdict is Verdict.FALSIFIED and "refused" in result.outcome.note


def test_within_is_nan_safe():
    with pytest.raises(NonFiniteFigure):
        within(float("nan"), 1.0)
    with pytest.raises(Violation):
        within(2.0, 1.0)
    assert within(0.5, 1.0)["error"] == 0.5
    assert issubclass(SubjectRefused, ValueError) and issubclass(SubjectRefused, Violation)


def test_examples_count_distinct_examples_only():
    seen = []

    def prop(x):
        seen.append(x)

    result = search(CheckContext(profile="dev"), st.sampled_from([1, 2, 3]), prop)
    assert result.tried == len(set(seen)) <= 3


def test_falsified_carries_only_the_violating_figures():
    def prop(x):
        if x >= 5:
            raise Violation("x too big", x=x)
        return {"held": 1.0}

    outcome = property_outcome(search(CheckContext(), integers(0, 10), prop))
    assert outcome.verdict is Verdict.FALSIFIED and "held" not in outcome.figures


def test_grid_runs_boundary_first_and_catches_a_narrow_window():
    domain = interval(0.0, 1.0)
    assert domain.grid[:2] == (0.0, 1.0)
    spacing = np.diff(sorted(domain.grid))
    assert spacing.max() <= 1 / 16 + 1e-12
    tried = []

    def prop(x):
        tried.append(x)
        if 0.43 < x < 0.49:  # 6 % of the interval
            raise Violation("window", x=x)

    result = search(CheckContext(profile="dev", seed=0), domain, prop)
    assert result.found and tried[:2] == [0.0, 1.0]


def test_product_grid_covers_each_axis():
    domain = tuples(interval(0.0, 1.0), sampled(["a", "b"]))
    assert (0.0, "a") in domain.grid and (1.0, "b") in domain.grid
    log = interval(1e-3, 1e3, log=True)
    assert math.isclose(log.grid[0], 1e-3) and math.isclose(log.grid[1], 1e3)


@pytest.mark.parametrize("bad", [(1.0, 0.0), (float("nan"), 1.0), (0.0, float("inf"))])
def test_interval_rejects_bad_bounds(bad):
    with pytest.raises(ValueError, match="interval"):
        interval(*bad)
