"""Sphinx's writers never write into a file linked to the published site
(``book.publishing.staging``).

The staging folder starts as hard links to the published site. Sphinx writes a page with
``open(..., "w")`` and copies its source, images and downloads over existing files, which would
change the published copy through the link. Before each of those writes this part removes the
file, so Sphinx writes a new one: a page and its source when the page is about to be written,
images when they are about to be copied, downloads before the assets are copied. (Theme assets
and the other files every build writes are not linked at all.)
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder

from book.publishing.staging import replace


def _on_page_context(app: Sphinx, pagename, templatename, context, doctree) -> None:
    if not isinstance(app.builder, StandaloneHTMLBuilder):
        return
    replace(app.builder.get_outfilename(pagename))
    if context.get("sourcename"):
        replace(Path(app.outdir) / "_sources" / context["sourcename"])


def _on_write_started(app: Sphinx, builder) -> None:
    for _, dest in getattr(app.env, "dlfiles", {}).values():
        replace(Path(app.outdir) / "_downloads" / dest)


def _on_collect_pages(app: Sphinx):
    # html-collect-pages comes before copy_image_files and write_buildinfo in the builder's finish()
    for name in getattr(app.builder, "images", {}).values():
        replace(Path(app.outdir) / "_images" / name)
    replace(Path(app.outdir) / ".buildinfo")
    return []


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", _on_page_context, priority=100)
    app.connect("write-started", _on_write_started)
    app.connect("html-collect-pages", _on_collect_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
