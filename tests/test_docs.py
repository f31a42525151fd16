"""Every registered theorem has a docs page whose prf directive carries its id as ``:label:``, and every
prf directive is unnumbered: its title carries the paper's own number (sphinx-proof's counter would not)."""

import re
from pathlib import Path

from theorems import REGISTRY

DOCS = Path(__file__).resolve().parents[1] / "docs"
LABEL = re.compile(r"^```\{prf:(?:theorem|conjecture|proposition|corollary|lemma|property|observation)\}.*?\n:label: (\S+)",
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


NUMBERED = re.compile(r"^```\{prf:(?!proof\})[a-z]+\}.*\n(?!:nonumber:)", re.MULTILINE)


def test_prf_directives_carry_the_papers_numbers_not_a_counter():
    numbered = [f"{page.relative_to(DOCS)}: {match.group(0).strip()}"
                for page in DOCS.glob("**/*.md") for match in NUMBERED.finditer(page.read_text(encoding="utf-8"))]
    assert not numbered, f"prf directives without :nonumber: (sphinx-proof would number them globally): {numbered}"
