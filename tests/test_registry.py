"""Registry rules, verdict combination, and how the runner treats crashes and missing requirements."""

import pytest

from theorems import CheckContext, Checks, Kind, Outcome, Theorem, Verdict
from theorems.outcome import combine
from theorems.registry import Registry
from theorems.requirements import Requirement
from theorems.runner import run_theorem


def make_theorem(theorem_id="lab/claim", fn=None, needs=(), status="theorem"):
    checks = Checks()

    def default(ctx, bound=1.0):
        """Compares a figure with a bound."""
        return Outcome.decide(0.5 <= bound, {"bound": bound}, "", figure=0.5)

    checks.add("only-check", Kind.PROPERTY, needs=needs)(fn or default)
    return Theorem(id=theorem_id, title="t", source="s", claim="c", statement=lambda: "c",
                   checks=checks.freeze(), status=status)


@pytest.mark.parametrize("bad_id", ["claim", "Lab/claim", "lab/", "lab/claim/x", "lab/Claim"])
def test_ids_must_be_namespaced_lowercase(bad_id):
    with pytest.raises(ValueError, match="must look like"):
        make_theorem(bad_id)


def test_checks_need_docstrings_and_unique_names():
    checks = Checks()
    with pytest.raises(ValueError, match="docstring"):
        checks.add("x", Kind.SYMBOLIC)(lambda ctx: Outcome.verified())
    with pytest.raises(ValueError, match="lowercase words"):
        checks.add("Bad Name", Kind.SYMBOLIC)


def test_duplicate_ids_are_refused():
    registry = Registry()
    registry.register(make_theorem())
    with pytest.raises(ValueError, match="already registered"):
        registry.register(make_theorem())


def test_subjects_replace_defaults_and_unknown_subjects_are_refused():
    theorem = make_theorem()
    check = theorem.check("only-check")
    ctx = CheckContext()
    assert check.run(ctx).verdict is Verdict.VERIFIED
    assert check.run(ctx, bound=0.1).verdict is Verdict.FALSIFIED
    with pytest.raises(ValueError, match="takes no subject"):
        check.run(ctx, distill=None)


def test_a_crashing_check_is_an_error_never_a_pass():
    def crashes(ctx):
        """Divides by zero."""
        return 1 / 0

    result = run_theorem(make_theorem(fn=crashes), CheckContext())
    assert result.verdict is Verdict.ERROR and "ZeroDivisionError" in result.checks[0].outcome.note


def test_a_check_returning_no_outcome_is_an_error():
    def forgets(ctx):
        """Returns a bool."""
        return True

    assert run_theorem(make_theorem(fn=forgets), CheckContext()).verdict is Verdict.ERROR


def test_missing_requirement_skips_and_leaves_theorem_incomplete():
    absent = Requirement("data:none", lambda: "no such data; install it with `apt-get install none`")
    result = run_theorem(make_theorem(needs=(absent,)), CheckContext())
    assert result.checks[0].verdict is Verdict.SKIPPED and result.verdict is Verdict.INCOMPLETE
    assert not result.verdict.is_failure


@pytest.mark.parametrize("verdicts,conjecture,expected", [
    ([Verdict.VERIFIED, Verdict.VERIFIED], False, Verdict.VERIFIED),
    ([Verdict.VERIFIED, Verdict.FALSIFIED, Verdict.ERROR], False, Verdict.ERROR),
    ([Verdict.VERIFIED, Verdict.FALSIFIED], False, Verdict.FALSIFIED),
    ([Verdict.VERIFIED, Verdict.SKIPPED], False, Verdict.INCOMPLETE),
    ([Verdict.UNREFUTED, Verdict.VERIFIED], True, Verdict.UNREFUTED),
    ([Verdict.VERIFIED], True, Verdict.UNREFUTED),
    ([Verdict.SUPPORTED, Verdict.VERIFIED], False, Verdict.SUPPORTED),
    ([Verdict.NOT_SUPPORTED, Verdict.VERIFIED], False, Verdict.NOT_SUPPORTED),
])
def test_theorem_verdict_from_check_verdicts(verdicts, conjecture, expected):
    assert combine(verdicts, conjecture) is expected


def test_context_validates_profile_and_seed_and_derives_streams():
    with pytest.raises(ValueError, match="unknown profile"):
        CheckContext(profile="fast")
    with pytest.raises(ValueError, match="seed must be"):
        CheckContext(seed=-3)
    ctx = CheckContext(seed=5).for_check("a::b")
    assert ctx.rng("x").integers(1 << 30) == ctx.rng("x").integers(1 << 30)
    assert ctx.rng("x").integers(1 << 30) != ctx.rng("y").integers(1 << 30)


def test_builtin_index_matches_the_modules():
    """`verify list` and id resolution read theorems/builtin_index.json instead of importing every
    module; regenerate it with `python -m theorems.registry` when a built-in is added or renamed."""
    import json

    from theorems.registry import INDEX_PATH, build_index

    assert json.loads(INDEX_PATH.read_text(encoding="utf-8")) == build_index()


def test_resolving_one_id_imports_only_its_module():
    import subprocess
    import sys

    code = ("import sys; from theorems.registry import REGISTRY; REGISTRY.resolve('theorem-3'); "
            "print(sorted(m for m in sys.modules if m.startswith('theorems.') and m.count('.') == 2))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120).stdout
    assert out.strip() == "['theorems.izzo_zou.theorem_3']", out
