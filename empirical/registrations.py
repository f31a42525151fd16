"""The frozen registry of run designs and verdict criteria (``empirical/registrations.json``).

A verdict means what it says only if its criteria and its data's design were fixed before the data
were seen. The registry records, for the verdict criteria of :mod:`empirical.laws` and for every
preset of :mod:`empirical.presets`, the date it was fixed, its role and the sha256 of its content:

* criteria: the canonical JSON of :func:`empirical.laws.criteria`;
* a preset: the sorted trial keys of ``Preset.specs()`` (the design, seeds included).

Roles: ``confirmatory`` (designed before its runs; may decide a verdict), ``exploratory``
(designed after earlier runs failed; reported beside the verdict, never deciding it), ``smoke``
(a plumbing test, never a test of a law). A changed preset or criterion no longer matches its hash
(``tests/test_luo_xu_registrations.py`` fails): it must be registered again under a new name.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

REGISTRY_PATH = Path(__file__).resolve().parent / "registrations.json"
ROLES = ("confirmatory", "exploratory", "smoke")


def _sha256(payload) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def criteria_hash() -> str:
    from empirical.laws import criteria

    return _sha256(criteria())


def preset_hash(name: str) -> str:
    from empirical.presets import preset

    return _sha256(sorted(spec.key for spec in preset(name).specs()))


@lru_cache(maxsize=1)
def registry() -> dict:
    try:
        return json.loads(REGISTRY_PATH.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{REGISTRY_PATH}: unreadable registry ({exc})") from None


def role(preset: str) -> str | None:
    """The registered role of a preset, or ``None`` for a design the registry does not know."""
    entry = registry()["presets"].get(preset)
    return entry["role"] if entry else None


def deciding_preset(present: set[str], preference: tuple[str, ...]) -> tuple[str, list[str]]:
    """(the preset that decides, the other presets present) among ``present``: the first
    confirmatory preset in ``preference``; with none, the single unregistered design (a user's
    own runs); else the first registered preset in ``preference`` (exploratory or smoke, which
    :func:`can_support` then bars from a ``supported`` verdict)."""
    confirmatory = [name for name in preference if name in present and role(name) == "confirmatory"]
    unregistered = sorted(name for name in present if role(name) is None)
    registered = [name for name in preference if name in present and role(name) is not None]
    if confirmatory:
        chosen = confirmatory[0]
    elif len(unregistered) == 1:
        chosen = unregistered[0]
    elif registered:
        chosen = registered[0]
    else:
        raise ValueError(f"several unregistered designs among the runs' presets ({', '.join(sorted(present))}); "
                         f"fit one at a time")
    return chosen, sorted(present - {chosen})


def can_support(preset: str) -> bool:
    """Only a confirmatory design (or a user's own, unregistered one) may give ``supported``."""
    return role(preset) in ("confirmatory", None)


def describe(preset: str) -> str:
    """How a verdict names the design that decided it."""
    entry = registry()["presets"].get(preset)
    if entry is None:
        return f"unregistered design {preset!r} (your runs)"
    return f"registered {entry['role']} design {preset!r} (fixed {entry['registered']})"


def criteria_note() -> str:
    entry = registry()["criteria"]
    return f"criteria registered {entry['registered']} ({entry['note']})"
