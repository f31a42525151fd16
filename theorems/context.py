"""The context a check runs in: effort profile, seed, and where to write figures.

Every random choice a check makes comes from this object, so ``verify --seed N`` fixes all of
them: numpy draws through :meth:`CheckContext.rng`, hypothesis searches through
:meth:`CheckContext.hypothesis_seed`. Nothing reads the wall clock.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from hypothesis import settings

from theorems.profiles import DEFAULT_PROFILE, PROFILE_EXAMPLES, profile_settings


def _label_key(label: object) -> int:
    return zlib.crc32(str(label).encode("utf-8"))


@dataclass(frozen=True)
class CheckContext:
    """Run-wide options, narrowed to one check by :meth:`for_check`.

    ``options`` carries theorem-specific switches from the CLI (``rerun``, ``preset``) that most
    checks ignore; ``plot_dir`` is where checks that draw figures write them (``None``: no plots).
    """

    profile: str = DEFAULT_PROFILE
    seed: int = 0
    check_id: str = ""
    plot_dir: Path | None = None
    options: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        profile_settings(self.profile)  # raises ValueError for an unknown profile name
        if not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {self.seed!r}")

    def for_check(self, check_id: str) -> "CheckContext":
        return replace(self, check_id=check_id)

    @property
    def examples(self) -> int:
        """Examples per hypothesis property under this profile."""
        return PROFILE_EXAMPLES[self.profile]

    def scaled(self, fraction: float, minimum: int = 5) -> int:
        """``fraction`` of the profile's example budget, at least ``minimum`` (for costly checks)."""
        return max(minimum, int(round(self.examples * fraction)))

    def rng(self, *labels: object) -> np.random.Generator:
        """A numpy generator determined by (seed, check id, labels) and nothing else."""
        key = [self.seed, _label_key(self.check_id), *(_label_key(label) for label in labels)]
        return np.random.default_rng(np.random.SeedSequence(key))

    def hypothesis_seed(self, *labels: object) -> int:
        return int(self.rng("hypothesis", *labels).integers(0, 2**63 - 1))

    def hypothesis_settings(self, fraction: float = 1.0, minimum: int = 5) -> settings:
        """The profile's settings with ``fraction`` of its examples, seeded explicitly (not derandomised).

        ``report_multiple_bugs=False``: a property that raises :class:`~theorems.searching.Violation`
        from two different lines must still end in one shrunk failure, not an ExceptionGroup.
        """
        return settings(profile_settings(self.profile), max_examples=self.scaled(fraction, minimum), derandomize=False,
                        report_multiple_bugs=False)
