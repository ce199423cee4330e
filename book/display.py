"""How pages display for readers on any screen: the course's ``display:`` settings and markup fixes.

- ``display: code-overflow`` in ``_config.yml`` (as Quarto's ``code-overflow``): ``wrap`` breaks long
  lines of code and output to the width of the screen; ``scroll`` (the default) keeps them whole in
  a box that scrolls sideways and shows that it does (``static/book.css``). The page's ``<body>``
  carries the setting (``theme/layout.html``).
- Accessibility fixes to markup that extensions write: myst-nb's hidden-content toggle is labelled
  "Toggle hidden content" while it shows "Show code cell output" (axe: label-content-name-mismatch);
  without the label its name is what it shows.
- A lab's "Next" link leads only to another lab: after the last lab comes the instructors' part,
  which is not the next thing a student reads.
- The theme's download buttons (``.ipynb``, ``.md``) open the file in a new tab; with the
  ``download`` attribute they download it. The theme's button macro takes no attributes, so the
  pages this build wrote are amended when the build finishes.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .errors import BookError

CODE_OVERFLOW = ("scroll", "wrap")
DEFAULTS = {"code-overflow": "scroll"}


def display_settings(raw: dict) -> dict[str, str]:
    """The ``display:`` section of the raw ``_config.yml`` dict, checked, with defaults."""
    section = raw.get("display") or {}
    if not isinstance(section, dict):
        raise BookError("_config.yml", None, "'display:' must be a mapping",
                        "e.g. display: {code-overflow: wrap}")
    unknown = sorted(set(section) - set(DEFAULTS))
    if unknown:
        raise BookError("_config.yml", None, f"unknown display setting {unknown[0]!r}",
                        f"known: {', '.join(DEFAULTS)}")
    settings = {**DEFAULTS, **section}
    if settings["code-overflow"] not in CODE_OVERFLOW:
        raise BookError("_config.yml", None,
                        f"display: code-overflow is {settings['code-overflow']!r}",
                        f"use one of: {', '.join(CODE_OVERFLOW)}")
    return settings


_SUMMARY_LABEL = '<summary aria-label="Toggle hidden content">'
_DOWNLOAD_LINK = re.compile(r'(<a href="[^"]*_sources/[^"]+\.(?:ipynb|md)") target="_blank"')
_WRITTEN: set[str] = set()  # pages written by this build (html-page-context)


def _on_config_inited(app, config) -> None:
    path = Path(app.srcdir) / "_config.yml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
    try:
        settings = display_settings(raw or {})
    except BookError as exc:
        raise SystemExit(f"error: {exc.format()}") from None
    app.config.html_context = {**(config.html_context or {}),
                               "course_code_overflow": settings["code-overflow"]}


def _on_page_context(app, pagename, templatename, context, doctree) -> None:
    _WRITTEN.add(pagename)
    if "body" in context:
        context["body"] = context["body"].replace(_SUMMARY_LABEL, "<summary>")
    labs = getattr(app.env, "book_labs", {})
    following = context.get("next")
    if pagename in labs and following:
        lab_links = {app.builder.get_relative_uri(pagename, lab) for lab in labs}
        if following.get("link") not in lab_links:
            context["next"] = None


def _make_downloads_download(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for pagename in sorted(_WRITTEN):
        path = Path(app.outdir) / app.builder.get_target_uri(pagename)
        if path.suffix == ".html" and path.is_file():
            text = path.read_text(encoding="utf-8")
            amended = _DOWNLOAD_LINK.sub(r"\1 download", text)
            if amended != text:
                path.write_text(amended, encoding="utf-8")
    _WRITTEN.clear()


def setup(app) -> None:
    """Called from ``book.ext.setup``."""
    app.connect("config-inited", _on_config_inited)
    app.connect("html-page-context", _on_page_context)
    app.connect("build-finished", _make_downloads_download)
