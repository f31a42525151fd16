"""The framework's verdict rules, and the soundness suite at a few seeds (the benchmark runs 100).

``python -m empirical.bench_soundness`` runs every case over many seeds; here a handful of seeds
keeps CI fast while still failing if a rule is broken.
"""

import math

import numpy as np
import pytest
from hypothesis import strategies as st

from theorems import CheckContext, Checks, Kind, Outcome, Theorem, Verdict, Violation, property_outcome, search, within
from theorems.domains import Domain, integers, interval, parametric, sampled, tuples
from theorems.runner import run_check
from theorems.searching import NonFiniteFigure, SubjectRefused, collecting_searches, tally
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


# -- holes found by review, each pinned -----------------------------------------------------------

def _run(fn, **subjects):
    theorem, check = _single(fn)
    return run_check(theorem, check, CheckContext(profile="dev", seed=0), **subjects)


def _zeroing_distiller(X, y):
    X[:] = 0.0  # overwrites the data the check compares with
    return X.copy()


def test_a_subject_cannot_overwrite_the_checks_data():
    def claim(ctx, distill=lambda X, y: X.copy()):
        """distill(X, y) returns X."""
        X = np.arange(4.0).reshape(2, 2)
        return Outcome.verified(**within(float(np.abs(distill(X, None) - X).max()), 0.0))

    assert _run(claim).verdict is Verdict.VERIFIED
    result = _run(claim, distill=_zeroing_distiller)
    assert result.verdict is Verdict.FALSIFIED and "read-only" in result.outcome.note


def test_a_violation_raised_while_drawing_examples_falsifies():
    def build(x):
        if x > 0.3:
            raise Violation("invariant fails", x=x)
        return x

    def claim(ctx):
        """Examples built by a strategy that checks an invariant."""
        return property_outcome(search(ctx, st.floats(0, 1).map(build), lambda x: within(x, 1.0)))

    assert _run(claim).verdict is Verdict.FALSIFIED


def test_a_check_cannot_pass_over_a_violation_its_search_found():
    def claim(ctx):
        """Two searches, the verdict built by hand from their counts."""
        first = search(ctx, interval(0.0, 1.0), lambda x: within(x, 0.5))
        second = search(ctx, interval(0.0, 0.4), lambda x: within(x, 0.5))
        return Outcome.verified(examples=first.tried + second.tried)

    assert _run(claim).verdict is Verdict.FALSIFIED


def test_within_refuses_a_signed_error():
    with pytest.raises(ValueError, match="absolute difference"):
        within(-0.2, 1e-3)


def test_narrow_two_dimensional_window_is_found_at_every_seed():
    def claim(ctx):
        """False on 0.2 < x < 0.35, 0.65 < y < 0.8 (2.25 % of the square)."""
        def prop(xy):
            x, y = xy
            if 0.2 < x < 0.35 and 0.65 < y < 0.8:
                raise Violation("window", x=x, y=y)
        return property_outcome(search(ctx, tuples(interval(0.0, 1.0), interval(0.0, 1.0)), prop))

    theorem, check = _single(claim)
    assert all(run_check(theorem, check, CheckContext(profile="dev", seed=s)).verdict is Verdict.FALSIFIED
               for s in range(6))


def test_system_exit_from_a_subject_is_an_error():
    def exits(x):
        raise SystemExit(0)

    def claim(ctx, solve=abs):
        """Calls its subject."""
        solve(1.0)
        return Outcome.verified()

    assert _run(claim, solve=exits).verdict in (Verdict.ERROR, Verdict.FALSIFIED)


def test_a_callable_object_subject_is_watched():
    class Refuses:
        def __call__(self, x):
            raise ValueError("no")

    def claim(ctx, solve=abs):
        """Calls its subject."""
        solve(1.0)
        return Outcome.verified()

    assert _run(claim, solve=Refuses()).verdict is Verdict.FALSIFIED


def test_nan_inside_a_list_of_records_is_an_error():
    def claim(ctx):
        """Reports a table of cases."""
        return Outcome.verified(cases=[{"err": float("nan")}])

    assert _run(claim).verdict is Verdict.ERROR


def test_refuted_claim_run_on_a_users_subject_is_judged_as_an_ordinary_claim():
    from theorems.api import run

    def raiser(*args, **kwargs):
        raise ValueError("no")

    theorem = run.__globals__["REGISTRY"].resolve("chen-huang-weng/theorem-6.2")
    name = next(n for c in theorem.checks for n in c.subjects if c.name in theorem.refuted_by
                and callable(c.subjects[n]))
    result = run("chen-huang-weng/theorem-6.2", **{name: raiser})
    assert result.verdict is not Verdict.REFUTED and result.verdict.is_failure


def test_parametric_grid_reaches_every_parameter_end_and_is_the_same_on_every_seed():
    from theorems.strategies import regression_domain

    domain = regression_domain(max_n=12, max_d=5, max_condition=1e3)
    again = regression_domain(max_n=12, max_d=5, max_condition=1e3)
    assert all(np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]) for a, b in zip(domain.grid, again.grid))
    shapes = {X.shape for X, _ in domain.grid}
    assert {(1, 1), (12, 1), (5, 5), (12, 5)} <= shapes
    conditions = [np.linalg.cond(X) for X, _ in domain.grid]
    assert math.isclose(min(conditions), 1.0, rel_tol=1e-9) and math.isclose(max(conditions), 1e3, rel_tol=1e-6)


@pytest.mark.parametrize("seed", range(5))
def test_parametric_domain_catches_a_failure_only_at_the_largest_condition_number(seed):
    from theorems.strategies import regression_domain

    def prop(example):
        X, _ = example
        if np.linalg.cond(X) > 0.99e3:  # false only at the very edge of κ(X) ≤ 10³
            raise Violation("edge", condition=float(np.linalg.cond(X)))

    result = search(CheckContext(profile="dev", seed=seed), regression_domain(), prop)
    assert result.found and result.grid > 0


def test_many_axis_products_keep_both_ends_of_every_axis_among_their_corners():
    domain = tuples(*[sampled([0, 1]) for _ in range(8)])  # 256 corners, at most 64 kept
    corners = domain.grid[:64]
    assert all({corner[axis] for corner in corners} == {0, 1} for axis in range(8))


# -- domains without a strategy, and rates (tally) -----------------------------------------------

def _grid_only(values) -> Domain:
    """A strategy-less domain of exactly these examples (no uniform draws)."""
    return Domain(None, tuple(values), f"{len(values)} fixed examples")


def test_a_strategy_less_domain_is_searched_on_its_grid_and_uniform_draws_only():
    parameters = tuples(interval(0.0, 1.0), integers(1, 4))
    domain = parametric(None, parameters, lambda point, rng: (*point, float(rng.standard_normal())))
    assert domain.strategy is None and domain.map(lambda x: x).strategy is None
    ctx = CheckContext(profile="dev", seed=0)
    result = search(ctx, domain, lambda example: {"x": example[0]}, fraction=0.05, minimum=3)
    assert not result.found and result.grid == len(domain.grid)
    assert result.tried == len(domain.grid) + ctx.scaled(0.05, 3)  # no hypothesis phase


def _window_judge(example):
    x, _ = example
    return "missed" if 0.43 < x < 0.49 else {"x": x}  # 6 % of the range: only the grid catches it


@pytest.mark.parametrize("seed", range(6))
def test_tally_catches_a_miss_on_a_narrow_parameter_window_on_the_grid(seed):
    domain = parametric(None, tuples(interval(0.0, 1.0)), lambda point, rng: (point[0], int(rng.integers(9))))
    with collecting_searches() as found:
        result = tally(CheckContext(profile="dev", seed=seed), domain, _window_judge, fraction=0.02, minimum=1,
                       allowed=lambda draws: 0)
    assert found == [result] and result.found and 0.43 < result.counterexample[0] < 0.49
    assert result.violation.figures["misses"] >= 1 and result.violation.figures["allowed_misses"] == 0


@pytest.mark.parametrize("misses, verdict", [(3, Verdict.VERIFIED), (4, Verdict.FALSIFIED)])
def test_tally_passes_at_the_allowance_and_fails_above_it(misses, verdict):
    def judge(x):
        return f"missed {x}" if x < misses else None

    result = tally(CheckContext(), _grid_only([*range(20), 0, 1]), judge, fraction=1.0, allowed=lambda draws: 3)
    outcome = property_outcome(result)
    assert outcome.verdict is verdict and result.tried == 20  # the repeated 0 and 1 count once
    if verdict is Verdict.FALSIFIED:
        assert result.counterexample == 0
        assert result.violation.figures == {"misses": 4, "draws": 20, "allowed_misses": 3}
    else:
        assert outcome.figures == {"examples": 20, "misses": 3.0, "allowed_misses": 3.0}


def test_a_nan_figure_in_a_tally_is_an_error():
    def claim(ctx):
        """A judge whose figure is NaN on one example."""
        judged = tally(ctx, _grid_only([0.0, 1.0]), lambda x: {"gap": x / x if x else x * math.nan},
                       fraction=1.0, allowed=lambda draws: 1)
        return property_outcome(judged)

    assert _run(claim).verdict is Verdict.ERROR


def test_a_subject_refusal_inside_a_tally_is_a_violation_not_a_miss():
    def claim(ctx, solve=lambda x: 1 / x):
        """Tallies a subject's answers, allowing every example to miss."""
        return property_outcome(tally(ctx, _grid_only([1.0, 0.0]), lambda x: {"value": solve(x)}, fraction=1.0,
                                      allowed=lambda draws: draws))

    result = _run(claim)
    assert result.verdict is Verdict.FALSIFIED and "refused" in result.outcome.note


def test_a_check_cannot_pass_over_a_tally_that_exceeded_its_allowance():
    def claim(ctx):
        """Builds its verdict by hand from a tally's count."""
        judged = tally(ctx, _grid_only(range(5)), lambda x: "missed", fraction=1.0, allowed=lambda draws: 1)
        return Outcome.verified(examples=judged.tried)

    assert _run(claim).verdict is Verdict.FALSIFIED


def test_tally_refuses_an_allowance_that_is_not_a_count():
    with pytest.raises(ValueError, match="miss count"):
        tally(CheckContext(), _grid_only([1]), lambda x: None, fraction=1.0, allowed=lambda draws: -1)


def test_tally_refuses_a_domain_it_cannot_draw_from():
    with pytest.raises(ValueError, match="grid or a uniform sampler"):
        tally(CheckContext(), Domain(st.integers()), lambda x: None, fraction=1.0, allowed=lambda draws: 0)


def test_a_subject_cannot_make_its_read_only_view_writable_again():
    def reenabling_distiller(X, y):
        X.flags.writeable = True  # NumPy allows this on a view whose owner is writable
        X[:] = 0.0
        return X.copy()

    class CallableZeroing:
        def __call__(self, X, y):
            X[:] = 0.0
            return X.copy()

    def claim(ctx, distill=lambda X, y: X.copy()):
        """distill(X, y) returns X."""
        X = np.arange(4.0).reshape(2, 2)
        return Outcome.verified(**within(float(np.abs(distill(X, None) - X).max()), 0.0))

    for subject in (reenabling_distiller, CallableZeroing()):
        result = _run(claim, distill=subject)
        assert result.verdict is Verdict.FALSIFIED


def test_the_checks_own_arrays_are_writable_again_after_the_subject_returns():
    def claim(ctx, distill=lambda X, y: X.copy()):
        """distill(X, y) returns X, and X stays the check's to change."""
        X = np.arange(4.0).reshape(2, 2)
        view = X[:1]
        distill(view, None)
        X[0, 0] = 5.0  # would raise if the owner had stayed read-only
        return Outcome.verified(**within(float(np.abs(distill(X, None) - X).max()), 0.0))

    assert _run(claim, distill=lambda X, y: X.copy()).verdict is Verdict.VERIFIED
