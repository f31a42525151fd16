"""The built-in theorems as a battery for a user's code: the API, parametrize_with_checks from a
test file outside the project, and subject validation."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from constructions.linear import LinearDistillation, distill_linear_regression
from theorems import Verdict
from theorems.api import run

USER_TESTS = textwrap.dedent('''
    import numpy as np
    from constructions.linear import LinearDistillation, distill_linear_regression
    from theorems.testing import parametrize_with_checks

    def qr_distill(X, y, normalised=False):
        """d points from a thin QR: R and Qᵀy keep XᵀX and Xᵀy."""
        good = distill_linear_regression(X, y, normalised=normalised)
        q, r = np.linalg.qr(X)
        scale = np.sqrt(good.X.shape[0] / X.shape[0]) if normalised else 1.0
        keep = good.rank
        if keep < X.shape[1]:
            return good
        return LinearDistillation(r * scale, (q.T @ y) * scale, good.rank, good.dimension, normalised, "qr")

    def label_error(X, y, normalised=False):
        good = distill_linear_regression(X, y, normalised=normalised)
        return LinearDistillation(good.X, good.y * 1.001, good.rank, good.dimension, normalised, "mine")

    @parametrize_with_checks("izzo-zou/theorem-3", distill=qr_distill)
    def test_correct(check):
        check()

    @parametrize_with_checks("izzo-zou/theorem-3", distill=label_error)
    def test_broken(check):
        check()
''')


def test_parametrize_with_checks_from_outside_the_project(tmp_path):
    (tmp_path / "test_user.py").write_text(USER_TESTS)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "ridge or objective",
                           "test_user.py"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    out = done.stdout
    assert "test_correct[izzo-zou/theorem-3::ridge-path] PASSED" in out or "1 failed, 1 passed" in out, out[-3000:]
    assert "FAILED test_user.py::test_broken[izzo-zou/theorem-3::ridge-path]" in out, out[-3000:]
    assert "counterexample:" in out and "figures:" in out
    assert "1 failed, 1 passed, 2 skipped" in out, out[-3000:]


def test_api_returns_result_objects():
    def broken(X, y, normalised=False):
        good = distill_linear_regression(X, y, normalised=normalised)
        return LinearDistillation(good.X * 1.01, good.y, good.rank, good.dimension, normalised, "mine")

    result = run("izzo-zou/theorem-3", distill=broken, profile="dev", seed=0)
    assert result.verdict is Verdict.FALSIFIED
    verdicts = {c.check.name: c.verdict for c in result.checks}
    assert verdicts["objective-identity"] is Verdict.NOT_APPLICABLE
    assert verdicts["ridge-path"] is Verdict.FALSIFIED
    record = result.to_dict()
    assert record["id"] == "izzo-zou/theorem-3" and "seconds" in record
    assert "counterexample for ridge-path" in result.summary()


@pytest.mark.parametrize("subjects, message", [
    ({"distill": lambda X: X}, "cannot be called like the built-in"),
    ({"nosuch": np.zeros}, "no check of izzo-zou/theorem-3 takes a subject 'nosuch'"),
    ({"distill": 3}, "must be callable"),
])
def test_bad_subjects_are_one_line_errors(subjects, message):
    with pytest.raises(ValueError, match=message) as info:
        run("izzo-zou/theorem-3", **subjects)
    assert "\n" not in str(info.value)


EXAMPLES = "docs/examples/my_distillers.py"


def _verify(*args):
    return subprocess.run([sys.executable, "-m", "theorems", *args], capture_output=True, text=True, timeout=600)


def test_cli_subject_correct_distiller_is_verified():
    done = _verify("izzo-zou/theorem-3", "--subject", f"distill={EXAMPLES}:qr_distill")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "not-applicable" in done.stdout and ": verified" in done.stdout


@pytest.mark.parametrize("broken", ["qr_distill_label_slip", "qr_distill_transpose_slip"])
def test_cli_subject_broken_distiller_is_falsified_with_a_counterexample(broken):
    done = _verify("izzo-zou/theorem-3", "--subject", f"distill={EXAMPLES}:{broken}")
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
    assert ": falsified" in done.stdout and "counterexample:" in done.stdout


@pytest.mark.parametrize("option, message", [
    ("distill=nowhere.py:fn", "does not exist"),
    ("distill=numpy:zeros", "cannot be called like the built-in"),
    ("nosuch=numpy:zeros", "takes a subject 'nosuch'"),
    ("distill", "must look like NAME=module:function"),
])
def test_cli_bad_subject_is_one_line_exit_2(option, message):
    done = _verify("izzo-zou/theorem-3", "--subject", option)
    assert done.returncode == 2 and message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


GLM_EXAMPLES = "docs/examples/my_glm_points.py"


@pytest.mark.parametrize("construct, code, verdict", [("halved_point", 0, ": verified"),
                                                      ("halved_point_label_slip", 1, ": falsified")])
def test_cli_subject_glm_single_point(construct, code, verdict):
    done = _verify("izzo-zou/theorem-1", "--subject", f"construct={GLM_EXAMPLES}:{construct}")
    assert done.returncode == code, done.stdout[-2000:] + done.stderr[-2000:]
    assert verdict in done.stdout


KRR_EXAMPLES = "docs/examples/my_krr_distillers.py"


@pytest.mark.parametrize("step, code, verdicts", [("lstsq_distill_step", 0, (": verified", ": incomplete")),
                                                  ("lstsq_distill_step_label_slip", 1, (": falsified",))])
def test_cli_subject_krr_distillation_step(step, code, verdicts):
    """(Without Fashion-MNIST the real-data check is skipped and a correct step is 'incomplete'.)"""
    done = _verify("chen-huang-weng/theorem-5.1", "--subject", f"distill_step={KRR_EXAMPLES}:{step}")
    assert done.returncode == code, done.stdout[-2000:] + done.stderr[-2000:]
    assert any(verdict in done.stdout for verdict in verdicts)
