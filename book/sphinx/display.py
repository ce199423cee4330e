"""How pages display for readers on any screen: the course's ``display:`` settings and markup fixes.

- ``display: code-overflow`` in ``_config.yml`` (as Quarto's ``code-overflow``): ``wrap`` breaks
  long
  lines of code and output to the width of the screen; ``scroll`` (the default) keeps them whole in
  a box that scrolls sideways and shows that it does (``static/book.css``). The page's ``<body>``
  carries the setting (``theme/layout.html``). With ``wrap``, each line of code is a block that
  keeps its indentation when it wraps (``code_lines``).
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

from book.sphinx.code_lines import hang_code
from book.sphinx.domain import course_domain

DEFAULTS = {
    "code-overflow": "scroll"
}  # the settings are declared in book.config.course (DisplayConfig)


_SUMMARY_LABEL = '<summary aria-label="Toggle hidden content">'
_DOWNLOAD_LINK = re.compile(r'(<a href="[^"]*_sources/[^"]+\.(?:ipynb|md)") target="_blank"')


def _on_config_inited(app, config) -> None:
    overflow = (config.book_display or {}).get("code-overflow", DEFAULTS["code-overflow"])
    app.config.html_context = {**(config.html_context or {}), "course_code_overflow": overflow}


def _on_page_context(app, pagename, templatename, context, doctree) -> None:
    course_domain(app.env).written.add(pagename)
    context["course_preview"] = app.config.book_preview  # a preview's banner (theme/layout.html)
    if "body" in context:
        context["body"] = context["body"].replace(_SUMMARY_LABEL, "<summary>")
        if app.config.html_context.get("course_code_overflow") == "wrap":
            context["body"] = hang_code(context["body"])
    labs = course_domain(app.env).labs
    following = context.get("next")
    if pagename in labs and following:
        lab_links = {app.builder.get_relative_uri(pagename, lab) for lab in labs}
        if following.get("link") not in lab_links:
            context["next"] = None


def _make_downloads_download(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for pagename in sorted(course_domain(app.env).written):
        path = Path(app.outdir) / app.builder.get_target_uri(pagename)
        if path.suffix == ".html" and path.is_file():
            text = path.read_text(encoding="utf-8")
            amended = _DOWNLOAD_LINK.sub(r"\1 download", text)
            if amended != text:
                path.write_text(amended, encoding="utf-8")


def setup(app) -> dict:
    """A part of the course's Sphinx extension (``book.sphinx``)."""
    app.add_config_value("book_display", None, "html", types=[dict])
    # a preview (NOW=, AUDIENCE=instructor: book.release.preview) says so on every page
    app.add_config_value("book_preview", "", "html", types=[str])
    app.connect("config-inited", _on_config_inited)
    app.connect("html-page-context", _on_page_context)
    app.connect("build-finished", _make_downloads_download)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
