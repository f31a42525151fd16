"""Hypothesis effort profiles shared by ``pytest --hypothesis-profile=NAME`` and ``verify --profile NAME``.

``dev``       the default: 100 random examples a property (after the domain's grid), seeded;
``ci``        derandomised, 200 examples, no deadline: what CI runs;
``thorough``  2000 examples, for a review before a result is cited.

Every search first runs its domain's boundary values and coarse grid (:mod:`theorems.domains`),
then the profile's random draws steered toward violations by ``hypothesis.target``. ``dev`` was
25 examples until a user claim false on 7 % of its range passed it in 35 of 100 seeds; at 100
examples plus the grid the soundness suite (``python -m empirical.bench_soundness``) is decided
correctly at every seed it runs.

Every profile disables the example database and the deadline so that a run is a pure function
of its seed (``verify --seed N`` gives byte-identical JSON apart from timings).
"""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, settings

PROFILE_EXAMPLES = {"dev": 100, "ci": 200, "thorough": 2000}
DEFAULT_PROFILE = "dev"

_COMMON = dict(
    deadline=None,
    database=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    # no "explain" phase: after shrinking it re-runs the failing example ~100 times under a tracer
    # to annotate a report nobody reads here; every counterexample check paid ~10× its cost for it
    phases=tuple(phase for phase in Phase if phase is not Phase.explain),
)

for _name, _examples in PROFILE_EXAMPLES.items():
    settings.register_profile(_name, max_examples=_examples, derandomize=(_name == "ci"), **_COMMON)


def profile_settings(name: str) -> settings:
    """The registered hypothesis settings for a profile name, or a ValueError listing the names."""
    if name not in PROFILE_EXAMPLES:
        raise ValueError(f"unknown profile {name!r}; choose one of {', '.join(PROFILE_EXAMPLES)}")
    return settings.get_profile(name)
