"""Sphinx configuration: the guide, the model and the API reference, written in Markdown
(MyST) with the API pages generated from the package's NumPy-style docstrings.

Build (warnings are errors): ``sphinx-build -W --keep-going -b html docs build/docs``.
The package must be installed (``pip install '.[docs]'``): autodoc imports ``complab``.
"""

from __future__ import annotations

import complab

project = "complab"
author = "complab contributors"
copyright = "complab contributors"  # noqa: A001 - Sphinx's name for it
release = complab.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]

myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"members": True}
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_rtype = False

html_theme = "alabaster"
html_title = f"complab {release}"
html_static_path: list[str] = []
