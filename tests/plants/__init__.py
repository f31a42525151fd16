"""Planted failures: for every registered check, at least one broken construction or false
variant of the claim under which the check must answer ``falsified``.

Each module here defines ``PLANTS = {"namespace/theorem::check": [Plant(...), ...]}``; the
subjects are passed to ``Check.run`` in place of the defaults (see ``theorems.registry.Check``).
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Plant:
    description: str
    subjects: dict[str, Any] = field(default_factory=dict)


def all_plants() -> dict[str, list[Plant]]:
    plants: dict[str, list[Plant]] = {}
    for module in pkgutil.iter_modules(__path__):
        for check_id, entries in importlib.import_module(f"{__name__}.{module.name}").PLANTS.items():
            plants.setdefault(check_id, []).extend(entries)
    return plants
