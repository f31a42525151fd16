"""Sphinx extension: every theorem page shows the verdicts of a real ``verify`` run.

At the start of the build the extension obtains one ``verify all --json`` document:

- ``DDTHEORY_VERIFY_JSON=PATH`` reads the document a CI job has just written (and, with
  ``DDTHEORY_VERIFY_PLOTS=DIR``, the figures that run drew with ``--plot DIR``);
- otherwise it runs ``python -m theorems all --profile dev --seed 0 --json ... --plot ...`` once
  (about half a minute on two cores), writing into ``docs/_generated/`` (not tracked).

The directive ``{verify-results} <theorem-id>`` then renders, on that theorem's page, a table with
one row per check (check, kind, verdict, key figures) and the figures the theorem drew. A theorem id
missing from the document is a build warning, so ``-W`` catches a page whose theorem did not run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from docutils import nodes
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from theorems.report import figures_text

logger = logging.getLogger(__name__)

GENERATED = "_generated"
"""Folder under the docs source that holds the run's JSON and figures (listed in .gitignore)."""

KEY_FIGURES = 4
"""Figures shown per check; the JSON keeps them all."""

RUN_TIMEOUT_S = 900
"""A dev run takes about 30 s on two cores; the limit only stops a hung build."""


def _run_verify(srcdir: Path) -> tuple[Path, Path]:
    """Run ``verify all`` at the dev profile, seed 0, into ``srcdir/_generated``; return (json, figures)."""
    out = srcdir / GENERATED
    figures = out / "figures"
    shutil.rmtree(out, ignore_errors=True)
    figures.mkdir(parents=True)
    json_path = out / "verify-dev.json"
    command = [sys.executable, "-m", "theorems", "all", "--profile", "dev", "--seed", "0",
               "--json", str(json_path), "--plot", str(figures)]
    logger.info("verify_results: running %s", " ".join(command[1:]))
    done = subprocess.run(command, cwd=srcdir.parent, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    # Exit 1 means a check was falsified or crashed: the pages then show it; only a missing document is fatal.
    if done.returncode not in (0, 1) or not json_path.is_file():
        raise ExtensionError(f"verify all exited {done.returncode} without a JSON document: {done.stderr[-2000:]}")
    return json_path, figures


def _load_results(app) -> None:
    """builder-inited: read or make the verify document, keep it and the figure files on the env."""
    srcdir = Path(app.srcdir)
    given = os.environ.get("DDTHEORY_VERIFY_JSON")
    if given:
        json_path = Path(given)
        if not json_path.is_file():
            raise ExtensionError(f"DDTHEORY_VERIFY_JSON={given} is not a file")
        figures = srcdir / GENERATED / "figures"
        plots = os.environ.get("DDTHEORY_VERIFY_PLOTS")
        if not (plots and Path(plots).resolve() == figures.resolve()):  # a previous build's own figures stay
            shutil.rmtree(figures, ignore_errors=True)
            figures.mkdir(parents=True)
            for png in sorted(Path(plots).glob("*.png")) if plots else []:
                shutil.copy(png, figures / png.name)
    else:
        json_path, figures = _run_verify(srcdir)
    document = json.loads(json_path.read_text())
    app.env.ddtheory_verify = {
        "profile": document["profile"],
        "seed": document["seed"],
        "theorems": {theorem["id"]: theorem for theorem in document["theorems"]},
        "figures": sorted(png.name for png in figures.glob("*.png")),
    }


def _cell(text: str, classes: list[str] | None = None, literal: bool = False) -> nodes.entry:
    inner = nodes.literal(text, text) if literal else nodes.Text(text)
    return nodes.entry("", nodes.paragraph("", "", inner), classes=classes or [])


def _table(checks: list[dict]) -> nodes.table:
    header = ("check", "kind", "verdict", "key figures")
    table = nodes.table(classes=["verify-results"])
    group = nodes.tgroup(cols=len(header))
    table += group
    for width in (22, 14, 14, 50):
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    head += nodes.row("", *(_cell(name) for name in header))
    body = nodes.tbody()
    for check in checks:
        body += nodes.row("", _cell(check["name"], literal=True), _cell(check["kind"]),
                          _cell(check["verdict"], classes=[f"verdict-{check['verdict']}"]),
                          _cell(figures_text(check["figures"], limit=KEY_FIGURES)))
    group += head
    group += body
    return table


class VerifyResults(SphinxDirective):
    """``{verify-results} <theorem-id>``: the verdict table and figures of one theorem."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        theorem_id = self.arguments[0]
        results = self.env.ddtheory_verify
        theorem = results["theorems"].get(theorem_id)
        if theorem is None:
            logger.warning("verify-results: %s is not in the verify document", theorem_id,
                           location=self.get_location())
            return []
        intro = nodes.paragraph()
        intro += nodes.Text("Verdicts of ")
        command = f"verify {theorem_id} --profile {results['profile']} --seed {results['seed']}"
        intro += nodes.literal(command, command)
        intro += nodes.Text(", run while these pages were built: ")
        intro += nodes.strong(theorem["verdict"], theorem["verdict"], classes=[f"verdict-{theorem['verdict']}"])
        intro += nodes.Text(".")
        made = [intro, _table(theorem["checks"])]
        stem = theorem_id.split("/")[-1]
        for name in results["figures"]:
            if Path(name).stem.endswith(stem):
                uri = f"/{GENERATED}/figures/{name}"
                image = nodes.image(uri=uri, alt=f"{theorem_id}: {name}", width="100%")
                # An image and a line under it, not a figure: sphinx-proof turns on numfig, and a global
                # "Fig. N" would clash with the papers' own figure numbers.
                command = f"verify {theorem_id} --plot DIR"
                made += [image, nodes.paragraph("", "", nodes.emphasis("", name), nodes.Text(": drawn by "),
                                                nodes.literal(command, command), nodes.Text(" in the same run."))]
        return made


def _theorem_pages(app, env, added, changed, removed) -> list[str]:
    """env-get-outdated: re-read every theorem page, since each build brings a new verify run."""
    return [name for name in env.found_docs if name.startswith("theorems/")]


def setup(app):
    app.connect("builder-inited", _load_results)
    app.connect("env-get-outdated", _theorem_pages)
    app.add_directive("verify-results", VerifyResults)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
