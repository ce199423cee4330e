"""The ``_config.yml`` keys Jupyter Book 1 knows: its sections and their keys.

Jupyter Book ignores keys it does not know; a misspelt ``exclude_paterns`` would silently do
nothing. ``book.config.course`` checks every key of Jupyter Book's sections against
``JUPYTER_BOOK_KEYS``.
The table is written out (every build reads it; parsing Jupyter Book's schema each time would
slow the instant no-op build) and ``derive_from_jupyter_book`` rebuilds it from Jupyter Book's own
JSON schema and default configuration: a test keeps the two equal, so an upgrade of Jupyter Book
that adds or removes a key fails the tests until this table follows.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

# Top-level key -> the keys of its section, or None for a plain value.
JUPYTER_BOOK_KEYS: dict[str, tuple[str, ...] | None] = {
    "author": None,
    "bibtex_bibfiles": None,
    "bibtex_bibliography_header": None,
    "bibtex_default_style": None,
    "bibtex_reference_style": None,
    "copyright": None,
    "exclude_patterns": None,
    "execute": (
        "allow_errors",
        "cache",
        "eval_regex",
        "exclude_patterns",
        "execute_notebooks",
        "raise_on_error",
        "run_in_temp",
        "show_tb",
        "stderr_output",
        "timeout",
    ),
    "html": (
        "analytics",
        "announcement",
        "baseurl",
        "comments",
        "extra_footer",
        "favicon",
        "google_analytics_id",
        "home_page_in_navbar",
        "navbar_footer_text",
        "use_edit_page_button",
        "use_issues_button",
        "use_multitoc_numbering",
        "use_repository_button",
    ),
    "latex": ("latex_documents", "latex_engine", "use_jupyterbook_latex"),
    "launch_buttons": (
        "binderhub_url",
        "colab_url",
        "deepnote_url",
        "jupyterhub_url",
        "notebook_interface",
        "thebe",
    ),
    "logo": None,
    "only_build_toc_files": None,
    "parse": ("myst_dmath_double_inline", "myst_enable_extensions", "myst_url_schemes"),
    "project": None,
    "repository": ("branch", "path_to_book", "url"),
    "sphinx": ("config", "extra_extensions", "local_extensions", "recursive_update"),
    "title": None,
}

# Top-level keys Jupyter Book translates into Sphinx settings without declaring them.
TRANSLATED = (
    "project",
    "only_build_toc_files",
    "bibtex_bibfiles",
    "bibtex_reference_style",
    "bibtex_default_style",
    "bibtex_bibliography_header",
)
# Keys Jupyter Book reads without declaring them (older spellings it still honours).
UNDECLARED = {"html": ("navbar_footer_text", "google_analytics_id")}


def derive_from_jupyter_book() -> dict[str, tuple[str, ...] | None]:
    """``JUPYTER_BOOK_KEYS`` as the installed Jupyter Book declares it."""
    schema, defaults = jupyter_book_files()
    known: dict[str, set[str] | None] = dict.fromkeys(TRANSLATED)
    for key, spec_ in schema["properties"].items():
        sub = spec_.get("properties")
        known[key] = set(sub) if sub else None
    for key, value in defaults.items():
        if isinstance(value, dict):
            known[key] = (known.get(key) or set()) | set(value)
        else:
            known.setdefault(key, None)
    for key, names in UNDECLARED.items():
        known[key] = (known.get(key) or set()) | set(names)
    return {key: tuple(sorted(v)) if v is not None else None for key, v in sorted(known.items())}


def jupyter_book_files() -> tuple[dict, dict]:
    """The installed Jupyter Book's JSON schema and default configuration."""
    import json

    import yaml

    spec = importlib.util.find_spec("jupyter_book")  # its files, without importing it
    package = Path(next(iter(spec.submodule_search_locations or ()))) if spec else Path()
    schema = json.loads((package / "config_schema.json").read_text(encoding="utf-8"))
    defaults = yaml.safe_load((package / "default_config.yml").read_text(encoding="utf-8"))
    return schema, defaults
