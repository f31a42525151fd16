"""Sphinx configuration for ddtheory's documentation (MyST Markdown + sphinx-proof)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

project = "ddtheory"
author = "ddtheory developers"
extensions = [
    "myst_parser",
    "sphinx_proof",
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
]
myst_enable_extensions = ["dollarmath", "colon_fence"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
autodoc_typehints = "description"
autodoc_member_order = "bysource"
html_theme = "alabaster"
proof_uppercase_all = False
nitpicky = False
