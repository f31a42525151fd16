"""Sphinx configuration for ddtheory's documentation (MyST Markdown + sphinx-proof)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))

project = "ddtheory"
author = "ddtheory developers"
extensions = [
    "myst_parser",
    "sphinx_proof",
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # serves MathJax from _static/mathjax: formulas render without a network
    "all_parameters",  # autodoc lists untyped arguments too
    "verify_results",  # each theorem page: the verdict table (and figures) of a verify run made by the build
]
myst_enable_extensions = ["dollarmath", "colon_fence", "deflist"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "_generated"]
autodoc_typehints = "description"
autodoc_member_order = "bysource"
autodoc_preserve_defaults = True  # defaults as written (np.float64), not their repr
html_theme = "alabaster"
html_theme_options = {"page_width": "1160px", "sidebar_width": "240px"}  # room for the tables and commands
proof_uppercase_all = False
# Every prf directive is :nonumber: and its title carries the number the source paper gives it
# ("3 (Izzo & Zou) — ..."): sphinx-proof's own counter runs across all papers and would mislabel them.
proof_title_format = "%t"
nitpicky = False
html_static_path = ["_static"]
html_css_files = ["ddtheory.css"]
