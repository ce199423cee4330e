"""The ``_config.yml`` keys Jupyter Book 1 knows, from its own JSON schema and default config.

Jupyter Book ignores keys it does not know; a misspelt ``exclude_paterns`` would silently do
nothing. ``book.config`` checks every key of Jupyter Book's sections against this list.
"""

from __future__ import annotations

import functools
import json
from importlib.resources import files

import yaml

# Sections whose values are free-form (Sphinx settings, LaTeX documents, analytics ids, ...):
# their own keys are checked, what lies below them is not.
FREE_FORM = {"sphinx.config", "latex.latex_documents", "html.analytics", "html.comments",
             "sphinx.local_extensions"}
# Top-level keys Jupyter Book translates into Sphinx settings without declaring them.
TRANSLATED = {"project", "only_build_toc_files", "bibtex_bibfiles", "bibtex_reference_style",
              "bibtex_default_style", "bibtex_bibliography_header"}
# Keys Jupyter Book reads without declaring them (older spellings it still honours).
UNDECLARED = {"html": ("navbar_footer_text", "google_analytics_id")}


@functools.lru_cache(maxsize=1)
def jupyter_book_keys() -> dict[str, dict | None]:
    """Top-level key -> its known sub-keys (a dict of names), or None for a plain value."""
    package = files("jupyter_book")
    schema = json.loads(package.joinpath("config_schema.json").read_text(encoding="utf-8"))
    defaults = yaml.safe_load(package.joinpath("default_config.yml").read_text(encoding="utf-8"))
    known: dict[str, dict | None] = {key: None for key in TRANSLATED}
    for key, spec in schema["properties"].items():
        sub = spec.get("properties")
        known[key] = dict.fromkeys(sub) if sub else None
    for key, value in defaults.items():
        if isinstance(value, dict):
            known[key] = {**(known.get(key) or {}), **dict.fromkeys(value)}
        else:
            known.setdefault(key, None)
    for key, names in UNDECLARED.items():
        known[key] = {**(known.get(key) or {}), **dict.fromkeys(names)}
    return known
