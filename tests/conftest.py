"""Shared fixtures: a CheckContext that follows pytest's --hypothesis-profile, and the fashion_mnist marker."""

from pathlib import Path

import pytest
from hypothesis import settings

from theorems import CheckContext
from theorems.profiles import PROFILE_EXAMPLES


@pytest.fixture
def ctx() -> CheckContext:
    profile = settings.get_current_profile_name()
    return CheckContext(profile=profile if profile in PROFILE_EXAMPLES else "dev", seed=0)


def _needs_fashion_mnist(item) -> bool:
    """A registry-generated test (tests/test_checks.py) of a check that reads Fashion-MNIST."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    check = params.get("check")
    plant = params.get("plant")
    if check is None and isinstance(plant, tuple) and len(plant) == 6:  # tests/test_trivial_subjects.py
        check = plant[4]
    if check is None and "check_id" in params:
        from theorems import REGISTRY

        theorem_id, name = params["check_id"].split("::")
        check = REGISTRY.resolve(theorem_id).check(name)
    return check is not None and any(need.name == "data:fashion-mnist" for need in check.needs)


def pytest_collection_modifyitems(config, items):
    """Mark every test that reads Fashion-MNIST ``fashion_mnist`` (the generated check tests are
    marked here, the others in their files) and skip them all, with the one-line reason, when the
    data is missing (``$DDTHEORY_FASHION_MNIST`` pointing at an empty folder hides the system copy)."""
    from empirical.datasets import missing_reason

    reason = missing_reason("fashion-mnist")
    for item in items:
        if _needs_fashion_mnist(item):
            item.add_marker(pytest.mark.fashion_mnist)
        if reason and item.get_closest_marker("fashion_mnist"):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def _unmarked_tests_do_not_read_fashion_mnist(request, monkeypatch):
    """A test that reads the installed Fashion-MNIST must carry the ``fashion_mnist`` marker (so the
    data-hidden CI run covers it); an unmarked one fails here, naming the marker. Probing whether
    the data is there (a check's ``missing()``) is fine, and so is reading IDX files of a test's
    own folder."""
    if request.node.get_closest_marker("fashion_mnist"):
        return
    from empirical import datasets

    installed, read = datasets.fashion_mnist_dir().resolve(), datasets.read_idx

    def guarded(path, *args, **kwargs):
        if Path(path).resolve().parent == installed:
            pytest.fail(f"this test reads {path}: mark it @pytest.mark.fashion_mnist", pytrace=False)
        return read(path, *args, **kwargs)

    monkeypatch.setattr(datasets, "read_idx", guarded)
