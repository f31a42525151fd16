"""No trivial subject passes a check: every function subject of every property, symbolic,
construction and real-data check, with its answers zeroed (see ``tests/trivial_subjects.py``),
must not come back verified.

Exempt, each for the reason given: subjects that are adversaries (an attempt the theorem says must
fail: a zero attempt fails too), subjects that state the identity under test (a zero formula
states nothing), and decisions carried by a non-numeric field. A stand-in whose answers contain no
float (a returned function, an mpmath or torch value) is left unchanged and is skipped as such.
``python -m empirical.bench_soundness --trivial`` also runs the answers scaled by 1 + 10⁻³.
"""

import pytest

from theorems import REGISTRY, Verdict
from theorems.runner import run_check

from tests.trivial_subjects import TRIVIAL, trivial_plants

EXEMPT = {
    ("izzo-zou/theorem-2::best-attempt-certificate", "attempt"): "adversary: the best attempt at n − 1 centres",
    ("izzo-zou/theorem-2::longley", "attempt"): "adversary: the best attempt at n − 1 centres",
    ("chen-huang-weng/theorem-5.2::span-lemma", "train"): "the claim is W ∈ span(φ(X_S)ᵀ), which a zero W satisfies",
    ("selvan-chen/quantization::parallel-axis", "remainder"): "the subject is the identity's own remainder formula",
    ("selvan-chen/rkhs-bound::cauchy-schwarz", "remainder"): "the subject is the identity's own remainder formula",
    ("izzo-zou/theorem-3::rank-threshold", "distill"): "reads only the integer rank and point count (values: rank-deficient)",
    ("izzo-zou/theorem-3::rank-threshold", "solver"): "reads only the integer rank and dropped count (values: ridge-path)",
    ("luo-xu/scaling-law::rejects-planted-violation", "assess"): "the verdict is a string field the stand-in keeps",
    ("luo-xu/coverage-law::rejects-planted-violation", "assess"): "the verdict is a string field the stand-in keeps",
    ("luo-xu/scaling-law-convex::rejects-planted-violation", "assess"): "the verdict is a string field the stand-in keeps",
}

ZEROS = [plant for plant in trivial_plants(REGISTRY.theorems()) if plant[2] == "zeros"]
assert set(TRIVIAL) >= {"zeros"}


@pytest.mark.parametrize("plant", ZEROS, ids=[f"{p[0]}[{p[1]}]" for p in ZEROS])
def test_zeroed_subject_does_not_pass(plant, ctx):
    check_id, name, _, theorem, check, stand_in = plant
    if (check_id, name) in EXEMPT:
        pytest.skip(EXEMPT[(check_id, name)])
    if check.missing():
        pytest.skip(check.missing())
    result = run_check(theorem, check, ctx, **{name: stand_in})
    if not stand_in.changed:
        pytest.skip("the subject's answers hold no float: the zeroed stand-in equals the built-in")
    assert result.verdict not in (Verdict.VERIFIED, Verdict.UNREFUTED, Verdict.SUPPORTED), \
        f"{check_id} passes with {name} zeroed: {result.verdict} {result.outcome.figures}"
