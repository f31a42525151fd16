"""Every registered theorem has a docs page whose prf directive carries its id as ``:label:``."""

import re
from pathlib import Path

from theorems import REGISTRY

DOCS = Path(__file__).resolve().parents[1] / "docs"
LABEL = re.compile(r"^```\{prf:(?:theorem|conjecture|proposition|corollary|lemma|property)\}.*?\n:label: (\S+)",
                   re.MULTILINE | re.DOTALL)


def documented_labels() -> set[str]:
    labels = set()
    for page in DOCS.glob("theorems/**/*.md"):
        labels.update(LABEL.findall(page.read_text(encoding="utf-8")))
    return labels


def test_every_registered_theorem_has_a_page():
    missing = {t.id for t in REGISTRY.theorems()} - documented_labels()
    assert not missing, f"no docs page with :label: for {sorted(missing)}"


def test_no_page_for_an_unregistered_id():
    stale = documented_labels() - {t.id for t in REGISTRY.theorems()}
    assert not stale, f"docs pages label ids that are not registered: {sorted(stale)}"
