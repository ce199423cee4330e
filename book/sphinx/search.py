"""Site search, the page half: each page marked for Pagefind, and the search dialog.

A part of the Sphinx extension (``book.sphinx``): the article is the indexed body (navigation,
footers and theme chrome are left out), titled by its <h1> (a lab's full title), filtered by week
and by execution flag, headings weighted above prose and carrying the section ids that search
results link to. It also replaces the theme's Sphinx search with the Pagefind dialog in
``theme/layout.html`` and ``static/search.js``. The index itself is built after Sphinx by
``book.publishing.search``, which also splits code into words for the index alone (the page, and
so what readers select and copy, keeps the code exactly as written).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from docutils import nodes

from book.sphinx.domain import course_domain

TEMPLATE_WORDS = (
    "sidebar",
    "search_dialog",
    "search_placeholder",
    "search_box",
    "search_filters",
    "search_close",
)
HEADING_WEIGHTS = {1: 10, 2: 7, 3: 5, 4: 4, 5: 3, 6: 3}  # body text weighs 1
THEME_TEMPLATES = Path(__file__).parent / "theme"  # Sphinx/Jinja templates

# Sphinx writes the id on the <section>; Pagefind links sub-results to headings with an id.
_SECTION_HEADING = re.compile(
    r'<section(?P<before>[^>]*?) id="(?P<id>[^"]+)"(?P<after>[^>]*)>(?P<gap>\s*)<h(?P<level>[1-6])>'
)


def mark_body(body: str, filters: dict[str, list[str]]) -> str:
    """The page body as Pagefind should index it: filtered, headings weighted and linkable.

    The result title is the article's first <h1> (a lab's "Week W, Session S — Title"), not the
    theme's print-only heading (the navigation title) that comes first in the page.
    """
    titled = False

    def heading(m: re.Match) -> str:
        nonlocal titled
        level = int(m["level"])
        meta = ' data-pagefind-meta="title"' if level == 1 and not titled else ""
        titled = titled or bool(meta)
        return (
            f"<section{m['before']}{m['after']}>{m['gap']}"
            f'<h{level} id="{m["id"]}" data-pagefind-weight="{HEADING_WEIGHTS[level]}"{meta}>'
        )

    # an attribute carries one filter value (values may hold commas): one wrapper per value
    wrappers = [
        f'<div data-pagefind-filter="{html.escape(name)}:{html.escape(value)}">'
        for name, values in filters.items()
        for value in values
    ]
    return (
        f'<div class="pagefind-body" data-pagefind-body>{"".join(wrappers)}'
        f"{_SECTION_HEADING.sub(heading, body)}"
        f"{'</div>' * len(wrappers)}</div>"
    )


def _gated_flags(doctree: nodes.document | None) -> list[str]:
    flags = set()
    for container in doctree.findall(nodes.container) if doctree is not None else ():
        book_meta = (container.get("cell_metadata") or {}).get("book") or {}
        if isinstance(book_meta.get("eval"), str):
            flags.add(book_meta["eval"])
    return sorted(flags)


def _on_page_context(app, pagename, templatename, context, doctree) -> None:
    # Sphinx's search-term highlighter (and its Escape handler, which swallowed the dialog's Escape
    # once a result had the focus) serves Sphinx's search, which is off
    if "script_files" in context:
        context["script_files"] = [
            js for js in context["script_files"] if "sphinx_highlight.js" not in str(js)
        ]
    if doctree is None or "body" not in context:
        return  # generated pages (the general index) are not searched
    lab = course_domain(app.env).labs.get(pagename)
    words = app.config.book_words
    filters = {
        "week": [words.week_caption(lab["week"]) if lab is not None else words("course_pages")]
    }
    flags = _gated_flags(doctree)
    if flags:
        filters["flag"] = flags
    context["body"] = mark_body(context["body"], filters)


def _on_page_words(app, pagename, templatename, context, doctree) -> None:
    """Every page's search dialog and sidebar in the course's language (``theme/layout.html``);
    ``search.js`` reads the dialog's messages from its ``data-words``."""
    words = app.config.book_words
    context["course_words"] = {key: words(key) for key in TEMPLATE_WORDS}
    browser = words.for_browser()
    context["course_search_words"] = json.dumps(browser, ensure_ascii=False) if browser else ""


def _on_builder_inited(app) -> None:
    if app.builder.format == "html":
        app.builder.search = False  # no Sphinx search page or index: Pagefind replaces them


def _on_config_inited(app, config) -> None:
    config.templates_path = [*config.templates_path, str(THEME_TEMPLATES)]


def setup(app) -> dict:
    """A part of the course's Sphinx extension (``book.sphinx``)."""
    app.connect("config-inited", _on_config_inited)
    app.connect("builder-inited", _on_builder_inited)
    app.connect("html-page-context", _on_page_context)
    app.connect("html-page-context", _on_page_words)
    app.add_js_file("search.js", loading_method="defer")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
