"""Shared fixtures: a CheckContext that follows pytest's --hypothesis-profile."""

import pytest
from hypothesis import settings

from theorems import CheckContext
from theorems.profiles import PROFILE_EXAMPLES


@pytest.fixture
def ctx() -> CheckContext:
    profile = settings.get_current_profile_name()
    return CheckContext(profile=profile if profile in PROFILE_EXAMPLES else "dev", seed=0)
